"""Making delivery attempts: sign, POST, log the response, and schedule the next attempt with backoff.

Each attempt is a job (``webhooks.deliver``) for one delivery and one attempt number. The job
logs the attempt and schedules the next one itself, instead of raising for RQ's retry, so the
attempt log commits even when the endpoint failed. A job that runs twice, or late, finds the
attempt already made and does nothing. The reconciler queues again attempts whose job was lost.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from service.extensions import db
from service.jobs import RECONCILE_BATCH, DeferredJob, defer
from service.models import utcnow
from service.outbound.transport import HttpOutcome, post_json
from service.security import decrypt_text
from service.webhooks.models import WebhookAttempt, WebhookDelivery
from service.webhooks.signing import SIGNATURE_HEADER, signature_header
from tenants.context import unscoped

# Seconds to wait after failed attempt 1, 2, ...: about 21 hours in all, then the delivery fails.
# Each wait stays below the job kind's 24-hour TTL, so a scheduled attempt cannot expire in Redis.
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
USER_AGENT = "Fairpact-Webhooks/1"

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def job_id_for(delivery_id: uuid.UUID, attempt: int) -> str:
    return f"webhook-{delivery_id}-{attempt}"


def queue_attempt(delivery: WebhookDelivery, attempt: int, delay: timedelta | None = None) -> None:
    """Run attempt number ``attempt`` of ``delivery`` after the current transaction commits."""
    defer(
        "webhooks.deliver",
        delivery.tenant_id,
        delivery.id,
        attempt,
        job_id=job_id_for(delivery.id, attempt),
        delay=delay,
    )


def encode_body(payload: dict) -> bytes:
    # Compact and key-sorted, so the same event is byte-identical on every attempt.
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def _lock_delivery(delivery_id: uuid.UUID) -> WebhookDelivery | None:
    # The row lock makes a duplicate job for the same attempt wait, then find the attempt made.
    statement = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update(of=WebhookDelivery)
    return db.session.execute(statement).unique().scalar_one_or_none()


def _request_headers(delivery: WebhookDelivery, attempt: int, body: bytes, now: datetime) -> dict[str, str]:
    secret = decrypt_text(delivery.endpoint.secret_encrypted)
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Fairpact-Event-Id": str(delivery.event_id),
        "Fairpact-Event-Type": delivery.event_type,
        "Fairpact-Delivery-Id": str(delivery.id),
        "Fairpact-Delivery-Attempt": str(attempt),
        SIGNATURE_HEADER: signature_header(secret, int(now.timestamp()), body),
    }


def _send(delivery: WebhookDelivery, attempt: int) -> HttpOutcome:
    body = encode_body(delivery.payload)
    headers = _request_headers(delivery, attempt, body, utcnow())
    config = current_app.config
    return post_json(
        delivery.endpoint.url,
        body,
        headers,
        timeout=config["WEBHOOK_TIMEOUT_SECONDS"],
        allow_loopback=config["WEBHOOK_ALLOW_LOOPBACK"],
    )


def _log_attempt(delivery: WebhookDelivery, attempt: int, outcome: HttpOutcome) -> None:
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            number=attempt,
            status_code=outcome.status_code,
            response_excerpt=outcome.response_excerpt,
            error=outcome.error or (None if outcome.succeeded else f"endpoint answered {outcome.status_code}"),
            duration_ms=outcome.duration_ms,
        )
    )


def _settle(delivery: WebhookDelivery, attempt: int, succeeded: bool) -> str:
    """Mark the delivery done, failed for good, or due again after the backoff for ``attempt``."""
    now = utcnow()
    if succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DELIVERED, now, None
        return DELIVERED
    if attempt >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = FAILED, None
        return FAILED
    delay = timedelta(seconds=RETRY_DELAYS[attempt - 1])
    delivery.next_attempt_at = now + delay
    queue_attempt(delivery, attempt + 1, delay)
    return f"retry in {int(delay.total_seconds())}s"


def attempt_delivery(delivery_id: uuid.UUID, attempt: int) -> str:
    """Make attempt ``attempt`` of one delivery (in the delivery's tenant scope); returns what happened."""
    delivery = _lock_delivery(delivery_id)
    if delivery is None:
        return "gone"  # the endpoint was deleted meanwhile, and its deliveries with it
    if delivery.status != PENDING or attempt != delivery.attempt_count + 1:
        return f"skipped: attempt {attempt} is not due (status {delivery.status}, {delivery.attempt_count} made)"
    if not delivery.endpoint.active:
        delivery.status, delivery.next_attempt_at = FAILED, None
        return "endpoint disabled"
    outcome = _send(delivery, attempt)
    delivery.attempt_count = attempt
    _log_attempt(delivery, attempt, outcome)
    return _settle(delivery, attempt, outcome.succeeded)


def overdue_attempts(cutoff: datetime) -> list[DeferredJob]:
    """The jobs of pending attempts due before ``cutoff``, across all tenants (a source of the reconciler)."""
    # Across tenants: it only reads ids to hand to jobs that run in each delivery's tenant.
    with unscoped("find overdue webhook deliveries of every tenant"):
        due = db.session.execute(
            select(WebhookDelivery.id, WebhookDelivery.tenant_id, WebhookDelivery.attempt_count)
            .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= cutoff)
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(RECONCILE_BATCH)
        ).all()
    return [
        DeferredJob(
            "webhooks.deliver",
            (str(row.tenant_id), str(row.id), row.attempt_count + 1),
            job_id_for(row.id, row.attempt_count + 1),
        )
        for row in due
    ]
