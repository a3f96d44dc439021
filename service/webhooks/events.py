"""The event types a tenant can subscribe to, and emitting an event to subscribed endpoints."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from service.extensions import db
from service.jobs import defer
from service.models import utcnow
from service.webhooks.models import WebhookDelivery, WebhookEndpoint
from tenants.context import require_tenant_id

# Later capabilities add their events here (contract.*, post.*, billing.*).
EVENT_TYPES: dict[str, str] = {
    "ping": "A test event sent on request from the endpoint's page or API.",
    "invitation.created": "A user or creator was invited.",
    "member.joined": "An invited user accepted and joined the account.",
    "creator.joined": "An invited creator accepted and now works with the account.",
    "api_key.created": "An API key was created.",
    "api_key.revoked": "An API key was revoked.",
    "contract.created": "A contract draft was created.",
    "contract.sent": "A contract was sent for signature (its PDF is rendered next, then the signers are emailed).",
    "contract.signed": "One party signed a contract.",
    "contract.completed": "Every party signed a contract; sealing follows.",
    "contract.sealed": "The final PDF of a signed contract was sealed and can be downloaded.",
    "contract.seal_failed": "A signed contract could not be sealed after every retry; the operator was alerted.",
    "contract.declined": "A party declined to sign a contract.",
    "contract.expired": "The time to sign a contract ended before everyone signed.",
    "contract.voided": "A contract was voided.",
    "contract.amended": "A contract was amended: a new version was started, to be signed again.",
    "post.submitted": "A creator submitted a published post; its disclosure check is queued.",
    "check.completed": "A disclosure check of a post finished (any verdict).",
    "check.violation": "A post's check found a labelling violation (first time, or a changed result).",
    "check.needs_review": "A post's check needs a human review (first time, or a changed result).",
}


def emit_event(
    event_type: str, data: dict[str, Any], *, only_endpoint: uuid.UUID | None = None
) -> list[WebhookDelivery]:
    """Queue ``event_type`` for every active endpoint of the current tenant that subscribed to it."""
    return emit_events(event_type, [data], only_endpoint=only_endpoint)


def emit_events(
    event_type: str, datas: Sequence[dict[str, Any]], *, only_endpoint: uuid.UUID | None = None
) -> list[WebhookDelivery]:
    """Queue one ``event_type`` event per item of ``datas``; the subscribed endpoints are read once."""
    if event_type not in EVENT_TYPES:
        raise KeyError(f"unknown webhook event type {event_type!r}")
    if not datas:
        return []
    tenant_id = require_tenant_id()
    query = select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    if only_endpoint is not None:
        query = query.where(WebhookEndpoint.id == only_endpoint)
    endpoints = [
        endpoint
        for endpoint in db.session.execute(query).scalars()
        if only_endpoint is not None or event_type in endpoint.event_types
    ]
    deliveries: list[WebhookDelivery] = []
    for data in datas:
        # One occurrence, one event id: a receiver with several endpoints can tell it saw the same event.
        event_id = uuid.uuid4()
        payload = {
            "id": str(event_id),
            "type": event_type,
            "created": utcnow().isoformat(),
            "tenant_id": str(tenant_id),
            "data": data,
        }
        for endpoint in endpoints:
            delivery = WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
                next_attempt_at=utcnow(),
            )
            db.session.add(delivery)
            deliveries.append(delivery)
    db.session.flush()
    for delivery in deliveries:
        defer("webhooks.deliver", tenant_id, delivery.id, 1, job_id=f"webhook-{delivery.id}-1")
    return deliveries
