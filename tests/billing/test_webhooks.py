"""Stripe's webhooks, signed with the SDK's own helper and posted to the real endpoint, processed by a
real worker: valid, forged, stale, duplicated and out-of-order deliveries."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from rq import Queue
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select, update

from service.audit.models import AuditEvent
from service.billing.models import BillingInvoice, StripeEvent
from service.extensions import db
from service.models import utcnow
from tenants.context import tenant_scope, unscoped
from tests.billing.support import account_of, deliver, now_ts, set_account, signature, subscribe
from tests.support.mailbox import body_of
from workers.schedule import enqueue_due

WEBHOOK = "/api/v1/billing/webhook"


def stored_events(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.stripe_event_id, e.status) for e in db.session.execute(select(StripeEvent)).scalars()]


def audit_actions(app, tenant_id, action: str) -> int:
    with app.app_context(), tenant_scope(tenant_id):
        return db.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        ).scalar_one()


@pytest.fixture
def customer(billing_app, fake_stripe, seed):
    """A tenant that started Checkout: it has a Stripe customer, no subscription yet."""
    tenant = seed.make_tenant()
    subscribed = subscribe(billing_app, fake_stripe, tenant.id)
    # Forget the subscription locally: the webhook is what must bring it in.
    set_account(billing_app, tenant.id, stripe_subscription_id=None, subscription_status=None, plan_key=None)
    fake_stripe.requests.clear()
    return tenant, subscribed


def test_checkout_completed_brings_in_the_subscription(
    billing_app, billing_client, billing_jobs, fake_stripe, customer
):
    tenant, subscribed = customer
    first_invoice = fake_stripe.add_invoice(subscribed.customer_id, subscribed.subscription_id, total=9800)
    session = {
        "id": "cs_test_done",
        "object": "checkout.session",
        "mode": "subscription",
        "customer": subscribed.customer_id,
        "subscription": subscribed.subscription_id,
        "client_reference_id": str(tenant.id),
    }
    payload = fake_stripe.event("checkout.session.completed", session)

    response = deliver(billing_client, payload)
    jobs = billing_jobs()

    assert response.status_code == 200 and response.json == {"received": True, "duplicate": False}
    assert jobs == 1
    account = account_of(billing_app, tenant.id)
    assert account["stripe_subscription_id"] == subscribed.subscription_id
    assert (account["subscription_status"], account["plan_key"], account["seats"]) == ("active", "brand", 2)
    assert account["current_period_end"] is not None
    # The state came from Stripe (retrieved), not from the event's body.
    assert [r.path for r in fake_stripe.sent("GET", f"/v1/subscriptions/{subscribed.subscription_id}")]
    assert stored_events(billing_app) == [(json.loads(payload)["id"], "processed")]
    # The invoices come along (the first one was paid in Checkout, before any invoice event).
    (listing,) = fake_stripe.sent("GET", "/v1/invoices")
    assert listing.params == {"customer": subscribed.customer_id, "limit": "24"}
    with billing_app.app_context(), tenant_scope(tenant.id):
        copies = [(i.stripe_invoice_id, i.total) for i in db.session.execute(select(BillingInvoice)).scalars()]
    assert copies == [(first_invoice["id"], 9800)]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Stripe-Signature": "t=1,v1=deadbeef"}, id="garbage"),
        pytest.param("wrong-secret", id="forged"),
        pytest.param("stale", id="stale"),
        pytest.param("tampered", id="tampered"),
    ],
)
def test_unsigned_forged_or_stale_deliveries_are_refused_and_change_nothing(
    billing_app, billing_client, billing_jobs, fake_stripe, customer, headers
):
    tenant, subscribed = customer
    payload = fake_stripe.event("customer.subscription.updated", fake_stripe.subscriptions[subscribed.subscription_id])
    body = payload
    if headers == "wrong-secret":
        headers = signature(payload, secret="whsec_someone_else")
    elif headers == "stale":
        headers = signature(payload, timestamp=now_ts(-3600))  # an hour old: a replay
    elif headers == "tampered":
        headers = signature(payload)
        body = payload.replace('"status": "active"', '"status": "canceled"')

    response = billing_client.post(WEBHOOK, data=body, headers=headers, content_type="application/json")

    assert response.status_code == 400
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert response.json["code"] == "invalid_signature"
    assert billing_jobs() == 0
    assert stored_events(billing_app) == []
    assert account_of(billing_app, tenant.id)["subscription_status"] is None


def test_a_repeated_delivery_has_a_single_effect(billing_app, billing_client, billing_jobs, fake_stripe, customer):
    tenant, subscribed = customer
    payload = fake_stripe.event("customer.subscription.created", fake_stripe.subscriptions[subscribed.subscription_id])
    changes_before = audit_actions(billing_app, tenant.id, "billing.subscription_changed")

    first = deliver(billing_client, payload)
    again = deliver(billing_client, payload)  # Stripe retries when it did not see our 200 in time
    jobs = billing_jobs()
    late = deliver(billing_client, payload)  # and once more after it was processed

    assert first.json == {"received": True, "duplicate": False}
    assert again.status_code == late.status_code == 200
    assert again.json["duplicate"] is late.json["duplicate"] is True
    assert jobs == 1 and billing_jobs() == 0
    assert len(fake_stripe.sent("GET", f"/v1/subscriptions/{subscribed.subscription_id}")) == 1
    assert audit_actions(billing_app, tenant.id, "billing.subscription_changed") == changes_before + 1


def test_events_out_of_order_end_in_stripes_current_state(
    billing_app, billing_client, billing_jobs, fake_stripe, customer
):
    tenant, subscribed = customer
    sub_id = subscribed.subscription_id
    created = fake_stripe.event("customer.subscription.created", fake_stripe.subscriptions[sub_id], now_ts(-120))
    # Later the payment fails: Stripe now says past_due. That event is delivered (and processed) first.
    current = fake_stripe.set_subscription(sub_id, status="past_due")
    invoice = fake_stripe.add_invoice(subscribed.customer_id, sub_id, status="open")
    failed = fake_stripe.event("invoice.payment_failed", invoice, now_ts(-60))
    updated = fake_stripe.event("customer.subscription.updated", current, now_ts(-60))

    for payload in (failed, updated):
        assert deliver(billing_client, payload).status_code == 200
    billing_jobs()
    assert deliver(billing_client, created).status_code == 200  # the oldest event arrives last
    billing_jobs()

    account = account_of(billing_app, tenant.id)
    assert account["subscription_status"] == "past_due", "an old 'active' event must not undo the failure"
    assert account["past_due_since"] is not None


def test_a_deleted_subscription_before_its_update_stays_cancelled(
    billing_app, billing_client, billing_jobs, fake_stripe, customer
):
    tenant, subscribed = customer
    sub_id = subscribed.subscription_id
    update = fake_stripe.event("customer.subscription.updated", fake_stripe.subscriptions[sub_id], now_ts(-60))
    ended = fake_stripe.set_subscription(sub_id, status="canceled", ended_at=now_ts())
    deletion = fake_stripe.event("customer.subscription.deleted", ended)

    deliver(billing_client, deletion)
    deliver(billing_client, update)
    billing_jobs()

    assert account_of(billing_app, tenant.id)["subscription_status"] == "canceled"


def test_an_old_subscription_never_replaces_the_live_one(
    billing_app, billing_client, billing_jobs, fake_stripe, customer
):
    tenant, subscribed = customer
    old = fake_stripe.add_subscription(subscribed.customer_id, "price_test_agency_seat", 3, status="canceled")
    deliver(
        billing_client,
        fake_stripe.event("customer.subscription.created", fake_stripe.subscriptions[subscribed.subscription_id]),
    )
    billing_jobs()
    deliver(billing_client, fake_stripe.event("customer.subscription.deleted", fake_stripe.subscriptions[old]))
    billing_jobs()

    account = account_of(billing_app, tenant.id)
    assert (account["stripe_subscription_id"], account["subscription_status"]) == (subscribed.subscription_id, "active")


def test_payment_failed_then_paid_tells_the_owner_and_recovers(
    billing_app, billing_client, billing_jobs, fake_stripe, customer, mailbox
):
    tenant, subscribed = customer
    sub_id = subscribed.subscription_id
    fake_stripe.set_subscription(sub_id, status="past_due")
    invoice = fake_stripe.add_invoice(subscribed.customer_id, sub_id, status="open", total=5800)

    deliver(billing_client, fake_stripe.event("invoice.payment_failed", invoice))
    billing_jobs()  # processes the event, then sends the owner's email
    mailbox.wait_for(1)
    failed_state = account_of(billing_app, tenant.id)

    paid = fake_stripe.add_invoice(subscribed.customer_id, sub_id, status="paid", total=5800)
    fake_stripe.invoices[invoice["id"]]["status"] = "void"
    fake_stripe.set_subscription(sub_id, status="active")
    deliver(billing_client, fake_stripe.event("invoice.paid", paid))
    billing_jobs()

    assert failed_state["subscription_status"] == "past_due" and failed_state["past_due_since"] is not None
    (message,) = mailbox.to(tenant.owner.email)
    text = body_of(message)  # in the account's language (German by default)
    assert message["Subject"] == f"Fairpact: Eine Zahlung für {tenant.name} ist fehlgeschlagen"
    assert "58,00\xa0€" in text and "http://fairpact.test/settings/billing" in text
    recovered = account_of(billing_app, tenant.id)
    assert recovered["subscription_status"] == "active" and recovered["past_due_since"] is None
    with billing_app.app_context(), tenant_scope(tenant.id):
        invoices = {i.stripe_invoice_id: i.status for i in db.session.execute(select(BillingInvoice)).scalars()}
    assert invoices == {invoice["id"]: "open", paid["id"]: "paid"}


def test_trial_will_end_reminds_the_owner(billing_app, billing_client, billing_jobs, fake_stripe, customer, mailbox):
    tenant, subscribed = customer
    trialing = fake_stripe.set_subscription(subscribed.subscription_id, status="trialing", trial_end=now_ts(3 * 86400))

    deliver(billing_client, fake_stripe.event("customer.subscription.trial_will_end", trialing))
    billing_jobs()
    mailbox.wait_for(1)

    (message,) = mailbox.to(tenant.owner.email)
    assert message["Subject"] == f"Fairpact: Die Testphase von {tenant.name} endet bald"
    assert account_of(billing_app, tenant.id)["subscription_status"] == "trialing"


def test_unknown_event_types_are_acknowledged_and_ignored(billing_app, billing_client, billing_jobs, fake_stripe):
    payload = fake_stripe.event("charge.refunded", {"id": "ch_1", "object": "charge", "customer": "cus_x"})

    response = deliver(billing_client, payload)

    assert response.status_code == 200 and response.json["duplicate"] is False
    assert billing_jobs() == 0
    assert stored_events(billing_app) == [(json.loads(payload)["id"], "ignored")]


def test_an_event_for_a_customer_of_no_tenant_is_kept_as_unmatched(
    billing_app, billing_client, billing_jobs, fake_stripe
):
    stranger = fake_stripe.add_customer()
    sub = fake_stripe.add_subscription(stranger, "price_test_brand_seat")
    payload = fake_stripe.event("customer.subscription.updated", fake_stripe.subscriptions[sub])

    deliver(billing_client, payload)
    billing_jobs()

    assert stored_events(billing_app) == [(json.loads(payload)["id"], "unmatched")]
    with billing_app.app_context(), unscoped("test: nothing was written for any tenant"):
        assert db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == 0


def test_a_failed_stripe_call_leaves_the_event_to_be_retried(
    billing_app, billing_client, billing_jobs, fake_stripe, customer, redis
):
    tenant, subscribed = customer
    fake_stripe.fail_next("GET", "/v1/subscriptions/", status=500)
    payload = fake_stripe.event("customer.subscription.updated", fake_stripe.subscriptions[subscribed.subscription_id])

    deliver(billing_client, payload)
    billing_jobs()

    assert stored_events(billing_app) == [(json.loads(payload)["id"], "received")]
    assert len(ScheduledJobRegistry(queue=Queue("high", connection=redis))) == 1, "RQ retries it with backoff"

    # Ten minutes later (the row is moved back in time) the sweep, queued by the worker's ticker every
    # five minutes, picks up events still waiting, whatever happened to their job.
    with billing_app.app_context():
        db.session.execute(update(StripeEvent).values(received_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
    enqueue_due(redis, utcnow())
    billing_jobs()

    assert stored_events(billing_app) == [(json.loads(payload)["id"], "processed")]
    assert account_of(billing_app, tenant.id)["subscription_status"] == "active"


def test_an_event_stripe_cannot_resolve_is_marked_failed_not_retried_forever(
    billing_app, billing_client, billing_jobs, fake_stripe, customer
):
    tenant, subscribed = customer
    gone = {"id": "sub_gone", "object": "subscription", "customer": subscribed.customer_id, "status": "active"}
    payload = fake_stripe.event("customer.subscription.updated", gone)

    deliver(billing_client, payload)
    billing_jobs()

    with billing_app.app_context():
        event = db.session.execute(select(StripeEvent)).scalar_one()
        assert (event.status, event.tenant_id) == ("failed", tenant.id)
        assert "404" in (event.last_error or "")
    assert account_of(billing_app, tenant.id)["subscription_status"] is None


def test_settled_events_are_forgotten_after_a_month(billing_app, billing_client, billing_jobs, fake_stripe, redis):
    old, recent = (fake_stripe.event("charge.refunded", {"id": f"ch_{n}", "object": "charge"}) for n in (1, 2))
    deliver(billing_client, old)
    deliver(billing_client, recent)
    with billing_app.app_context():
        stale = StripeEvent.stripe_event_id == json.loads(old)["id"]
        db.session.execute(update(StripeEvent).where(stale).values(received_at=utcnow() - timedelta(days=31)))
        db.session.commit()

    enqueue_due(redis, utcnow())
    billing_jobs()

    assert stored_events(billing_app) == [(json.loads(recent)["id"], "ignored")]


def test_the_endpoint_answers_400_when_billing_is_off(client, fake_stripe):
    payload = fake_stripe.event("customer.subscription.updated", {"id": "sub_1", "object": "subscription"})

    response = client.post(WEBHOOK, data=payload, headers=signature(payload), content_type="application/json")

    assert response.status_code == 400 and response.json["code"] == "invalid_signature"
