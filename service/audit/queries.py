"""Reading the audit log, newest first."""

from __future__ import annotations

from sqlalchemy import select

from service.audit.models import AuditEvent
from service.extensions import db


def audit_events_query(action: str | None = None):
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return query


def audit_actions() -> list[str]:
    """The distinct actions in the tenant's log, for the audit page's filter."""
    return list(db.session.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars())
