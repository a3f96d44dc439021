"""The account switcher (a person in several accounts) and the agency's client switcher."""

from __future__ import annotations

import uuid

from tenants.models import TenantKind
from tenants.roles import Role
from tests.support.web import sign_in
from tests.web.helpers import html, join, submit


def test_a_member_of_two_accounts_switches_between_them(app, client, seed):
    first = seed.make_tenant(name="Alpha")
    second = seed.make_tenant(name="Beta")
    person = seed.add_member(first.id, Role.ADMIN)
    sign_in(client, person.email)
    assert '<select id="tenant-switch"' not in html(client.get("/app"))  # one account: nothing to switch

    join(app, second.id, person.id)
    page = html(client.get("/app"))
    assert '<select id="tenant-switch"' in page and ">Beta</option>" in page

    response = submit(client, "/switch/tenant", {"tenant_id": str(second.id)}, page="/app")

    assert response.status_code == 302
    dashboard = html(client.get("/app"))
    assert "<h1>Beta</h1>" in dashboard and "You are signed in as Viewer." in dashboard


def test_an_account_one_is_not_a_member_of_cannot_be_switched_to(client, seed):
    mine = seed.make_tenant(name="Alpha")
    theirs = seed.make_tenant(name="Beta")
    sign_in(client, mine.owner.email)

    response = submit(client, "/switch/tenant", {"tenant_id": str(theirs.id)}, page="/app")

    assert response.status_code == 404
    assert "<h1>Alpha</h1>" in html(client.get("/app"))


def test_the_client_switcher_offers_only_the_members_clients(client, seed):
    agency = seed.make_tenant(TenantKind.AGENCY)
    first = seed.make_client(agency.id, "Bergquelle")
    second = seed.make_client(agency.id, "Radwerk")
    other_agency = seed.make_tenant(TenantKind.AGENCY)
    foreign = seed.make_client(other_agency.id, "Fremdkunde")
    manager = seed.add_member(agency.id, Role.MANAGER, client_ids=[first])
    sign_in(client, manager.email)

    switcher = html(client.get("/app")).split('id="client-switch"', 1)[1].split("</select>", 1)[0]
    assert "Bergquelle" in switcher and "Radwerk" not in switcher

    for client_id in (second, foreign, uuid.uuid4()):
        response = submit(client, "/switch/client", {"client_id": str(client_id)}, page="/app")
        assert response.status_code == 404

    assert submit(client, "/switch/client", {"client_id": str(first)}, page="/app").status_code == 302
    assert f'<option value="{first}" selected>Bergquelle</option>' in html(client.get("/app"))


def test_a_brand_has_no_client_switcher(client, seed):
    brand = seed.make_tenant()
    sign_in(client, brand.owner.email)
    assert 'id="client-switch"' not in html(client.get("/app"))
