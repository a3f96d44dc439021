"""API keys: shown once, stored as a hash, revocable, expiring, scoped to one tenant."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.models import UTCDateTime, created_at, tenant_row_id
from tenants.scoping import TenantOwned, tenant_keys


class ApiKey(TenantOwned, db.Model):  # type: ignore[name-defined]
    __tablename__ = "api_keys"
    __table_args__ = tenant_keys(
        Index("ix_api_keys_tenant_created", "tenant_id", "created_at"),
        # Found by prefix before any tenant is known; a distributed table cannot hold a global UNIQUE.
        Index("ix_api_keys_lookup_prefix", "lookup_prefix"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # The public part of the key, used to find the row before the secret part is checked.
    lookup_prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    @property
    def status(self) -> str:
        from service.models import utcnow

        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.expires_at > utcnow() else "expired"
