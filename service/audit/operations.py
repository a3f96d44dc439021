"""Writing audit events. Called by operations, inside their transaction, so the event and the
change it records commit together or not at all."""

from __future__ import annotations

import uuid
from typing import Any

from flask import has_request_context, request

from service.audit.models import AuditEvent
from service.extensions import db
from tenants.access import SYSTEM, Principal, current_principal


def _origin() -> tuple[str | None, str | None]:
    if not has_request_context():
        return None, None
    agent = request.headers.get("User-Agent", "")[:300] or None
    return request.remote_addr, agent


def record_event(
    action: str,
    *,
    target_type: str | None = None,
    target_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    actor: Principal | None = None,
    tenant_id: uuid.UUID | None = None,
) -> AuditEvent:
    """Append ``action`` to the current tenant's audit log (or to ``tenant_id``'s, inside an unscoped block)."""
    actor = actor or current_principal() or SYSTEM
    ip_address, user_agent = _origin()
    event = AuditEvent(
        action=action,
        actor_type=actor.kind.value,
        actor_id=actor.id,
        actor_label=actor.label,
        target_type=target_type,
        target_id=target_id,
        ip_address=ip_address,
        user_agent=user_agent,
        details=details or {},
    )
    if tenant_id is not None:
        event.tenant_id = tenant_id
    db.session.add(event)
    return event
