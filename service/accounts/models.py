"""Global identities. A user or creator is one person across every tenant they work with."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.models import UTCDateTime, created_at, uuid_pk


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A member of staff at a brand or agency; signs in with email and password."""

    login_kind = "user"

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moved on at sign-out: session cookies issued before (copies included) no longer sign anyone in.
    session_generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    created_at: Mapped[datetime] = created_at()

    def get_id(self) -> str:
        # Prefixed so a user id can never be loaded as a creator or the other way round.
        return f"user:{self.id}:{self.session_generation}"


class Creator(UserMixin, db.Model):  # type: ignore[name-defined]
    """An influencer or employee creator: one identity, related to each tenant separately."""

    login_kind = "creator"

    __tablename__ = "creators"

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    created_at: Mapped[datetime] = created_at()

    def get_id(self) -> str:
        return f"creator:{self.id}:{self.session_generation}"


class MagicLink(db.Model):  # type: ignore[name-defined]
    """A single-use, expiring sign-in link for a creator. Only the token's hash is stored."""

    __tablename__ = "magic_links"
    __table_args__ = (Index("ix_magic_links_creator", "creator_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    creator_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at()
