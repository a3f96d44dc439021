"""``POST /api/v1/billing/webhook``: where Stripe delivers its events.

Public (Stripe has no API key; the signature is the credential), documented as a public operation
(``security: []``), exempt from CSRF (no browser session is involved), and quick: it verifies, stores the event id and
answers; a worker does the rest. A missing, forged or stale signature gets 400 and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint

from service.api import API_PREFIX, OutputSchema, public_operation
from service.billing.events import receive_event
from service.billing.gateway import WebhookSignatureInvalid
from service.errors import AppError
from service.extensions import csrf, db

log = logging.getLogger(__name__)

blp = Blueprint(
    "billing_webhook",
    __name__,
    url_prefix=f"{API_PREFIX}/billing",
    description="Where Stripe delivers its events (signed with the endpoint's secret).",
)

EVENT_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Stripe-Signature",
            "required": True,
            "schema": {"type": "string"},
            "description": "Stripe's signature of the body with this endpoint's webhook secret",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object", "description": "A Stripe event, as sent"}}},
    },
}


class ReceiptOut(OutputSchema):
    received = ma.fields.Boolean(required=True)
    duplicate = ma.fields.Boolean(required=True, metadata={"description": "This event id was received before"})


class InvalidSignature(AppError):
    status_code = 400
    code = "invalid_signature"


@blp.route("/webhook", methods=["POST"])
@public_operation(
    "Public: no API key; the Stripe-Signature header is the credential. A missing, forged or stale signature "
    "is a 400 and nothing is stored."
)
@blp.doc(**EVENT_DOC)
@blp.response(200, ReceiptOut)
@csrf.exempt
def stripe_webhook() -> Any:
    """Receive a Stripe event (verified, stored once, processed by a worker)"""
    try:
        receipt = receive_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except WebhookSignatureInvalid as problem:
        log.warning("refused a Stripe webhook from %s: %s", request.remote_addr, problem)
        raise InvalidSignature(
            "The Stripe-Signature header is missing, does not match this endpoint's secret, or is too old; "
            "nothing was stored.",
            {"Stripe-Signature": ["Invalid or missing signature."]},
        ) from None
    db.session.commit()
    return {"received": True, "duplicate": receipt.duplicate}
