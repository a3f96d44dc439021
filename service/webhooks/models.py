"""Webhook endpoints, the deliveries queued for them, and every attempt with its response."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKeyConstraint, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models import UTCDateTime, created_at, tenant_row_id
from tenants.scoping import TenantOwned, tenant_keys


class WebhookEndpoint(TenantOwned, db.Model):  # type: ignore[name-defined]
    __tablename__ = "webhook_endpoints"
    __table_args__ = tenant_keys()

    id: Mapped[uuid.UUID] = tenant_row_id()
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    event_types: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # The signing secret must be usable to sign, so it is encrypted rather than hashed.
    secret_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at()


class WebhookDelivery(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One event for one endpoint; retried with backoff until delivered or out of attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "endpoint_id"], ["webhook_endpoints.tenant_id", "webhook_endpoints.id"], ondelete="CASCADE"
        ),
        Index("ix_webhook_deliveries_tenant_endpoint", "tenant_id", "endpoint_id", "created_at"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    endpoint_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, default=uuid.uuid4)
    event_type: Mapped[str] = mapped_column(String(64), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")  # pending, delivered, failed
    attempt_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_at()

    endpoint = relationship(WebhookEndpoint, lazy="joined")
    attempts: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.number", lazy="selectin", overlaps="delivery"
    )


class WebhookAttempt(TenantOwned, db.Model):  # type: ignore[name-defined]
    """The log of one HTTP attempt: when, what came back, or why it failed."""

    __tablename__ = "webhook_attempts"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(
            ["tenant_id", "delivery_id"], ["webhook_deliveries.tenant_id", "webhook_deliveries.id"], ondelete="CASCADE"
        ),
        Index("ix_webhook_attempts_tenant_delivery", "tenant_id", "delivery_id", "number"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    delivery_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(String(2000))
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = created_at()

    delivery = relationship(WebhookDelivery, overlaps="attempts")
