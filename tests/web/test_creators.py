"""The creators page: the list follows the client switcher; managers invite creators by email."""

from __future__ import annotations

from service.creators.models import CreatorKind
from tenants.models import TenantKind
from tenants.roles import Role
from tests.support.web import sign_in
from tests.web.helpers import html, link_in, submit

INVITE = {"email": "clara@example.com", "name": "Clara Klee", "creator_kind": "influencer", "locale": "en"}


def _agency_with_creators(seed):  # type: ignore[no-untyped-def]
    agency = seed.make_tenant(TenantKind.AGENCY)
    first = seed.make_client(agency.id, "Bergquelle")
    second = seed.make_client(agency.id, "Radwerk")
    seed.make_creator(agency.id, email="berg@example.com", client_id=first)
    seed.make_creator(agency.id, email="rad@example.com", client_id=second)
    seed.make_creator(agency.id, CreatorKind.EMPLOYEE, email="everyone@example.com")
    return agency, first, second


def test_the_list_follows_the_client_switcher(client, seed):
    agency, first, _second = _agency_with_creators(seed)
    sign_in(client, agency.owner.email)

    everyone = html(client.get("/creators"))
    assert all(e in everyone for e in ("berg@example.com", "rad@example.com", "everyone@example.com"))
    assert "Showing the creators of all clients." in everyone

    switched = submit(client, "/switch/client", {"client_id": str(first)}, page="/creators")
    assert switched.status_code == 302
    one_client = html(client.get("/creators"))
    assert "berg@example.com" in one_client and "everyone@example.com" in one_client
    assert "rad@example.com" not in one_client
    assert "Showing the creators of Bergquelle and those who work for every client." in one_client

    submit(client, "/switch/client", {"client_id": ""}, page="/creators")
    assert "rad@example.com" in html(client.get("/creators"))


def test_switching_the_client_returns_to_the_page_it_was_made_on(client, seed):
    agency, first, _second = _agency_with_creators(seed)
    sign_in(client, agency.owner.email)
    page = html(client.get("/creators?x=1"))
    assert '<input type="hidden" name="next" value="/creators?x=1">' in page

    back = submit(client, "/switch/client", {"client_id": str(first), "next": "/creators?x=1"}, page="/creators")
    elsewhere = submit(client, "/switch/client", {"client_id": str(first), "next": "//evil.example/"}, page="/creators")

    assert back.headers["Location"] == "/creators?x=1"
    assert elsewhere.headers["Location"] == "/app"


def test_a_limited_manager_sees_only_their_clients_creators(client, seed):
    agency, first, _second = _agency_with_creators(seed)
    manager = seed.add_member(agency.id, Role.MANAGER, client_ids=[first])
    sign_in(client, manager.email)

    page = html(client.get("/creators"))

    assert "berg@example.com" in page
    assert "rad@example.com" not in page and "Radwerk" not in page


def test_a_manager_invites_a_creator_who_gets_the_email(client, seed, mailbox, run_jobs):
    brand = seed.make_tenant(name="Nordlicht")
    manager = seed.add_member(brand.id, Role.MANAGER)
    sign_in(client, manager.email)

    response = submit(client, "/creators", INVITE)

    assert response.status_code == 302
    page = html(client.get("/creators"))
    assert "Invitation sent to clara@example.com." in page
    assert "clara@example.com" in page.split("Pending invitations", 1)[1]
    run_jobs()
    assert mailbox.to("clara@example.com")[0]["Subject"] == "Nordlicht wants to work with you on Fairpact"
    assert "/invitations/" in link_in(mailbox, "clara@example.com")


def test_the_invitation_is_written_in_the_chosen_language(client, seed, mailbox, run_jobs):
    brand = seed.make_tenant(name="Nordlicht")
    sign_in(client, brand.owner.email)

    submit(client, "/creators", {**INVITE, "locale": "de"})
    run_jobs()

    message = mailbox.to("clara@example.com")[0]
    assert message["Subject"] == "Nordlicht möchte mit dir auf Fairpact zusammenarbeiten"


def test_an_agency_invites_a_creator_for_the_selected_client(app, client, seed):
    agency, first, _second = _agency_with_creators(seed)
    sign_in(client, agency.owner.email)
    submit(client, "/switch/client", {"client_id": str(first)}, page="/creators")

    form = html(client.get("/creators")).split("Invite a creator", 1)[1]
    assert f'<option selected value="{first}">Bergquelle</option>' in form

    response = submit(client, "/creators", {**INVITE, "client_id": str(first)})
    assert response.status_code == 302
    pending = html(client.get("/creators")).split("Pending invitations", 1)[1]
    assert "clara@example.com" in pending


def test_a_limited_manager_must_pick_one_of_their_clients(client, seed):
    agency, first, second = _agency_with_creators(seed)
    manager = seed.add_member(agency.id, Role.MANAGER, client_ids=[first])
    sign_in(client, manager.email)

    no_client = submit(client, "/creators", {**INVITE, "client_id": ""})
    other_client = submit(client, "/creators", {**INVITE, "client_id": str(second)})

    assert no_client.status_code == 400
    assert "Choose the client this creator works for." in html(no_client)
    assert other_client.status_code == 400
    assert "clara@example.com" not in html(client.get("/creators")).split("Invite a creator")[0]


def test_a_creator_who_already_works_with_the_account_is_refused_on_the_form(client, seed):
    brand = seed.make_tenant()
    seed.make_creator(brand.id, email="clara@example.com")
    sign_in(client, brand.owner.email)

    response = submit(client, "/creators", INVITE)

    assert response.status_code == 409
    assert "This creator already works with you." in html(response)


def test_a_viewer_sees_creators_but_cannot_invite(client, seed):
    brand = seed.make_tenant()
    seed.make_creator(brand.id, email="known@example.com")
    viewer = seed.add_member(brand.id, Role.VIEWER)
    sign_in(client, viewer.email)

    page = html(client.get("/creators"))

    assert "known@example.com" in page
    assert "Invite a creator" not in page
    assert submit(client, "/creators", INVITE, page="/app").status_code == 403
