"""Reading webhook endpoints and their deliveries, newest first (always within the current tenant)."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from service.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoints_query() -> Select[tuple[WebhookEndpoint]]:
    return select(WebhookEndpoint).order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id)


def deliveries_query(
    endpoint_id: uuid.UUID, status: str | None = None, event_type: str | None = None
) -> Select[tuple[WebhookDelivery]]:
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
    )
    if status:
        query = query.where(WebhookDelivery.status == status)
    if event_type:
        query = query.where(WebhookDelivery.event_type == event_type)
    return query
