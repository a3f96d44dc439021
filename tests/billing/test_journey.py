"""The whole way, as the issue's "done when" says: a tenant subscribes, is billed for its usage exactly
once, reaches its limit, falls past due and becomes read-only, and recovers by paying."""

from __future__ import annotations

import uuid

from flask import jsonify
from flask.typing import ResponseReturnValue

from service.billing.limits import require_within_plan
from service.billing.usage import record_usage
from service.extensions import csrf, db
from service.models import utcnow
from tenants.roles import Role
from tests.billing.support import deliver, grace_over
from tests.factories import bearer
from workers.schedule import enqueue_due


def test_subscribe_use_reach_the_limit_fall_past_due_and_recover(
    billing_app, billing_client, billing_jobs, fake_stripe, seed, redis
):
    def seal(contract: str) -> ResponseReturnValue:  # what the contracts capability will do when sealing
        require_within_plan("sealed_contract")
        record_usage("sealed_contract", contract)
        db.session.commit()
        return jsonify({"sealed": contract}), 201

    billing_app.add_url_rule("/api/v1/test-seal/<contract>", "test_seal", csrf.exempt(seal), methods=["POST"])
    tenant = seed.make_tenant(name="Nordlicht")
    key = seed.make_api_key(tenant.id, Role.OWNER)

    # 1. Subscribe: Checkout, then Stripe's events (the subscription exists at Stripe once paid).
    checkout = billing_client.post("/api/v1/billing/checkout-session", json={"plan": "brand"}, headers=bearer(key))
    assert checkout.status_code == 201
    (session_request,) = fake_stripe.sent("POST", "/v1/checkout/sessions")
    customer_id = session_request.params["customer"]
    session_id = checkout.json["url"].rsplit("/", 1)[1]
    subscription_id = fake_stripe.add_subscription(
        customer_id, "price_test_brand_seat", 2, metered_prices=("price_test_brand_checks",)
    )
    deliver(
        billing_client,
        fake_stripe.event("checkout.session.completed", fake_stripe.completed_checkout(session_id, subscription_id)),
    )
    deliver(
        billing_client, fake_stripe.event("customer.subscription.created", fake_stripe.subscriptions[subscription_id])
    )
    billing_jobs()
    plan = billing_client.get("/api/v1/billing/subscription", headers=bearer(key)).json
    assert (plan["status"], plan["plan"]["key"], plan["access"]) == ("active", "brand", "full")

    # 2. Use it: two sealed contracts (the brand plan's hard limit), each billed once.
    sealed = [billing_client.post(f"/api/v1/test-seal/c-{n}", headers=bearer(key)).status_code for n in range(3)]
    billing_client.post("/api/v1/test-seal/c-0", headers=bearer(key))  # not a new contract: counted once
    enqueue_due(redis, utcnow())
    billing_jobs()
    enqueue_due(redis, utcnow())  # the next minute's sweep finds nothing left to send
    billing_jobs()

    # 3. The limit: the third contract was refused with what to do.
    assert sealed == [201, 201, 402]
    contract_events = [e for e in fake_stripe.meter_events.values() if e["event_name"] == "fairpact_sealed_contract"]
    assert len(contract_events) == 2
    assert len(fake_stripe.sent("POST", "/v1/billing/meter_events")) == 2

    # 4. Past due: the renewal fails; after the grace period the account is read-only.
    fake_stripe.set_subscription(subscription_id, status="past_due")
    failed = fake_stripe.add_invoice(customer_id, subscription_id, status="open")
    deliver(billing_client, fake_stripe.event("invoice.payment_failed", failed))
    billing_jobs()
    assert (
        billing_client.post("/api/v1/api-keys", json={"name": "a", "role": "viewer"}, headers=bearer(key)).status_code
        == 201
    )
    grace_over(billing_app, tenant.id)
    refused = billing_client.post("/api/v1/api-keys", json={"name": "b", "role": "viewer"}, headers=bearer(key))
    assert refused.status_code == 402 and refused.json["code"] == "subscription_past_due"
    assert billing_client.get("/api/v1/billing/usage", headers=bearer(key)).status_code == 200

    # 5. Recover: the owner pays in the portal; Stripe says so; full access is back.
    assert billing_client.post("/api/v1/billing/portal-session", json={}, headers=bearer(key)).status_code == 201
    fake_stripe.set_subscription(subscription_id, status="active")
    paid = fake_stripe.add_invoice(customer_id, subscription_id, status="paid")
    deliver(billing_client, fake_stripe.event("invoice.paid", paid))
    billing_jobs()
    again = billing_client.post("/api/v1/api-keys", json={"name": "c", "role": "viewer"}, headers=bearer(key))
    assert again.status_code == 201
    invoices = billing_client.get("/api/v1/billing/invoices", headers=bearer(key)).json
    assert sorted(i["status"] for i in invoices["items"]) == ["open", "paid"]
    assert uuid.UUID(invoices["items"][0]["id"])
