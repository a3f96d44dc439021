"""Writing audit events. Called by operations, inside their transaction, so the event and the
change it records commit together or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask import has_request_context, request
from sqlalchemy import insert

from service.audit.models import AuditEvent
from service.extensions import db
from service.models import utcnow
from tenants.access import SYSTEM, Principal, current_principal
from tenants.context import require_tenant_id


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
    event = AuditEvent(**_event_fields(action, target_type, target_id, details, actor))
    if tenant_id is not None:
        event.tenant_id = tenant_id
    db.session.add(event)
    return event


def record_events(
    action: str, *, target_type: str, target_ids: Sequence[uuid.UUID], actor: Principal | None = None
) -> None:
    """One event per target in a single INSERT, for operations on a batch (the current tenant's log)."""
    if not target_ids:
        return
    tenant_id, now = require_tenant_id(), utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "created_at": now,
            **_event_fields(action, target_type, target_id, None, actor),
        }
        for target_id in target_ids
    ]
    db.session.execute(insert(AuditEvent), rows)


def _event_fields(
    action: str,
    target_type: str | None,
    target_id: uuid.UUID | None,
    details: dict[str, Any] | None,
    actor: Principal | None,
) -> dict[str, Any]:
    actor = actor or current_principal() or SYSTEM
    ip_address, user_agent = _origin()
    return {
        "action": action,
        "actor_type": actor.kind.value,
        "actor_id": actor.id,
        "actor_label": actor.label,
        "target_type": target_type,
        "target_id": target_id,
        "ip_address": ip_address,
        "user_agent": user_agent,
        "details": details or {},
    }
