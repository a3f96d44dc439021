"""What owners see: the billing page and the billing API (plan, seats, usage against the plan,
invoices), and for agencies the usage per client with its CSV export."""

from __future__ import annotations

import csv
import io
import uuid

from service.billing.limits import plan_has_feature
from service.billing.usage import record_usage
from service.extensions import db
from tenants.context import tenant_scope
from tenants.models import TenantKind
from tenants.roles import Role
from tests.billing.support import deliver, subscribe
from tests.factories import bearer
from tests.support.web import sign_in
from tests.web.helpers import html

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def use(app, tenant_id, kind: str, client_id=None, times: int = 1) -> None:
    with app.app_context(), tenant_scope(tenant_id):
        for _ in range(times):
            record_usage(kind, uuid.uuid4(), client_id=client_id)
        db.session.commit()


def test_the_api_reports_plan_seats_and_usage(billing_app, billing_client, fake_stripe, seed):
    tenant = seed.make_tenant()
    subscribe(billing_app, fake_stripe, tenant.id, plan="brand")
    use(billing_app, tenant.id, "disclosure_check", times=4)
    key = seed.make_api_key(tenant.id, Role.OWNER)

    subscription = billing_client.get("/api/v1/billing/subscription", headers=bearer(key)).json
    usage = billing_client.get("/api/v1/billing/usage", headers=bearer(key)).json

    assert subscription["billing_enabled"] is True
    assert (subscription["status"], subscription["access"], subscription["plan"]["key"]) == ("active", "full", "brand")
    assert subscription["seats_in_use"] == 1 and subscription["seats_billed"] == 2
    assert [p["key"] for p in subscription["plans_available"]] == ["brand", "agency"]
    assert usage["meters"] == [
        {"kind": "disclosure_check", "used": 4, "included": 5, "remaining": 1, "limit": None, "overage": True},
        {"kind": "sealed_contract", "used": 0, "included": 2, "remaining": 2, "limit": 2, "overage": False},
    ]
    assert usage["by_client"] == []  # a brand has no clients
    with billing_app.app_context(), tenant_scope(tenant.id):
        assert plan_has_feature("disclosure_checks") and not plan_has_feature("client_rebilling")


def test_invoices_are_listed_newest_first(billing_app, billing_client, billing_jobs, fake_stripe, seed):
    tenant = seed.make_tenant()
    subscribed = subscribe(billing_app, fake_stripe, tenant.id)
    for total in (4900, 9800):
        invoice = fake_stripe.add_invoice(subscribed.customer_id, subscribed.subscription_id, total=total)
        deliver(billing_client, fake_stripe.event("invoice.paid", invoice))
    billing_jobs()
    key = seed.make_api_key(tenant.id, Role.OWNER)

    page = billing_client.get("/api/v1/billing/invoices?per_page=1", headers=bearer(key)).json

    assert page["total"] == 2 and page["per_page"] == 1
    (first,) = page["items"]
    assert first["status"] == "paid" and first["currency"] == "eur"
    assert first["hosted_invoice_url"].startswith("https://invoice.stripe.com/i/in_test")


def test_the_owner_sees_plan_usage_and_invoices(billing_app, billing_client, billing_jobs, fake_stripe, seed):
    tenant = seed.make_tenant(name="Bergquelle")
    subscribed = subscribe(billing_app, fake_stripe, tenant.id)
    invoice = fake_stripe.add_invoice(subscribed.customer_id, subscribed.subscription_id, total=12345)
    deliver(billing_client, fake_stripe.event("invoice.paid", invoice))
    billing_jobs()
    use(billing_app, tenant.id, "sealed_contract", times=2)
    sign_in(billing_client, tenant.owner.email)

    page = html(billing_client.get("/settings/billing"))
    german = html(billing_client.get("/settings/billing", headers=GERMAN))

    assert 'data-testid="plan-name">Brand<' in page and ">Active<" in page
    assert 'data-testid="used-sealed_contract">2<' in page
    assert invoice["number"] in page and "€123.45" in page
    assert "Manage subscription, payment method and tax id" in page
    assert "Subscribe to" not in page, "a subscribed tenant changes plan in the portal"
    assert ">Abrechnung</a>" in german and "Nutzung in diesem Zeitraum" in german and "123,45" in german


def test_the_page_is_for_owners_only(billing_client, seed):
    tenant = seed.make_tenant()
    admin = seed.add_member(tenant.id, Role.ADMIN)
    sign_in(billing_client, admin.email)

    assert billing_client.get("/settings/billing").status_code == 403
    assert billing_client.get("/settings/billing/usage.csv").status_code == 403
    assert "/settings/billing" not in html(billing_client.get("/app")), "no menu link for non-owners"


def test_agencies_see_usage_per_client_and_export_it(billing_app, billing_client, fake_stripe, seed):
    agency = seed.make_tenant(TenantKind.AGENCY)
    subscribe(billing_app, fake_stripe, agency.id, plan="agency", quantity=3)
    spring = seed.make_client(agency.id, "Bergquelle")
    sneaky = seed.make_client(agency.id, "=HYPERLINK(evil)")
    use(billing_app, agency.id, "disclosure_check", client_id=spring, times=3)
    use(billing_app, agency.id, "sealed_contract", client_id=spring)
    use(billing_app, agency.id, "disclosure_check", client_id=sneaky)
    use(billing_app, agency.id, "disclosure_check")  # for no particular client
    sign_in(billing_client, agency.owner.email)

    page = html(billing_client.get("/settings/billing"))
    export = billing_client.get("/settings/billing/usage.csv")
    usage = billing_client.get("/api/v1/billing/usage", headers=bearer(seed.make_api_key(agency.id, Role.OWNER))).json

    assert "Usage per client" in page and "Bergquelle" in page and "No particular client" in page
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.headers["Content-Disposition"].startswith('attachment; filename="fairpact-usage-')
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    counts = {(r["client"], r["kind"]): int(r["count"]) for r in rows}
    assert counts == {
        ("Bergquelle", "disclosure_check"): 3,
        ("Bergquelle", "sealed_contract"): 1,
        ("'=HYPERLINK(evil)", "disclosure_check"): 1,  # a spreadsheet reads it as text, not a formula
        ("'=HYPERLINK(evil)", "sealed_contract"): 0,
        ("", "disclosure_check"): 1,
        ("", "sealed_contract"): 0,
    }
    assert {r["client_id"] for r in rows} == {str(spring), str(sneaky), ""}
    assert {row["client_name"]: row["disclosure_check"] for row in usage["by_client"]} == {
        "Bergquelle": 3,
        "=HYPERLINK(evil)": 1,
        None: 1,
    }


def test_past_months_can_be_exported(billing_app, billing_client, seed):
    from datetime import UTC, datetime

    from sqlalchemy import update

    from service.billing.models import UsageRecord

    agency = seed.make_tenant(TenantKind.AGENCY)
    client_id = seed.make_client(agency.id, "Bergquelle")
    use(billing_app, agency.id, "disclosure_check", client_id=client_id, times=2)
    with billing_app.app_context(), tenant_scope(agency.id):
        db.session.execute(update(UsageRecord).values(occurred_at=datetime(2026, 3, 15, tzinfo=UTC)))
        db.session.commit()
    sign_in(billing_client, agency.owner.email)

    march = billing_client.get("/settings/billing/usage.csv?month=2026-03").get_data(as_text=True)
    bad = billing_client.get("/settings/billing/usage.csv?month=March")
    api = billing_client.get(
        "/api/v1/billing/usage?month=2026-03", headers=bearer(seed.make_api_key(agency.id, Role.OWNER))
    )

    assert "2026-03-01,2026-04-01," in march and ",Bergquelle,disclosure_check,2" in march
    assert bad.status_code == 400
    assert api.json["period_start"].startswith("2026-03-01") and api.json["meters"][0]["used"] == 2


def test_without_billing_the_page_says_so_and_nothing_is_limited(client, seed):
    tenant = seed.make_tenant()
    key = seed.make_api_key(tenant.id, Role.OWNER)
    sign_in(client, tenant.owner.email)

    page = html(client.get("/settings/billing"))
    subscription = client.get("/api/v1/billing/subscription", headers=bearer(key)).json
    invoices = client.get("/api/v1/billing/invoices", headers=bearer(key)).json

    assert "Billing is switched off on this server" in page
    assert subscription["billing_enabled"] is False and subscription["status"] == "development"
    assert subscription["plan"]["seats"]["included"] is None and subscription["plans_available"] == []
    assert invoices["total"] == 0


def test_a_month_outside_the_calendar_is_a_field_error_not_a_crash(client, seed):
    tenant = seed.make_tenant()
    headers = bearer(seed.make_api_key(tenant.id, Role.OWNER))

    for month in ("0000-06", "9999-12", "2026-13"):
        response = client.get(f"/api/v1/billing/usage?month={month}", headers=headers)
        assert response.status_code == 422, month
        assert "month" in response.json["errors"]["query"], response.json
