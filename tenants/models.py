"""Tenants (brands and agencies), an agency's client brands, and memberships with roles."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.models import UTCDateTime, created_at, tenant_row_id, utcnow, uuid_pk
from tenants.roles import Role
from tenants.scoping import TenantOwned, tenant_keys


class TenantKind(StrEnum):
    BRAND = "brand"
    AGENCY = "agency"


class Tenant(db.Model):  # type: ignore[name-defined]
    """A customer account: a brand, or an agency that works for client brands."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    slug: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    default_locale: Mapped[str] = mapped_column(String(8), nullable=False, default="de")
    created_at: Mapped[datetime] = created_at()

    @property
    def is_agency(self) -> bool:
        return self.kind == TenantKind.AGENCY


class Client(TenantOwned, db.Model):  # type: ignore[name-defined]
    """A client brand of an agency. Whatever the agency does for it carries its ``client_id``."""

    __tablename__ = "clients"
    __table_args__ = tenant_keys(UniqueConstraint("tenant_id", "name"))

    id: Mapped[uuid.UUID] = tenant_row_id()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = created_at()


class Membership(TenantOwned, db.Model):  # type: ignore[name-defined]
    """A user's role in a tenant. A manager may be limited to some of an agency's clients."""

    __tablename__ = "memberships"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "user_id"),
        Index("ix_memberships_user", "user_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default=Role.VIEWER)
    # False: the member sees only the clients listed in membership_clients.
    all_clients: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    user = relationship("User", lazy="joined")
    client_links: Mapped[list[MembershipClient]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", overlaps="membership"
    )

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def client_ids(self) -> frozenset[uuid.UUID] | None:
        """None means every client."""
        if self.all_clients:
            return None
        return frozenset(link.client_id for link in self.client_links)


class MembershipClient(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One client a limited member may work for."""

    __tablename__ = "membership_clients"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "membership_id", "client_id"),
        ForeignKeyConstraint(
            ["tenant_id", "membership_id"], ["memberships.tenant_id", "memberships.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"], ondelete="CASCADE"),
    )

    membership_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)

    membership = relationship(Membership, overlaps="client_links")
