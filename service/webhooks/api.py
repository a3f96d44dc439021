"""REST operations on webhook endpoints and their deliveries."""

from __future__ import annotations

import uuid
from typing import Any

from service.api import ApiView, PageArgs, api_blueprint, idempotent, page_of, paginate, require_role
from service.webhooks import operations as ops
from service.webhooks.events import EVENT_TYPES
from service.webhooks.queries import deliveries_query, endpoints_query
from service.webhooks.schemas import (
    DeliveryListArgs,
    EventTypeOut,
    WebhookDeliveryDetailOut,
    WebhookDeliveryOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookEndpointWithSecretOut,
)
from tenants.roles import Role

blp = api_blueprint(
    "webhooks",
    "/webhooks",
    "Endpoints that receive this account's events. Each request is a POST of the event as JSON, signed in the "
    "`Fairpact-Signature: t=<unix time>,v1=<hex>` header: HMAC-SHA256 of `<t>.<raw body>` with the endpoint's "
    "secret. Failed attempts (no 2xx answer within the timeout) are retried with backoff for about a day.",
)


def _with_secret(issued: ops.IssuedEndpoint) -> Any:
    issued.endpoint.secret = issued.secret  # transient attribute for this one response
    return issued.endpoint


@blp.route("/event-types")
class EventTypes(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(EventTypeOut))
    def get(self, args: dict) -> Any:
        """List the event types an endpoint can subscribe to"""
        catalog = [{"type": name, "description": text} for name, text in sorted(EVENT_TYPES.items())]
        start = (args["page"] - 1) * args["per_page"]
        return {**args, "items": catalog[start : start + args["per_page"]], "total": len(catalog)}


@blp.route("/endpoints")
class WebhookEndpoints(ApiView):
    @require_role(Role.ADMIN)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(WebhookEndpointOut))
    def get(self, args: dict) -> Any:
        """List webhook endpoints"""
        return paginate(endpoints_query(), **args)

    @require_role(Role.ADMIN)
    @idempotent
    @blp.arguments(WebhookEndpointIn)
    @blp.response(201, WebhookEndpointWithSecretOut)
    def post(self, data: dict) -> Any:
        """Register a webhook endpoint (its signing secret is shown once)"""
        return _with_secret(ops.create_endpoint(data["url"], data["event_types"], data["description"]))


@blp.route("/endpoints/<uuid:endpoint_id>")
class WebhookEndpointById(ApiView):
    @require_role(Role.ADMIN)
    @blp.response(200, WebhookEndpointOut)
    def get(self, endpoint_id: uuid.UUID) -> Any:
        """Get a webhook endpoint"""
        return ops.get_endpoint(endpoint_id)

    @require_role(Role.ADMIN)
    @blp.arguments(WebhookEndpointPatch)
    @blp.response(200, WebhookEndpointOut)
    def patch(self, data: dict, endpoint_id: uuid.UUID) -> Any:
        """Change a webhook endpoint's URL, description, event types or active state"""
        return ops.update_endpoint(endpoint_id, data)

    @require_role(Role.ADMIN)
    @blp.response(204)
    def delete(self, endpoint_id: uuid.UUID) -> None:
        """Delete a webhook endpoint and its delivery log"""
        ops.delete_endpoint(endpoint_id)


@blp.route("/endpoints/<uuid:endpoint_id>/rotate-secret")
class RotateSecret(ApiView):
    @require_role(Role.ADMIN)
    @idempotent
    @blp.response(200, WebhookEndpointWithSecretOut)
    def post(self, endpoint_id: uuid.UUID) -> Any:
        """Replace the signing secret (the new one is shown once and signs every attempt from now on)"""
        return _with_secret(ops.rotate_secret(endpoint_id))


@blp.route("/endpoints/<uuid:endpoint_id>/test")
class SendTestEvent(ApiView):
    @require_role(Role.ADMIN)
    @idempotent
    @blp.response(202, WebhookDeliveryOut)
    def post(self, endpoint_id: uuid.UUID) -> Any:
        """Send a `ping` event to this endpoint"""
        return ops.send_test(endpoint_id)


@blp.route("/endpoints/<uuid:endpoint_id>/deliveries")
class EndpointDeliveries(ApiView):
    @require_role(Role.ADMIN)
    @blp.arguments(DeliveryListArgs, location="query")
    @blp.response(200, page_of(WebhookDeliveryOut))
    def get(self, args: dict, endpoint_id: uuid.UUID) -> Any:
        """List an endpoint's deliveries, newest first"""
        ops.get_endpoint(endpoint_id)  # another tenant's endpoint is a 404, not an empty list
        query = deliveries_query(endpoint_id, args.get("status"), args.get("event_type"))
        return paginate(query, args["page"], args["per_page"])


@blp.route("/deliveries/<uuid:delivery_id>")
class WebhookDeliveryById(ApiView):
    @require_role(Role.ADMIN)
    @blp.response(200, WebhookDeliveryDetailOut)
    def get(self, delivery_id: uuid.UUID) -> Any:
        """Get a delivery with its payload and every attempt's response"""
        return ops.get_delivery(delivery_id)


@blp.route("/deliveries/<uuid:delivery_id>/redeliver")
class Redeliver(ApiView):
    @require_role(Role.ADMIN)
    @idempotent
    @blp.response(202, WebhookDeliveryOut)
    def post(self, delivery_id: uuid.UUID) -> Any:
        """Send a delivered or failed event again (same event id, next attempt number)"""
        return ops.redeliver(delivery_id)
