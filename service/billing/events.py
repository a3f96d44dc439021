"""Stripe's webhook events: received (verified, stored once, answered at once) and processed by a worker.

Receiving does the least that is safe: verify the signature with the SDK, store the event id (a
repeated delivery finds it and changes nothing), and queue the processing job after the commit.
Processing takes the object's current state from Stripe, so the order of arrival does not matter.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from service.billing import operations as ops
from service.billing.gateway import BillingProviderError, ReceivedEvent, verify_webhook
from service.billing.models import StripeEvent
from service.billing.notifications import notify_owners
from service.billing.status import billing_status
from service.extensions import db
from service.jobs import RECONCILE_BATCH, DeferredJob, defer
from service.models import utcnow
from tenants.context import tenant_scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    event: StripeEvent
    duplicate: bool


def _find(stripe_event_id: str) -> StripeEvent | None:
    return db.session.execute(
        select(StripeEvent).where(StripeEvent.stripe_event_id == stripe_event_id)
    ).scalar_one_or_none()


def _stored(received: ReceivedEvent) -> StripeEvent:
    handled = received.type in HANDLERS
    return StripeEvent(
        id=uuid.uuid4(),
        stripe_event_id=received.id,
        type=received.type,
        stripe_created_at=received.created,
        object_id=received.object_id,
        customer_id=received.customer_id,
        subscription_id=received.subscription_id,
        status="received" if handled else "ignored",
        processed_at=None if handled else utcnow(),
    )


def receive_event(payload: bytes, signature: str | None) -> Receipt:
    """Verify and store one delivery; raises ``WebhookSignatureInvalid`` (nothing stored) when forged or stale."""
    config = current_app.config
    received = verify_webhook(
        payload, signature, config["STRIPE_WEBHOOK_SECRET"], config["STRIPE_WEBHOOK_TOLERANCE_SECONDS"]
    )
    existing = _find(received.id)
    if existing is not None:
        return Receipt(existing, duplicate=True)
    event = _stored(received)
    try:
        with db.session.begin_nested():
            db.session.add(event)
    except IntegrityError:
        # The same event delivered twice at once: the other delivery stored it and queued the work.
        raced = _find(received.id)
        if raced is None:
            raise
        return Receipt(raced, duplicate=True)
    if event.status == "received":
        defer("billing.process_event", event.id, job_id=event_job_id(event.id))
    else:
        log.info("Stripe event %s of type %s acknowledged and ignored (not handled)", received.id, received.type)
    return Receipt(event, duplicate=False)


# --- processing (in a worker) ---------------------------------------------------------------------------


def _on_checkout_completed(event: StripeEvent) -> None:
    if event.subscription_id:
        ops.sync_subscription(event.subscription_id)
    if event.customer_id:
        ops.refresh_invoices(event.customer_id)


def _on_subscription_changed(event: StripeEvent) -> None:
    assert event.subscription_id is not None
    ops.sync_subscription(event.subscription_id)


def _on_invoice_paid(event: StripeEvent) -> None:
    assert event.object_id is not None
    ops.sync_invoice(event.object_id)


def _on_invoice_payment_failed(event: StripeEvent) -> None:
    assert event.object_id is not None
    invoice = ops.sync_invoice(event.object_id)
    status = billing_status()
    notify_owners("payment_failed", invoice=invoice, grace_ends_at=status.grace_ends_at)


def _on_trial_will_end(event: StripeEvent) -> None:
    assert event.subscription_id is not None
    account = ops.sync_subscription(event.subscription_id)
    notify_owners("trial_will_end", trial_end=account.trial_end)


HANDLERS: dict[str, Callable[[StripeEvent], None]] = {
    "checkout.session.completed": _on_checkout_completed,
    "customer.subscription.created": _on_subscription_changed,
    "customer.subscription.updated": _on_subscription_changed,
    "customer.subscription.deleted": _on_subscription_changed,
    "customer.subscription.trial_will_end": _on_trial_will_end,
    "invoice.paid": _on_invoice_paid,
    "invoice.payment_failed": _on_invoice_payment_failed,
}


def process_event(event_id: uuid.UUID) -> str:
    """Apply one stored event in its tenant; safe to run twice (the second run finds it processed)."""
    event = db.session.get(StripeEvent, event_id, with_for_update=True)
    if event is None or event.status != "received":
        return event.status if event else "missing"
    event.attempts += 1
    tenant_id = ops.customer_tenant(event.customer_id)
    if tenant_id is None:
        log.warning(
            "Stripe event %s (%s): no tenant has customer %s", event.stripe_event_id, event.type, event.customer_id
        )
        event.status, event.processed_at = "unmatched", utcnow()
        return event.status
    event.tenant_id = tenant_id
    try:
        _apply(event, tenant_id)
    except BillingProviderError as error:
        if error.transient:
            raise  # Stripe is having trouble: RQ retries, and the sweep after that
        # Stripe refused for good (say, the object is gone): retrying cannot help, so say so and stop.
        log.error("Stripe event %s (%s) cannot be applied: %s", event.stripe_event_id, event.type, error)
        event.status, event.last_error, event.processed_at = "failed", str(error)[:500], utcnow()
        return event.status
    event.status, event.processed_at = "processed", utcnow()
    return event.status


def _apply(event: StripeEvent, tenant_id: uuid.UUID) -> None:
    """Run the event's handler in its tenant, all or nothing (a savepoint), flushed inside the scope."""
    with tenant_scope(tenant_id), db.session.begin_nested():
        HANDLERS[event.type](event)
        db.session.flush()


def event_job_id(event_id: uuid.UUID) -> str:
    return f"stripe-event-{event_id}"


# An event still waiting after this long is processed again by the reconciler, whatever its job's state.
STALE_EVENT = timedelta(minutes=10)


def unprocessed_event_jobs(now: datetime, cutoff: datetime) -> list[DeferredJob]:
    """A source of the reconciler: the processing jobs of events still waiting since before ``cutoff`` and
    at least STALE_EVENT (their job was lost with Redis, or Stripe has been failing through the retries).

    The job id names the minute, not only the event: a run while RQ's own retry still waits (backing off
    up to an hour) is wanted, and harmless, since processing locks the event row and runs once.
    """
    cutoff = min(cutoff, now - STALE_EVENT)
    query = select(StripeEvent.id).where(StripeEvent.status == "received", StripeEvent.received_at <= cutoff)
    waiting = db.session.execute(query.order_by(StripeEvent.received_at).limit(RECONCILE_BATCH)).scalars()
    minute = int(now.timestamp()) // 60
    return [
        DeferredJob("billing.process_event", (str(event_id),), f"{event_job_id(event_id)}-{minute}")
        for event_id in waiting
    ]


def prune_settled_events(older_than: timedelta = timedelta(days=30)) -> int:
    """Forget settled events after a while: Stripe stops redelivering an event after three days."""
    cutoff = utcnow() - older_than
    settled = StripeEvent.status.in_(("processed", "ignored", "unmatched", "failed"))
    result = db.session.execute(delete(StripeEvent).where(settled, StripeEvent.received_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]
