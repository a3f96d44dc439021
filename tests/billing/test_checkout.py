"""Subscribing and managing: Stripe Checkout and the Customer Portal for the tenant's owner.

The real SDK sends every call to FakeStripe, which checks it; here the tests also assert the form
fields and idempotency keys Stripe receives, and that one tenant gets one Stripe customer.
"""

from __future__ import annotations

import re
from datetime import timedelta

from service.extensions import db
from tenants.models import Tenant, TenantKind
from tenants.roles import Role
from tests.billing.support import account_of, subscribe
from tests.factories import bearer
from tests.support.web import sign_in
from tests.web.helpers import html, submit

CHECKOUT = "/api/v1/billing/checkout-session"
PORTAL = "/api/v1/billing/portal-session"


def test_checkout_creates_one_customer_and_a_subscription_session(billing_client, billing_app, fake_stripe, seed):
    tenant = seed.make_tenant(TenantKind.BRAND, name="Bergquelle GmbH")
    key = seed.make_api_key(tenant.id, Role.OWNER)

    first = billing_client.post(CHECKOUT, json={"plan": "brand"}, headers=bearer(key))
    second = billing_client.post(CHECKOUT, json={"plan": "brand"}, headers=bearer(key))

    assert first.status_code == 201, first.json
    assert re.fullmatch(r"https://checkout\.stripe\.com/c/pay/cs_test\d+", first.json["url"])
    assert second.status_code == 201 and second.json["url"] != first.json["url"]
    # One customer, created once, under the tenant's own idempotency key.
    (customer,) = fake_stripe.sent("POST", "/v1/customers")
    assert customer.idempotency_key == f"fairpact-customer-{tenant.id}"
    assert customer.params == {
        "name": "Bergquelle GmbH",
        "preferred_locales[0]": "de",
        "metadata[tenant_id]": str(tenant.id),
        "email": tenant.owner.email,
    }
    customer_id = account_of(billing_app, tenant.id)["stripe_customer_id"]
    assert customer_id in fake_stripe.customers
    sessions = fake_stripe.sent("POST", "/v1/checkout/sessions")
    assert len(sessions) == 2
    assert sessions[0].idempotency_key != sessions[1].idempotency_key
    assert all(s.idempotency_key.startswith(f"fairpact-checkout-{tenant.id}-") for s in sessions)
    trial_end = sessions[0].params.pop("subscription_data[trial_end]")
    assert sessions[0].params == {
        "mode": "subscription",
        "customer": customer_id,
        "client_reference_id": str(tenant.id),
        "line_items[0][price]": "price_test_brand_seat",
        "line_items[0][quantity]": "2",  # the plan's included seats: one member, two seats billed
        "line_items[1][price]": "price_test_brand_checks",  # metered: no quantity
        "success_url": "http://fairpact.test/settings/billing?checkout=success",
        "cancel_url": "http://fairpact.test/settings/billing?checkout=cancelled",
        "metadata[tenant_id]": str(tenant.id),
        "metadata[plan]": "brand",
        "subscription_data[metadata][tenant_id]": str(tenant.id),
        "subscription_data[metadata][plan]": "brand",
        "automatic_tax[enabled]": "true",
        "tax_id_collection[enabled]": "true",
        "customer_update[address]": "auto",
        "customer_update[name]": "auto",
    }
    # Subscribing during the 14-day trial keeps it: Stripe's trial ends when ours would have.
    with billing_app.app_context():
        stored = db.session.get(Tenant, tenant.id)
        assert stored is not None
        trial_ends = stored.created_at + timedelta(days=14)
    assert int(trial_end) == int(trial_ends.timestamp())


def test_tax_settings_come_from_configuration(app, make_app, fake_stripe, seed):
    from stripe import StripeClient

    from service.billing.gateway import install_stripe_client
    from tests.billing.conftest import TEST_PLANS, WEBHOOK_SECRET
    from tests.billing.fake_stripe import API_KEY

    no_tax = make_app(
        STRIPE_SECRET_KEY=API_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        BILLING_PLANS_FILE=str(TEST_PLANS),
        BILLING_AUTOMATIC_TAX="false",
        BILLING_TAX_ID_COLLECTION="false",
    )
    install_stripe_client(no_tax, StripeClient(API_KEY, http_client=fake_stripe, max_network_retries=0))
    tenant = seed.make_tenant()

    response = no_tax.test_client().post(
        CHECKOUT, json={"plan": "brand"}, headers=bearer(seed.make_api_key(tenant.id, Role.OWNER))
    )

    assert response.status_code == 201
    (session,) = fake_stripe.sent("POST", "/v1/checkout/sessions")
    assert session.params["automatic_tax[enabled]"] == "false"
    assert session.params["tax_id_collection[enabled]"] == "false"
    assert "customer_update[address]" not in session.params


def test_portal_session_for_the_owner(billing_client, billing_app, fake_stripe, seed):
    tenant = seed.make_tenant()
    subscribed = subscribe(billing_app, fake_stripe, tenant.id)
    key = seed.make_api_key(tenant.id, Role.OWNER)

    response = billing_client.post(PORTAL, json={}, headers=bearer(key))

    assert response.status_code == 201
    assert response.json["url"].startswith("https://billing.stripe.com/p/session/bps_test")
    (portal,) = fake_stripe.sent("POST", "/v1/billing_portal/sessions")
    assert portal.params == {"customer": subscribed.customer_id, "return_url": "http://fairpact.test/settings/billing"}
    assert portal.idempotency_key.startswith(f"fairpact-portal-{tenant.id}-")
    assert fake_stripe.sent("POST", "/v1/customers") == []  # the existing customer is used


def test_only_owners_manage_billing(billing_client, seed):
    tenant = seed.make_tenant()
    admin = seed.make_api_key(tenant.id, Role.ADMIN)

    for method, path in (("POST", CHECKOUT), ("POST", PORTAL), ("GET", "/api/v1/billing/subscription")):
        response = billing_client.open(path, method=method, json={"plan": "brand"}, headers=bearer(admin))
        assert response.status_code == 403, path
        assert response.json["code"] == "forbidden"


def test_a_subscribed_tenant_changes_plan_in_the_portal_not_in_checkout(billing_client, billing_app, fake_stripe, seed):
    tenant = seed.make_tenant()
    subscribe(billing_app, fake_stripe, tenant.id)

    response = billing_client.post(
        CHECKOUT, json={"plan": "agency"}, headers=bearer(seed.make_api_key(tenant.id, Role.OWNER))
    )

    assert response.status_code == 409
    assert response.json["code"] == "already_subscribed"
    assert fake_stripe.sent("POST", "/v1/checkout/sessions") == []


def test_unknown_plan_and_too_many_members_are_refused_before_stripe(billing_client, fake_stripe, seed):
    tenant = seed.make_tenant()
    key = seed.make_api_key(tenant.id, Role.OWNER)
    unknown = billing_client.post(CHECKOUT, json={"plan": "platinum"}, headers=bearer(key))
    seed.add_member(tenant.id, Role.VIEWER)
    seed.add_member(tenant.id, Role.VIEWER)  # three members; the brand plan has two seats at most
    crowded = billing_client.post(CHECKOUT, json={"plan": "brand"}, headers=bearer(key))

    assert unknown.status_code == 422 and "plan" in unknown.json["errors"]
    assert crowded.status_code == 422 and "2 seats" in crowded.json["message"]
    assert fake_stripe.sent("POST", "/v1/checkout/sessions") == []


def test_stripe_failing_is_a_502_and_keeps_the_customer(billing_client, billing_app, fake_stripe, seed):
    tenant = seed.make_tenant()
    key = seed.make_api_key(tenant.id, Role.OWNER)
    fake_stripe.fail_next("POST", "/v1/checkout/sessions", status=500)

    failed = billing_client.post(CHECKOUT, json={"plan": "brand"}, headers=bearer(key))
    retried = billing_client.post(CHECKOUT, json={"plan": "brand"}, headers=bearer(key))

    assert failed.status_code == 502
    assert set(failed.json) == {"code", "status", "message", "errors"}
    assert failed.json["code"] == "billing_provider_unavailable"
    assert retried.status_code == 201
    assert len(fake_stripe.sent("POST", "/v1/customers")) == 1, "the customer of the failed attempt was kept"


def test_checkout_without_billing_is_a_clear_conflict(client, seed):
    tenant = seed.make_tenant()

    response = client.post(CHECKOUT, json={"plan": "brand"}, headers=bearer(seed.make_api_key(tenant.id, Role.OWNER)))

    assert response.status_code == 409
    assert response.json["code"] == "billing_disabled"


def test_billing_page_buttons_send_the_owner_to_stripe(billing_client, billing_app, fake_stripe, seed):
    tenant = seed.make_tenant()
    sign_in(billing_client, tenant.owner.email)

    page = html(billing_client.get("/settings/billing"))
    checkout = submit(billing_client, "/settings/billing/checkout", {"plan": "brand"}, page="/settings/billing")
    portal = submit(billing_client, "/settings/billing/portal", page="/settings/billing")

    assert "Subscribe to Brand" in page and "Subscribe to Agency" in page
    assert checkout.status_code == 303
    assert checkout.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test")
    assert portal.status_code == 303
    assert portal.headers["Location"].startswith("https://billing.stripe.com/p/session/")
    assert len(fake_stripe.sent("POST", "/v1/customers")) == 1
