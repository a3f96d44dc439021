"""Past due: a grace period, then read-only (402 on every write, reads and exports still work, nothing
deleted), signing still possible, and full access back as soon as the invoice is paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from service.billing.read_only import allowed_when_read_only
from service.extensions import csrf
from service.web.pages import creator_required
from tenants.models import TenantKind
from tenants.roles import Role
from tests.billing.support import deliver, grace_over, set_account, subscribe
from tests.factories import bearer
from tests.support.web import sign_in
from tests.web.helpers import html, link_in, path_of, submit

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


@pytest.fixture
def past_due(billing_app, billing_client, billing_jobs, fake_stripe, seed):
    """An agency whose payment just failed (the webhook went through the worker)."""
    agency = seed.make_tenant(TenantKind.AGENCY, name="Kollektiv Nord")
    subscribed = subscribe(billing_app, fake_stripe, agency.id, plan="agency", quantity=3)
    fake_stripe.set_subscription(subscribed.subscription_id, status="past_due")
    invoice = fake_stripe.add_invoice(subscribed.customer_id, subscribed.subscription_id, status="open")
    assert deliver(billing_client, fake_stripe.event("invoice.payment_failed", invoice)).status_code == 200
    billing_jobs()
    return agency, subscribed, seed.make_api_key(agency.id, Role.OWNER)


@pytest.fixture
def sign_routes(billing_app: Flask) -> None:
    """Stand-ins for the contract signing routes: one for a creator, one a tenant keeps open on purpose.
    (Registered before the app's first request, as Flask requires.)"""
    app = billing_app

    @creator_required
    def creator_signs(contract: str) -> ResponseReturnValue:
        return jsonify({"signed": contract})

    @allowed_when_read_only
    def countersign(contract: str) -> ResponseReturnValue:
        return jsonify({"countersigned": contract})

    app.add_url_rule("/creator/test-sign/<contract>", "test_creator_signs", creator_signs, methods=["POST"])
    app.add_url_rule(
        "/api/v1/test-countersign/<contract>", "test_countersign", csrf.exempt(countersign), methods=["POST"]
    )


def test_writes_work_during_the_grace_period(past_due, billing_client):
    _, _, key = past_due

    response = billing_client.post("/api/v1/clients", json={"name": "Bergquelle"}, headers=bearer(key))

    assert response.status_code == 201


def test_after_the_grace_period_every_write_is_402_and_reads_go_on(billing_app, billing_client, past_due):
    agency, _, key = past_due
    created = billing_client.post("/api/v1/clients", json={"name": "Bergquelle"}, headers=bearer(key))
    grace_over(billing_app, agency.id)

    refused = [
        billing_client.post("/api/v1/clients", json={"name": "Neu"}, headers=bearer(key)),
        billing_client.patch(f"/api/v1/clients/{created.json['id']}", json={"name": "X"}, headers=bearer(key)),
        billing_client.post("/api/v1/api-keys", json={"name": "k", "role": "viewer"}, headers=bearer(key)),
    ]
    reads = [
        billing_client.get("/api/v1/clients", headers=bearer(key)),
        billing_client.get(f"/api/v1/clients/{created.json['id']}", headers=bearer(key)),
        billing_client.get("/api/v1/billing/subscription", headers=bearer(key)),
        billing_client.get("/api/v1/billing/usage", headers=bearer(key)),
    ]

    for response in refused:
        assert response.status_code == 402
        assert set(response.json) == {"code", "status", "message", "errors"}
        assert response.json["code"] == "subscription_past_due"
        assert "read-only" in response.json["message"] and "nothing is deleted" in response.json["message"]
    assert [r.status_code for r in reads] == [200, 200, 200, 200]
    assert reads[0].json["items"][0]["name"] == "Bergquelle", "nothing was deleted"
    subscription = reads[2].json
    assert (subscription["access"], subscription["read_only_reason"]) == ("read_only", "subscription_past_due")


def test_the_owner_can_still_pay(billing_app, billing_client, fake_stripe, past_due):
    agency, _, key = past_due
    grace_over(billing_app, agency.id)

    portal = billing_client.post("/api/v1/billing/portal-session", json={}, headers=bearer(key))

    assert portal.status_code == 201


def test_the_web_pages_refuse_writes_with_a_page_that_explains(billing_app, billing_client, past_due):
    agency, _, _ = past_due
    grace_over(billing_app, agency.id)
    sign_in(billing_client, agency.owner.email)

    refused = submit(billing_client, "/settings/api-keys", {"name": "k", "role": "viewer", "expires_in_days": "30"})
    german = submit(
        billing_client, "/settings/members/invite", {"email": "a@example.com", "role": "viewer"}, headers=GERMAN
    )
    language = submit(billing_client, "/language", {"language": "en"}, page="/settings/billing")
    billing_page = billing_client.get("/settings/billing")
    usage_csv = billing_client.get("/settings/billing/usage.csv")

    assert refused.status_code == 402
    assert "This account is read-only" in html(refused) and "billing page" in html(refused)
    assert german.status_code == 402 and "Dieses Konto kann nur gelesen werden" in html(german)
    assert language.status_code == 302, "switching the language changes no data"
    assert billing_page.status_code == 200 and "This account is read-only" in html(billing_page)
    assert usage_csv.status_code == 200, "exports keep working"
    signed_out = submit(billing_client, "/logout", page="/settings/billing")
    assert signed_out.status_code == 302 and billing_client.get("/settings/billing").status_code == 302


def test_creators_can_still_sign_and_routes_can_opt_in(
    sign_routes, billing_app, billing_client, billing_jobs, past_due, seed, mailbox
):
    agency, _, key = past_due
    grace_over(billing_app, agency.id)
    creator = seed.make_creator(agency.id)
    creator_browser = billing_app.test_client()
    submit(creator_browser, "/creator/login", {"email": creator.email})
    billing_jobs()
    submit(creator_browser, path_of(link_in(mailbox, creator.email)))

    signed = submit(creator_browser, "/creator/test-sign/contract-1", page="/creator")
    countersigned = billing_client.post("/api/v1/test-countersign/contract-1", headers=bearer(key))

    assert signed.status_code == 200 and signed.json == {"signed": "contract-1"}
    assert countersigned.status_code == 200


def test_paying_restores_full_access(billing_app, billing_client, billing_jobs, fake_stripe, past_due):
    agency, subscribed, key = past_due
    grace_over(billing_app, agency.id)
    assert billing_client.post("/api/v1/clients", json={"name": "A"}, headers=bearer(key)).status_code == 402

    fake_stripe.set_subscription(subscribed.subscription_id, status="active")
    paid = fake_stripe.add_invoice(subscribed.customer_id, subscribed.subscription_id, status="paid")
    deliver(billing_client, fake_stripe.event("invoice.paid", paid))
    billing_jobs()

    assert billing_client.post("/api/v1/clients", json={"name": "A"}, headers=bearer(key)).status_code == 201


def test_the_grace_period_is_configurable(app, make_app, fake_stripe, seed):
    from stripe import StripeClient

    from service.billing.gateway import install_stripe_client
    from tests.billing.conftest import TEST_PLANS, WEBHOOK_SECRET
    from tests.billing.fake_stripe import API_KEY

    strict = make_app(
        STRIPE_SECRET_KEY=API_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        BILLING_PLANS_FILE=str(TEST_PLANS),
        BILLING_GRACE_DAYS="2",
    )
    install_stripe_client(strict, StripeClient(API_KEY, http_client=fake_stripe, max_network_retries=0))
    tenant = seed.make_tenant()
    subscribe(strict, fake_stripe, tenant.id, status="past_due")
    key = seed.make_api_key(tenant.id, Role.OWNER)
    client = strict.test_client()

    grace_over(strict, tenant.id, days=1)
    within = client.post("/api/v1/api-keys", json={"name": "a", "role": "viewer"}, headers=bearer(key))
    grace_over(strict, tenant.id, days=2)
    after = client.post("/api/v1/api-keys", json={"name": "b", "role": "viewer"}, headers=bearer(key))

    assert (within.status_code, after.status_code) == (201, 402)


def test_a_trial_that_ended_without_a_plan_is_read_only(billing_app, billing_client, seed):
    from sqlalchemy import update

    from service.extensions import db
    from service.models import utcnow
    from tenants.models import Tenant

    tenant = seed.make_tenant()
    key = seed.make_api_key(tenant.id, Role.OWNER)
    with billing_app.app_context():
        db.session.execute(update(Tenant).values(created_at=utcnow() - timedelta(days=15)))
        db.session.commit()

    write = billing_client.post("/api/v1/api-keys", json={"name": "a", "role": "viewer"}, headers=bearer(key))
    checkout = billing_client.post("/api/v1/billing/checkout-session", json={"plan": "brand"}, headers=bearer(key))

    assert write.status_code == 402 and write.json["code"] == "subscription_required"
    assert checkout.status_code == 201, "choosing a plan stays possible"


def test_a_cancelled_subscription_is_read_only_until_a_new_one(billing_app, billing_client, fake_stripe, seed):
    from sqlalchemy import update

    from service.extensions import db
    from service.models import utcnow
    from tenants.models import Tenant

    tenant = seed.make_tenant()
    subscribe(billing_app, fake_stripe, tenant.id, status="canceled")
    with billing_app.app_context():
        db.session.execute(update(Tenant).values(created_at=utcnow() - timedelta(days=40)))
        db.session.commit()
    key = seed.make_api_key(tenant.id, Role.OWNER)

    write = billing_client.post("/api/v1/api-keys", json={"name": "a", "role": "viewer"}, headers=bearer(key))

    assert write.status_code == 402 and write.json["code"] == "subscription_required"
    set_account(billing_app, tenant.id, subscription_status="active")
    again = billing_client.post("/api/v1/api-keys", json={"name": "a", "role": "viewer"}, headers=bearer(key))
    assert again.status_code == 201
