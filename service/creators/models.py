"""The tenant-side record of a creator: how this tenant works with them."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models import created_at, tenant_row_id
from tenants.scoping import TenantOwned, tenant_keys


class CreatorKind(StrEnum):
    INFLUENCER = "influencer"
    EMPLOYEE = "employee"


class CreatorRelation(TenantOwned, db.Model):  # type: ignore[name-defined]
    """Creator X works with tenant Y as an influencer or as an employee (optionally for one client)."""

    __tablename__ = "creator_relations"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "creator_id"),
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"]),
        Index("ix_creator_relations_creator", "creator_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    creator_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    handle: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = created_at()

    creator = relationship("Creator", lazy="joined")
