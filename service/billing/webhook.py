"""``POST /api/v1/billing/webhook``: where Stripe delivers its events.

Public (Stripe has no API key; the signature is the credential), outside the documented client API,
exempt from CSRF (no browser session is involved), and quick: it verifies, stores the event id and
answers; a worker does the rest. A missing, forged or stale signature gets 400 and changes nothing.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from service.billing.events import receive_event
from service.billing.gateway import WebhookSignatureInvalid
from service.errors import AppError
from service.extensions import csrf, db

log = logging.getLogger(__name__)

bp = Blueprint("billing_webhook", __name__, url_prefix="/api/v1/billing")


class InvalidSignature(AppError):
    status_code = 400
    code = "invalid_signature"


@bp.post("/webhook")
@csrf.exempt
def stripe_webhook() -> ResponseReturnValue:
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
    return jsonify({"received": True, "duplicate": receipt.duplicate}), 200
