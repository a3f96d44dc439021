"""Webhook jobs (delivery is implemented in service/webhooks/delivery.py)."""

from __future__ import annotations

import uuid

from workers.base import system_job, tenant_job


@tenant_job
def deliver(tenant_id: uuid.UUID, delivery_id: str, attempt: int) -> str:
    """Make attempt number ``attempt`` of one delivery; schedules the next one on failure."""
    from service.webhooks.delivery import attempt_delivery

    return attempt_delivery(uuid.UUID(delivery_id), int(attempt))


@system_job
def sweep_due() -> int:
    """Queue deliveries whose next attempt is due (a backstop for scheduled retries lost by Redis)."""
    from service.webhooks.delivery import enqueue_due_deliveries

    return enqueue_due_deliveries()
