"""Append-only audit events, one tenant's log each."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.models import created_at, tenant_row_id
from tenants.scoping import TenantOwned, tenant_keys


class AuditEvent(TenantOwned, db.Model):  # type: ignore[name-defined]
    """A security- or contract-relevant event. Rows are written once and never updated."""

    __tablename__ = "audit_events"
    __table_args__ = tenant_keys(Index("ix_audit_events_tenant_time", "tenant_id", "created_at"))

    id: Mapped[uuid.UUID] = tenant_row_id()
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_type: Mapped[str] = mapped_column(String(16), nullable=False)  # user, creator, api_key, system
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_label: Mapped[str] = mapped_column(String(254), nullable=False)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at()
