"""Contracts, their versions, the people who sign them, and the links that let them sign.

A contract is the brand's agreement with one creator (or, in a corporate-influencer programme, the
employer's with one employee). Its terms live in versions: version 1 is the first draft; an amendment adds
the next version, which is sent and signed again while the earlier ones stay readable. A version is
editable while it is a draft and frozen from the moment it is sent: its PDF's SHA-256 is what every signer
sees and signs, and its sealed PDF (contract + signature page + audit certificate) is what verification
recognises.

Signing links are stored apart from the signers because one signer receives several over time (the first
email, reminders, a fresh link after an expired one); each is stored only as a SHA-256 hash, expires, and
serves one purpose (signing, or downloading the sealed PDF).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models import UTCDateTime, created_at, tenant_row_id, utcnow
from tenants.scoping import TenantOwned, tenant_keys


class ContractStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_SIGNED = "partially_signed"
    SIGNED = "signed"
    DECLINED = "declined"
    EXPIRED = "expired"
    VOIDED = "voided"


# A contract in these states waits for signatures: links work, reminders and expiry apply.
OPEN_STATUSES = (ContractStatus.SENT, ContractStatus.PARTIALLY_SIGNED)
# Amending starts a new version from these (a draft is simply edited; a voided contract is over).
AMENDABLE_STATUSES = (*OPEN_STATUSES, ContractStatus.SIGNED, ContractStatus.DECLINED, ContractStatus.EXPIRED)


class SealStatus(StrEnum):
    NOT_APPLICABLE = "not_applicable"  # not everyone has signed yet
    PENDING = "pending"  # the seal job is queued or retrying
    SEALED = "sealed"
    FAILED = "failed"  # retries exhausted: shown on the contract, the operator was alerted


class SignerRole(StrEnum):
    BRAND_SIGNATORY = "brand_signatory"
    CREATOR = "creator"
    EMPLOYER = "employer"
    EMPLOYEE = "employee"


# The roles that confirm the labelling duty when they sign (they are the ones who post).
POSTING_ROLES = (SignerRole.CREATOR, SignerRole.EMPLOYEE)


class SignerStatus(StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    DECLINED = "declined"


class LinkPurpose(StrEnum):
    SIGN = "sign"
    DOWNLOAD = "download"


class TemplateStatus(StrEnum):
    ACTIVE = "active"  # offered for new contracts
    RETIRED = "retired"  # no longer offered; contracts made from it still render from it


class TenantTemplate(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One version of a tenant's own contract template: its files as uploaded, frozen once stored.

    A contract names exactly the version it was made from, so nothing here changes after the insert except
    the status (``before_update`` below refuses any other change). A new upload of a key is its next version.
    """

    __tablename__ = "contract_tenant_templates"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "key", "version"),
        Index("ix_contract_tenant_templates_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    contract_type: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)  # {de, en}
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    files: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)  # file name -> text, as uploaded
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)  # of the files (names and texts)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=TemplateStatus.ACTIVE)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    uploaded_by_label: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    created_at: Mapped[datetime] = created_at()
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_by_label: Mapped[str | None] = mapped_column(String(254))

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    @property
    def is_active(self) -> bool:
        return self.status == TemplateStatus.ACTIVE


# Version numbers a request may name (the column is a 32-bit integer; nobody uploads 100,000 versions).
MAX_TEMPLATE_VERSION = 99_999
# Only these columns of a stored template version may change (retiring it).
TEMPLATE_MUTABLE_COLUMNS = frozenset({"status", "retired_at", "retired_by_label"})


@event.listens_for(TenantTemplate, "before_update")
def _template_versions_are_immutable(mapper: Any, connection: Any, target: TenantTemplate) -> None:
    state: Any = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    frozen = changed - TEMPLATE_MUTABLE_COLUMNS
    if frozen:
        raise ValueError(f"template version {target.ref} is immutable; refused to change {sorted(frozen)}")


class Contract(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One agreement and its lifecycle; the terms are in its versions."""

    __tablename__ = "contracts"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"]),
        ForeignKeyConstraint(
            ["tenant_id", "tenant_template_id"],
            ["contract_tenant_templates.tenant_id", "contract_tenant_templates.id"],
            name="fk_contracts_tenant_template",
        ),
        Index("ix_contracts_tenant_created", "tenant_id", "created_at"),
        Index("ix_contracts_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    template_key: Mapped[str] = mapped_column(String(64), nullable=False)
    template_version: Mapped[int] = mapped_column(Integer, nullable=False)
    # Set when the contract was made from one of the tenant's own template versions (else a built-in one).
    tenant_template_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    contract_type: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    languages: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    prevailing_language: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=ContractStatus.DRAFT)
    current_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    signing_order: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Days the signers have from sending; expires_at is set when it is sent.
    expires_in_days: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seal_status: Mapped[str] = mapped_column(String(20), nullable=False, default=SealStatus.NOT_APPLICABLE)
    seal_error: Mapped[str | None] = mapped_column(String(500))
    seal_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_by_label: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str | None] = mapped_column(Text)

    versions: Mapped[list[ContractVersion]] = relationship(
        back_populates="contract", order_by="ContractVersion.number", lazy="selectin", overlaps="contract"
    )

    @property
    def version(self) -> ContractVersion:
        """The current version (the one being edited, signed or last signed)."""
        return next(v for v in self.versions if v.number == self.current_version)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ContractVersion(TenantOwned, db.Model):  # type: ignore[name-defined]
    """The terms of one round of signing, frozen once sent, with the PDFs that came out of it."""

    __tablename__ = "contract_versions"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "contract_id", "number"),
        ForeignKeyConstraint(["tenant_id", "contract_id"], ["contracts.tenant_id", "contracts.id"], ondelete="CASCADE"),
        # Verification finds a sealed file's record by the hashes the file carries.
        Index("ix_contract_versions_pdf_sha256", "pdf_sha256"),
        Index("ix_contract_versions_sealed_sha256", "sealed_sha256"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    contract_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    # What the brand stated (left-out fields take the fair defaults) and the complete terms that follow.
    terms_input: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    fair: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    rule_packs: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    override_justification: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    override_by_label: Mapped[str | None] = mapped_column(String(254))
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    document_id: Mapped[str | None] = mapped_column(String(100))
    footer_note: Mapped[str | None] = mapped_column(String(400))
    pdf_key: Mapped[str | None] = mapped_column(String(512))
    html_key: Mapped[str | None] = mapped_column(String(512))
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_pages: Mapped[int | None] = mapped_column(Integer)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    render_error: Mapped[str | None] = mapped_column(String(500))
    sealed_key: Mapped[str | None] = mapped_column(String(512))
    sealed_sha256: Mapped[str | None] = mapped_column(String(64))
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_at()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contract: Mapped[Contract] = relationship(back_populates="versions", lazy="joined", overlaps="versions")
    signers: Mapped[list[Signer]] = relationship(
        back_populates="version", order_by="Signer.position", lazy="selectin", overlaps="version"
    )

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return [finding for finding in self.findings if finding.get("severity") == "warn"]

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return [finding for finding in self.findings if finding.get("severity") == "block"]

    @property
    def document_ready(self) -> bool:
        return self.pdf_sha256 is not None


class Signer(TenantOwned, db.Model):  # type: ignore[name-defined]
    """A party who signs one version: what they saw, consented to, confirmed and signed, and from where."""

    __tablename__ = "contract_signers"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "version_id"], ["contract_versions.tenant_id", "contract_versions.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["tenant_id", "contract_id"], ["contracts.tenant_id", "contracts.id"], ondelete="CASCADE"),
        Index("ix_contract_signers_tenant_version", "tenant_id", "version_id", "position"),
        # A creator's contracts across every tenant (the creator's home page).
        Index("ix_contract_signers_creator", "creator_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    contract_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    version_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    locale: Mapped[str] = mapped_column(String(8), nullable=False, default="de")
    creator_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("creators.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=SignerStatus.PENDING)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signature_kind: Mapped[str | None] = mapped_column(String(8))  # typed or drawn
    typed_signature: Mapped[str | None] = mapped_column(String(200))
    drawn_signature: Mapped[str | None] = mapped_column(Text)  # a re-encoded PNG data URL
    labelling: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # label, placement, posts
    decline_reason: Mapped[str | None] = mapped_column(Text)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = created_at()

    version: Mapped[ContractVersion] = relationship(back_populates="signers", lazy="joined", overlaps="signers")

    @property
    def confirms_labelling(self) -> bool:
        return self.role in POSTING_ROLES

    @property
    def has_signed(self) -> bool:
        return self.status == SignerStatus.SIGNED


class SigningLink(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One emailed link: the SHA-256 of its token, what it is for, until when, and whether it was used."""

    __tablename__ = "contract_signing_links"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "token_hash"),
        ForeignKeyConstraint(
            ["tenant_id", "signer_id"], ["contract_signers.tenant_id", "contract_signers.id"], ondelete="CASCADE"
        ),
        # The link's page knows no tenant yet: it finds the link by its hash alone.
        Index("ix_contract_signing_links_token_hash", "token_hash"),
        Index("ix_contract_signing_links_signer", "tenant_id", "signer_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    signer_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_at()

    signer: Mapped[Signer] = relationship(lazy="joined")
