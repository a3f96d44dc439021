"""Webhook jobs (delivery is implemented in service/webhooks/delivery.py)."""

from __future__ import annotations

import uuid

from workers.base import tenant_job


@tenant_job
def deliver(tenant_id: uuid.UUID, delivery_id: str, attempt: int) -> str:
    """Make attempt number ``attempt`` of one delivery; schedules the next one on failure."""
    from service.webhooks.delivery import attempt_delivery

    return attempt_delivery(uuid.UUID(delivery_id), int(attempt))
