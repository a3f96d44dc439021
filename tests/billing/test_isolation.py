"""Billing across tenants, with billing on: an owner sees only their own account, usage and invoices,
and a Stripe event about one tenant's customer changes only that tenant."""

from __future__ import annotations

from sqlalchemy import select

from service.billing.models import BillingAccount
from service.extensions import db
from tenants.context import tenant_scope
from tenants.models import TenantKind
from tenants.roles import Role
from tests.billing.support import account_of, deliver, seed_billing, subscribe
from tests.factories import bearer
from tests.support.web import sign_in


def test_an_owner_sees_only_their_own_billing(billing_app, billing_client, fake_stripe, seed):
    victim = seed.make_tenant(TenantKind.AGENCY, name="Victim Agency")
    victim_client = seed.make_client(victim.id, "Victim Client Geheim")
    with billing_app.app_context():
        seed_billing(victim.id, victim_client, "cus_victimgeheim")
        db.session.commit()
    attacker = seed.make_tenant(TenantKind.AGENCY, name="Attacker Agency")
    subscribe(billing_app, fake_stripe, attacker.id, plan="agency", quantity=3)
    key = seed.make_api_key(attacker.id, Role.OWNER)
    sign_in(billing_client, attacker.owner.email)

    answers = [
        billing_client.get(path, headers=bearer(key))
        for path in ("/api/v1/billing/subscription", "/api/v1/billing/usage", "/api/v1/billing/invoices")
    ]
    answers += [billing_client.get("/settings/billing"), billing_client.get("/settings/billing/usage.csv")]

    for response in answers:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        for secret in ("cus_victimgeheim", "NR-cus_victimgeheim", "Victim Client Geheim", "Victim Agency"):
            assert secret not in text, f"{response.request.path} leaked {secret}"
    assert answers[2].json["total"] == 0


def test_an_event_changes_only_the_customers_tenant(billing_app, billing_client, billing_jobs, fake_stripe, seed):
    one, other = seed.make_tenant(), seed.make_tenant()
    first = subscribe(billing_app, fake_stripe, one.id)
    subscribe(billing_app, fake_stripe, other.id)
    before = account_of(billing_app, other.id)

    ended = fake_stripe.set_subscription(first.subscription_id, status="canceled")
    deliver(billing_client, fake_stripe.event("customer.subscription.deleted", ended))
    billing_jobs()

    assert account_of(billing_app, one.id)["subscription_status"] == "canceled"
    after = account_of(billing_app, other.id)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    with billing_app.app_context(), tenant_scope(other.id):
        assert db.session.execute(select(BillingAccount.subscription_status)).scalar_one() == "active"
