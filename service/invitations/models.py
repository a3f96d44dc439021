"""An invitation carries a single-use, expiring token; only its hash is stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.models import UTCDateTime, created_at, tenant_row_id, utcnow
from tenants.scoping import TenantOwned, tenant_keys


class InvitationKind(StrEnum):
    USER = "user"
    CREATOR = "creator"


class Invitation(TenantOwned, db.Model):  # type: ignore[name-defined]
    __tablename__ = "invitations"
    __table_args__ = tenant_keys(
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"]),
        Index("ix_invitations_tenant_email", "tenant_id", "email"),
        # Links are resolved by token before the tenant is known (256 random bits: no collisions).
        Index("ix_invitations_token_hash", "token_hash"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    # For users: the role and (for managers) the clients they are limited to.
    role: Mapped[str | None] = mapped_column(String(16))
    client_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # For creators: influencer or employee, and optionally the client they work for.
    creator_kind: Mapped[str | None] = mapped_column(String(16))
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = created_at()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "pending" if self.expires_at > utcnow() else "expired"
