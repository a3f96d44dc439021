"""Webhook input and output schemas. The signing secret appears only when it is created or rotated."""

from __future__ import annotations

import marshmallow as ma

from service.api import InputSchema, OutputSchema, PageArgs, StrictBoolean
from service.webhooks.delivery import DELIVERED, FAILED, PENDING
from service.webhooks.events import EVENT_TYPES

_EVENT_TYPE = ma.fields.String(validate=ma.validate.OneOf(sorted(EVENT_TYPES)))
_URL_DOC = "Where events are POSTed: a public https:// URL (http:// is accepted outside production)."


class EventTypeOut(OutputSchema):
    type = ma.fields.String(dump_only=True)
    description = ma.fields.String(dump_only=True)


class WebhookEndpointOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    url = ma.fields.String(dump_only=True)
    description = ma.fields.String(dump_only=True)
    event_types = ma.fields.List(ma.fields.String(), dump_only=True)
    active = StrictBoolean(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class WebhookEndpointWithSecretOut(WebhookEndpointOut):
    secret = ma.fields.String(
        dump_only=True,
        metadata={"description": "The signing secret. Shown once; store it now and verify every request with it."},
    )


class WebhookEndpointIn(InputSchema):
    url = ma.fields.String(
        required=True, validate=ma.validate.Length(min=1, max=2000), metadata={"description": _URL_DOC}
    )
    event_types = ma.fields.List(_EVENT_TYPE, required=True, validate=ma.validate.Length(min=1, max=len(EVENT_TYPES)))
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))


class WebhookEndpointPatch(InputSchema):
    url = ma.fields.String(validate=ma.validate.Length(min=1, max=2000), metadata={"description": _URL_DOC})
    event_types = ma.fields.List(_EVENT_TYPE, validate=ma.validate.Length(min=1, max=len(EVENT_TYPES)))
    description = ma.fields.String(validate=ma.validate.Length(max=200))
    active = StrictBoolean(
        truthy={True}, falsy={False}, metadata={"description": "false stops deliveries, including queued retries."}
    )


class WebhookAttemptOut(OutputSchema):
    number = ma.fields.Integer(dump_only=True)
    status_code = ma.fields.Integer(dump_only=True, allow_none=True)
    response_excerpt = ma.fields.String(dump_only=True, allow_none=True)
    error = ma.fields.String(dump_only=True, allow_none=True)
    duration_ms = ma.fields.Integer(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class WebhookDeliveryOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    endpoint_id = ma.fields.UUID(dump_only=True)
    event_id = ma.fields.UUID(dump_only=True)
    event_type = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True, metadata={"enum": [PENDING, DELIVERED, FAILED]})
    attempt_count = ma.fields.Integer(dump_only=True)
    next_attempt_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    delivered_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    payload = ma.fields.Dict(dump_only=True, metadata={"description": "The JSON body sent on every attempt."})
    attempts = ma.fields.List(ma.fields.Nested(WebhookAttemptOut), dump_only=True)


class DeliveryListArgs(PageArgs):
    status = ma.fields.String(validate=ma.validate.OneOf([PENDING, DELIVERED, FAILED]))
    event_type = _EVENT_TYPE
