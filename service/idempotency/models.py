"""The stored outcome of a POST made with an Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.models import created_at, tenant_row_id
from tenants.scoping import TenantOwned, tenant_keys


class IdempotencyRecord(TenantOwned, db.Model):  # type: ignore[name-defined]
    __tablename__ = "idempotency_records"
    # The unique key makes a concurrent retry fail at commit instead of creating a twin.
    __table_args__ = tenant_keys(UniqueConstraint("tenant_id", "key"))

    id: Mapped[uuid.UUID] = tenant_row_id()
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    request_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    response_status: Mapped[int] = mapped_column(Integer, nullable=False)
    response_body: Mapped[str] = mapped_column(Text, nullable=False)
    response_location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at()
