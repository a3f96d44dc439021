"""Registering webhook endpoints, changing them, rotating their secrets, test events and redelivery.

Operations flush and never commit; the API view or web action around them commits once.
Changes to endpoints are audited: an endpoint receives the account's events, so who pointed it
where matters as much as who created an API key.
"""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import func, select

from service.audit.operations import record_event
from service.errors import Conflict, NotFound, Unprocessable
from service.extensions import db
from service.models import utcnow
from service.security import encrypt_text
from service.webhooks.addresses import AddressRefused, check_url
from service.webhooks.delivery import PENDING, queue_attempt
from service.webhooks.events import EVENT_TYPES, emit_event
from service.webhooks.models import WebhookDelivery, WebhookEndpoint
from service.webhooks.signing import new_signing_secret
from tenants.access import Principal

MAX_ENDPOINTS_PER_TENANT = 20
EDITABLE_FIELDS = ("url", "description", "event_types", "active")


class IssuedEndpoint(NamedTuple):
    endpoint: WebhookEndpoint
    secret: str  # the signing secret in clear; shown in this one response only


def _checked_url(url: str) -> str:
    config = current_app.config
    try:
        return check_url(
            url,
            allow_loopback=config["WEBHOOK_ALLOW_LOOPBACK"],
            # Event data must not cross the internet unencrypted in production; the demo and tests use http.
            require_https=config["FAIRPACT_ENV"] == "production",
        )
    except AddressRefused as refused:
        raise Unprocessable("Webhooks cannot be sent to this URL.", {"url": [str(refused)]}) from refused


def _checked_event_types(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise Unprocessable("Unknown event types.", {"event_types": [f"Unknown: {', '.join(unknown)}."]})
    if not event_types:
        raise Unprocessable("Choose at least one event type.", {"event_types": ["Choose at least one."]})
    return sorted(set(event_types))


def _ensure_room_for_another() -> None:
    count = db.session.execute(select(func.count()).select_from(WebhookEndpoint)).scalar_one()
    if count >= MAX_ENDPOINTS_PER_TENANT:
        raise Conflict(
            f"An account can have at most {MAX_ENDPOINTS_PER_TENANT} webhook endpoints; delete one you no longer use."
        )


def create_endpoint(
    url: str, event_types: list[str], description: str = "", *, actor: Principal | None = None
) -> IssuedEndpoint:
    _ensure_room_for_another()
    secret = new_signing_secret()
    endpoint = WebhookEndpoint(
        url=_checked_url(url),
        event_types=_checked_event_types(event_types),
        description=description.strip(),
        secret_encrypted=encrypt_text(secret),
        active=True,
    )
    db.session.add(endpoint)
    db.session.flush()
    record_event(
        "webhook_endpoint.created",
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        details={"url": endpoint.url, "event_types": endpoint.event_types},
        actor=actor,
    )
    return IssuedEndpoint(endpoint, secret)


def get_endpoint(endpoint_id: uuid.UUID) -> WebhookEndpoint:
    found = db.session.execute(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)).scalar_one_or_none()
    if found is None:
        raise NotFound("No webhook endpoint with this id in your account.")
    return found


def update_endpoint(
    endpoint_id: uuid.UUID, changes: dict[str, Any], *, actor: Principal | None = None
) -> WebhookEndpoint:
    """Apply the given fields (any of EDITABLE_FIELDS); fields left out stay as they are."""
    endpoint = get_endpoint(endpoint_id)
    checked = {key: value for key, value in changes.items() if key in EDITABLE_FIELDS}
    if "url" in checked:
        checked["url"] = _checked_url(checked["url"])
    if "event_types" in checked:
        checked["event_types"] = _checked_event_types(checked["event_types"])
    if "description" in checked:
        checked["description"] = checked["description"].strip()
    changed = {key: value for key, value in checked.items() if getattr(endpoint, key) != value}
    for key, value in changed.items():
        setattr(endpoint, key, value)
    if changed:
        record_event(
            "webhook_endpoint.updated",
            target_type="webhook_endpoint",
            target_id=endpoint.id,
            details=changed,
            actor=actor,
        )
    return endpoint


def rotate_secret(endpoint_id: uuid.UUID, *, actor: Principal | None = None) -> IssuedEndpoint:
    """Replace the signing secret at once; attempts made from now on are signed with the new one."""
    endpoint = get_endpoint(endpoint_id)
    secret = new_signing_secret()
    endpoint.secret_encrypted = encrypt_text(secret)
    record_event("webhook_endpoint.secret_rotated", target_type="webhook_endpoint", target_id=endpoint.id, actor=actor)
    return IssuedEndpoint(endpoint, secret)


def delete_endpoint(endpoint_id: uuid.UUID, *, actor: Principal | None = None) -> None:
    """Delete the endpoint with its delivery log; queued attempts find nothing and stop."""
    endpoint = get_endpoint(endpoint_id)
    record_event(
        "webhook_endpoint.deleted",
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        details={"url": endpoint.url},
        actor=actor,
    )
    db.session.delete(endpoint)
    db.session.flush()


def send_test(endpoint_id: uuid.UUID) -> WebhookDelivery:
    """Queue a ``ping`` event to this one endpoint, whatever it subscribed to."""
    endpoint = get_endpoint(endpoint_id)
    if not endpoint.active:
        raise Conflict("This endpoint is disabled; enable it before sending a test event.")
    deliveries = emit_event("ping", {"endpoint_id": str(endpoint.id), "url": endpoint.url}, only_endpoint=endpoint.id)
    return deliveries[0]


def get_delivery(delivery_id: uuid.UUID) -> WebhookDelivery:
    found = (
        db.session.execute(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id))
        .unique()
        .scalar_one_or_none()
    )
    if found is None:
        raise NotFound("No webhook delivery with this id in your account.")
    return found


def redeliver(delivery_id: uuid.UUID) -> WebhookDelivery:
    """Send a delivered or failed event once more, as the next attempt of the same delivery (same event id)."""
    delivery = get_delivery(delivery_id)
    if delivery.status == PENDING:
        raise Conflict("This delivery is still being attempted; wait for it to succeed or fail.")
    if not delivery.endpoint.active:
        raise Conflict("This endpoint is disabled; enable it before sending events again.")
    # Pending again; if it had used up its automatic retries, this one attempt is all it gets.
    delivery.status, delivery.next_attempt_at = PENDING, utcnow()
    queue_attempt(delivery, delivery.attempt_count + 1)
    return delivery
