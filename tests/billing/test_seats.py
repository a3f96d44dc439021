"""Seats follow the members: joining or leaving changes the subscription's quantity, with prorations."""

from __future__ import annotations

import re

from sqlalchemy import select

from service.audit.models import AuditEvent
from service.extensions import db
from tenants.context import tenant_scope
from tenants.models import TenantKind
from tenants.roles import Role
from tests.billing.support import account_of, subscribe
from tests.factories import bearer
from tests.web.helpers import invite_user, link_in, path_of, submit

SEAT_ITEM = re.compile(r"/v1/subscription_items/si_test\d+")


def join_by_invitation(app, client, jobs, mailbox, tenant_id, email: str) -> None:
    """An invited person accepts through the link in the email, as a new user."""
    invite_user(app, tenant_id, email, Role.VIEWER)
    jobs()  # the invitation email
    response = submit(client, path_of(link_in(mailbox, email)), {"name": "New Member", "password": "x" * 16})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_members_joining_and_leaving_change_the_seats(
    billing_app, billing_client, billing_jobs, fake_stripe, seed, mailbox
):
    agency = seed.make_tenant(TenantKind.AGENCY)
    subscribed = subscribe(billing_app, fake_stripe, agency.id, plan="agency", quantity=3)  # 3 seats included
    for _ in range(2):
        seed.add_member(agency.id, Role.VIEWER)  # three members: still the included three seats
    fake_stripe.requests.clear()

    join_by_invitation(billing_app, billing_app.test_client(), billing_jobs, mailbox, agency.id, "four@example.com")
    billing_jobs()  # the seat sync
    after_join = fake_stripe.seat_quantity(subscribed.subscription_id)
    members = billing_client.get("/api/v1/members", headers=bearer(seed.make_api_key(agency.id, Role.OWNER))).json
    newcomer = next(m for m in members["items"] if m["email"] == "four@example.com")
    removed = billing_client.delete(
        f"/api/v1/members/{newcomer['id']}", headers=bearer(seed.make_api_key(agency.id, Role.ADMIN))
    )
    billing_jobs()

    assert after_join == 4
    assert removed.status_code == 204
    assert fake_stripe.seat_quantity(subscribed.subscription_id) == 3
    updates = fake_stripe.sent("POST", SEAT_ITEM)
    assert [u.params for u in updates] == [
        {"quantity": "4", "proration_behavior": "create_prorations"},
        {"quantity": "3", "proration_behavior": "create_prorations"},
    ]
    assert all(u.idempotency_key.startswith("fairpact-seats-") for u in updates)
    assert account_of(billing_app, agency.id)["seats"] == 3
    with billing_app.app_context(), tenant_scope(agency.id):
        changes = db.session.execute(
            select(AuditEvent.details)
            .where(AuditEvent.action == "billing.seats_changed")
            .order_by(AuditEvent.created_at)
        ).scalars()
        assert [(c["from"], c["to"]) for c in changes] == [(3, 4), (4, 3)]


def test_a_stale_seat_job_does_nothing(billing_app, billing_jobs, fake_stripe, seed):
    from service.billing.operations import sync_seats
    from service.billing.seats import seats_changed

    agency = seed.make_tenant(TenantKind.AGENCY)
    subscribe(billing_app, fake_stripe, agency.id, plan="agency", quantity=3)
    with billing_app.app_context(), tenant_scope(agency.id):
        seats_changed()
        seats_changed()
        db.session.commit()
        older = sync_seats(1)
        db.session.commit()
    fake_stripe.requests.clear()
    ran = billing_jobs()

    assert older is None
    assert ran == 2
    # Only the newest job asks Stripe; the members did not change, so the quantity is left alone.
    assert len(fake_stripe.sent("GET", re.compile(r"/v1/subscriptions/sub_test\d+"))) == 1
    assert fake_stripe.sent("POST", SEAT_ITEM) == []


def test_no_subscription_no_seat_job(billing_app, billing_jobs, fake_stripe, seed, mailbox):
    tenant = seed.make_tenant()
    join_by_invitation(billing_app, billing_app.test_client(), billing_jobs, mailbox, tenant.id, "two@example.com")

    assert billing_jobs() == 0
    assert fake_stripe.requests == []
