"""Plan limits where the work is requested: 402 ``plan_limit_reached`` that names the limit and the way up."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from service.billing.limits import PlanLimitReached, require_within_plan
from service.billing.usage import record_usage
from service.extensions import csrf, db
from tenants.context import tenant_scope
from tenants.models import TenantKind
from tenants.roles import Role
from tests.billing.support import subscribe
from tests.factories import bearer
from tests.support.web import sign_in
from tests.web.helpers import html, submit


def use(app: Flask, tenant_id: uuid.UUID, kind: str, times: int) -> None:
    with app.app_context(), tenant_scope(tenant_id):
        for _ in range(times):
            record_usage(kind, uuid.uuid4())
        db.session.commit()


def refusal(app: Flask, tenant_id: uuid.UUID, kind: str) -> PlanLimitReached | None:
    with app.app_context(), tenant_scope(tenant_id):
        try:
            require_within_plan(kind)
        except PlanLimitReached as refused:
            return refused
    return None


def add_check_route(app: Flask) -> None:
    """What the disclosure capability will do: check the plan, do the work, count it."""

    def run_check() -> ResponseReturnValue:
        require_within_plan("disclosure_check")
        record_usage("disclosure_check", uuid.uuid4())
        db.session.commit()
        return jsonify({"verdict": "compliant"}), 201

    # Like every API route: bearer keys, no browser CSRF token.
    app.add_url_rule("/api/v1/test-checks", "test_checks", csrf.exempt(run_check), methods=["POST"])


def test_a_trial_stops_at_its_included_checks(billing_app, seed):
    tenant = seed.make_tenant()
    add_check_route(billing_app)
    key = seed.make_api_key(tenant.id, Role.MANAGER)
    client = billing_app.test_client()

    answers = [client.post("/api/v1/test-checks", headers=bearer(key)) for _ in range(4)]

    assert [a.status_code for a in answers] == [201, 201, 201, 402]
    body = answers[-1].json
    assert set(body) == {"code", "status", "message", "errors"}
    assert (body["code"], body["status"]) == ("plan_limit_reached", 402)
    assert body["errors"] == {"disclosure_checks": ["Limit of 3 reached (3 in use)."]}
    assert "Trial plan includes 3 disclosure checks per billing period" in body["message"]
    assert "http://fairpact.test/settings/billing" in body["message"]


def test_overage_plans_bill_beyond_the_included_amount_instead_of_refusing(billing_app, fake_stripe, seed):
    tenant = seed.make_tenant()
    subscribe(billing_app, fake_stripe, tenant.id, plan="brand")  # 5 checks included, overage billed
    use(billing_app, tenant.id, "disclosure_check", 6)
    use(billing_app, tenant.id, "sealed_contract", 2)  # 2 included, no overage

    assert refusal(billing_app, tenant.id, "disclosure_check") is None
    contracts = refusal(billing_app, tenant.id, "sealed_contract")
    assert contracts is not None and contracts.errors == {"sealed_contracts": ["Limit of 2 reached (2 in use)."]}
    assert "Brand plan" in contracts.message and "renews on" in contracts.message


def test_last_periods_usage_does_not_count(billing_app, seed):
    from datetime import timedelta

    from sqlalchemy import update

    from service.billing.models import UsageRecord
    from service.models import utcnow

    tenant = seed.make_tenant()
    use(billing_app, tenant.id, "sealed_contract", 1)
    assert refusal(billing_app, tenant.id, "sealed_contract") is not None
    with billing_app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(UsageRecord).values(occurred_at=utcnow() - timedelta(days=40)))
        db.session.commit()

    assert refusal(billing_app, tenant.id, "sealed_contract") is None


def test_inviting_beyond_a_hard_seat_limit_is_refused(billing_client, seed):
    tenant = seed.make_tenant()  # trial: 2 seats, hard limit; the owner has one
    key = seed.make_api_key(tenant.id, Role.ADMIN)

    first = billing_client.post(
        "/api/v1/invitations/users", json={"email": "one@example.com", "role": "viewer"}, headers=bearer(key)
    )
    second = billing_client.post(
        "/api/v1/invitations/users", json={"email": "two@example.com", "role": "viewer"}, headers=bearer(key)
    )

    assert first.status_code == 201
    assert second.status_code == 402
    assert second.json["code"] == "plan_limit_reached"
    assert second.json["errors"] == {"seats": ["Limit of 2 reached (2 in use)."]}


def test_a_soft_seat_plan_lets_members_grow(billing_app, billing_client, fake_stripe, seed):
    tenant = seed.make_tenant(TenantKind.AGENCY)
    subscribe(billing_app, fake_stripe, tenant.id, plan="agency", quantity=3)
    key = seed.make_api_key(tenant.id, Role.ADMIN)

    answers = [
        billing_client.post(
            "/api/v1/invitations/users", json={"email": f"p{n}@example.com", "role": "viewer"}, headers=bearer(key)
        ).status_code
        for n in range(4)
    ]

    assert answers == [201, 201, 201, 201]


def test_agency_clients_are_limited_by_the_plan(billing_app, billing_client, fake_stripe, seed):
    agency = seed.make_tenant(TenantKind.AGENCY)  # trial: one client
    key = seed.make_api_key(agency.id, Role.ADMIN)

    first = billing_client.post("/api/v1/clients", json={"name": "Bergquelle"}, headers=bearer(key))
    second = billing_client.post("/api/v1/clients", json={"name": "Kaffeerösterei"}, headers=bearer(key))
    subscribe(billing_app, fake_stripe, agency.id, plan="agency")  # two clients
    third = billing_client.post("/api/v1/clients", json={"name": "Kaffeerösterei"}, headers=bearer(key))
    archived = billing_client.patch(f"/api/v1/clients/{first.json['id']}", json={"archived": True}, headers=bearer(key))
    fourth = billing_client.post("/api/v1/clients", json={"name": "Segelschule"}, headers=bearer(key))
    unarchive = billing_client.patch(
        f"/api/v1/clients/{first.json['id']}", json={"archived": False}, headers=bearer(key)
    )

    assert [first.status_code, second.status_code, third.status_code] == [201, 402, 201]
    assert second.json["errors"] == {"agency_clients": ["Limit of 1 reached (1 in use)."]}
    assert archived.status_code == 200 and fourth.status_code == 201  # archiving frees the slot
    assert unarchive.status_code == 402  # taking it back needs room again


def test_the_web_page_says_the_same(billing_client, seed):
    tenant = seed.make_tenant()
    seed.add_member(tenant.id, Role.VIEWER)  # two of two seats
    sign_in(billing_client, tenant.owner.email)

    response = submit(
        billing_client,
        "/settings/members/invite",
        {"email": "three@example.com", "role": "viewer"},
        page="/settings/members",
    )

    assert response.status_code == 402
    assert "Your Trial plan includes 2 seats" in html(response)


def test_without_billing_every_plan_is_unlimited(app, seed):
    tenant = seed.make_tenant()
    use(app, tenant.id, "disclosure_check", 30)

    for kind in ("disclosure_check", "sealed_contract", "seat", "agency_client"):
        assert refusal(app, tenant.id, kind) is None


def test_unknown_limit_kinds_are_a_programming_error(billing_app, seed):
    tenant = seed.make_tenant()
    with billing_app.app_context(), tenant_scope(tenant.id), pytest.raises(ValueError):
        require_within_plan("rockets")
