"""Disclosure compliance records: campaigns, deliverable posts, the creator's label confirmation, submissions,
checks with their evidence snapshot, alerts, and bulk checks.

Tenant-owned tables have the primary key (tenant_id, id); references between them are composite keys so a
row can never point into another tenant. A check keeps exactly what was checked (the evidence snapshot and
its SHA-256) next to the result, so a brand can later prove what it checked, when and from where.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import relationship as related  # "relationship" is also a column of posts

from service.extensions import db
from service.models import UTCDateTime, created_at, tenant_row_id, utcnow
from tenants.scoping import TenantOwned, tenant_keys


class PostStatus(StrEnum):
    PLANNED = "planned"  # created by the brand, the creator has not confirmed the label yet
    CONFIRMED = "confirmed"  # the creator confirmed how it will be labelled
    SUBMITTED = "submitted"  # published and submitted; the check is queued or running
    COMPLIANT = "compliant"
    VIOLATION = "violation"
    NEEDS_REVIEW = "needs_review"


class CheckStatus(StrEnum):
    SCHEDULED = "scheduled"  # a re-check waiting for its due time
    PENDING = "pending"  # due: waiting for a worker
    DONE = "done"
    FAILED = "failed"  # the post could not be fetched or checked; ``error`` says why


class CheckTrigger(StrEnum):
    SUBMISSION = "submission"
    RECHECK = "recheck"
    MANUAL = "manual"


class BulkStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"


class Campaign(TenantOwned, db.Model):  # type: ignore[name-defined]
    __tablename__ = "disclosure_campaigns"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"]),
        Index("ix_disclosure_campaigns_tenant_client", "tenant_id", "client_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    jurisdictions: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    platforms: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = created_at()


class DeliverablePost(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One post a creator owes under a contract, with what it must be labelled like."""

    __tablename__ = "disclosure_posts"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["disclosure_campaigns.tenant_id", "disclosure_campaigns.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "creator_relation_id"], ["creator_relations.tenant_id", "creator_relations.id"]
        ),
        ForeignKeyConstraint(["tenant_id", "contract_id"], ["contracts.tenant_id", "contracts.id"]),
        Index("ix_disclosure_posts_tenant_campaign", "tenant_id", "campaign_id"),
        Index("ix_disclosure_posts_tenant_relation", "tenant_id", "creator_relation_id"),
        Index("ix_disclosure_posts_tenant_due", "tenant_id", "due_on", "id"),  # the list order (posts_query)
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    creator_relation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    contract_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    relationship: Mapped[str] = mapped_column(String(16), nullable=False)
    platform: Mapped[str] = mapped_column(String(16), nullable=False)
    media_type: Mapped[str] = mapped_column(String(16), nullable=False)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=PostStatus.PLANNED)
    # The verdict of the latest finished check (None before the first), for lists and the dashboard.
    latest_verdict: Mapped[str | None] = mapped_column(String(16))
    latest_check_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = related(lazy="joined", viewonly=True)
    creator_relation = related("CreatorRelation", lazy="joined", viewonly=True)


class LabelConfirmation(TenantOwned, db.Model):  # type: ignore[name-defined]
    """The creator's promise for one post: this is how I will label it (re-confirming replaces it)."""

    __tablename__ = "disclosure_label_confirmations"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "post_id"], ["disclosure_posts.tenant_id", "disclosure_posts.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "post_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    post_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    creator_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("creators.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(500), nullable=False)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    # The obligation exactly as it was shown when the creator confirmed.
    obligation: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    confirmed_at: Mapped[datetime] = created_at()


class Submission(TenantOwned, db.Model):  # type: ignore[name-defined]
    """The published post as the creator handed it in."""

    __tablename__ = "disclosure_submissions"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "post_id"], ["disclosure_posts.tenant_id", "disclosure_posts.id"], ondelete="CASCADE"
        ),
        Index("ix_disclosure_submissions_tenant_post", "tenant_id", "post_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    post_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    link: Mapped[str | None] = mapped_column(String(2000))
    caption: Mapped[str] = mapped_column(Text, nullable=False, default="")
    story_frames: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    on_screen_text: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    transcript: Mapped[str] = mapped_column(Text, nullable=False, default="")
    duration_s: Mapped[float | None] = mapped_column(Float)
    first_comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    paid_partnership_tag: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The screenshots' hashes and sizes, kept on the submission so a check's evidence needs no extra query.
    screenshot_evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    submitted_by: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    created_at: Mapped[datetime] = created_at()


class Screenshot(TenantOwned, db.Model):  # type: ignore[name-defined]
    """An image handed in with a submission: checked and re-encoded on upload, kept in the document store."""

    __tablename__ = "disclosure_screenshots"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["disclosure_submissions.tenant_id", "disclosure_submissions.id"],
            ondelete="CASCADE",
        ),
        Index("ix_disclosure_screenshots_tenant_submission", "tenant_id", "submission_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    submission_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(40), nullable=False)  # what Pillow read, not what was claimed
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)  # of the stored (re-encoded) bytes
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(512), nullable=False)
    created_at: Mapped[datetime] = created_at()


class Check(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One run of the rules engine over one post, with the evidence it ran on."""

    __tablename__ = "disclosure_checks"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "post_id"], ["disclosure_posts.tenant_id", "disclosure_posts.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "submission_id"], ["disclosure_submissions.tenant_id", "disclosure_submissions.id"]
        ),
        Index("ix_disclosure_checks_tenant_post", "tenant_id", "post_id", "created_at"),
        Index("ix_disclosure_checks_tenant_done", "tenant_id", "status", "completed_at"),  # the dashboard's weeks
        Index("ix_disclosure_checks_due", "status", "due_at"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    post_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    submission_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False, default=CheckTrigger.SUBMISSION)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=CheckStatus.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # Evidence: the post exactly as checked, its hash, when and where it came from.
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_source: Mapped[str | None] = mapped_column(String(40))  # "submission" or a fetcher's name
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    evidence_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Result
    verdict: Mapped[str | None] = mapped_column(String(16))
    rule_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    findings: Mapped[dict[str, list[dict[str, str]]]] = mapped_column(JSON, nullable=False, default=dict)  # per lang
    engine_version: Mapped[str | None] = mapped_column(String(40))
    pack_versions: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False, default=dict)
    error: Mapped[str | None] = mapped_column(String(500))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_at()

    post: Mapped[DeliverablePost] = related(lazy="joined", viewonly=True)


class Alert(TenantOwned, db.Model):  # type: ignore[name-defined]
    """A check whose result differs from the post's previous one and is not compliant: brand and creator told."""

    __tablename__ = "disclosure_alerts"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "post_id"], ["disclosure_posts.tenant_id", "disclosure_posts.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["tenant_id", "check_id"], ["disclosure_checks.tenant_id", "disclosure_checks.id"]),
        UniqueConstraint("tenant_id", "check_id"),  # one alert per check, however often the job runs
        Index("ix_disclosure_alerts_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    post_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    check_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    rule_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = created_at()


class BulkCheck(TenantOwned, db.Model):  # type: ignore[name-defined]
    """An uploaded file of posts, checked in batches; the results are kept per batch."""

    __tablename__ = "disclosure_bulk_checks"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"]),
        Index("ix_disclosure_bulk_checks_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    file_format: Mapped[str] = mapped_column(String(8), nullable=False)  # csv or jsonl
    language: Mapped[str] = mapped_column(String(2), nullable=False, default="en")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=BulkStatus.RUNNING)
    total_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    batch_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    created_at: Mapped[datetime] = created_at()
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batches: Mapped[list[BulkBatch]] = related(order_by="BulkBatch.number", lazy="selectin", overlaps="bulk")


class BulkBatch(TenantOwned, db.Model):  # type: ignore[name-defined]
    """A slice of a bulk upload that one job checks; ``rows`` are the posts with their line numbers."""

    __tablename__ = "disclosure_bulk_batches"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "bulk_id"],
            ["disclosure_bulk_checks.tenant_id", "disclosure_bulk_checks.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "bulk_id", "number"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    bulk_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # [{"line": n, "post": {...}} or {"line": n, "problem": "..."}]: parsing problems are found at upload.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    done: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    checked_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    bad_rows: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    bulk = related(BulkCheck, overlaps="batches")
