"""Reading the audit log, newest first."""

from __future__ import annotations

from sqlalchemy import select

from service.audit.models import AuditEvent


def audit_events_query(action: str | None = None):  # type: ignore[no-untyped-def]
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return query
