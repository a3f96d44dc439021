"""Accepting an invitation from its link: new and existing team members, creators, and dead links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from service.extensions import db
from service.invitations.models import Invitation
from service.models import utcnow
from tenants.context import unscoped
from tenants.roles import Role
from tests.factories import PASSWORD
from tests.support.web import sign_in
from tests.web.helpers import html, invite_creator, invite_user, sign_out, submit

DEAD_LINK = "This invitation link is invalid, expired or already used. Ask for a new one."


def test_a_new_person_creates_an_account_and_lands_in_the_account(app, client, seed):
    tenant = seed.make_tenant(name="Nordlicht")
    token = invite_user(app, tenant.id, "nina@example.com", Role.MANAGER)
    link = f"/invitations/{token}"

    page = html(client.get(link))
    assert "You are invited to join Nordlicht as Manager." in page
    assert "Create your account for nina@example.com." in page

    response = submit(client, link, {"name": "Nina Nord", "password": "long enough password"})

    assert response.status_code == 302 and response.headers["Location"] == "/app"
    dashboard = html(client.get("/app"))
    assert "<h1>Nordlicht</h1>" in dashboard
    assert "Welcome to Nordlicht on Fairpact." in dashboard
    assert "You are signed in as Manager." in dashboard
    # The new password works for the next sign-in.
    sign_out(client)
    sign_in(client, "nina@example.com", "long enough password")


def test_a_short_password_is_refused_and_nothing_is_used_up(app, client, seed):
    tenant = seed.make_tenant()
    token = invite_user(app, tenant.id, "nina@example.com")

    response = submit(client, f"/invitations/{token}", {"name": "Nina", "password": "too short"})

    assert response.status_code == 400
    assert "Field must be between 12 and 500 characters long." in html(response)
    assert client.get(f"/invitations/{token}").status_code == 200


def test_a_used_link_answers_410(app, client, seed):
    tenant = seed.make_tenant()
    token = invite_user(app, tenant.id, "nina@example.com")
    submit(client, f"/invitations/{token}", {"name": "Nina", "password": "long enough password"})
    sign_out(client)

    again = client.get(f"/invitations/{token}")
    posted = submit(client, f"/invitations/{token}", {"name": "Mallory", "password": "another long password"}, page="/")

    assert again.status_code == 410 and DEAD_LINK in html(again)
    assert posted.status_code == 410


def test_an_existing_account_signs_in_first_and_then_joins(app, client, seed):
    home = seed.make_tenant(name="Home")
    other = seed.make_tenant(name="Nordlicht")
    existing = seed.add_member(home.id, Role.VIEWER, email="ella@example.com")
    token = invite_user(app, other.id, "ella@example.com", Role.ADMIN)
    link = f"/invitations/{token}"

    page = html(client.get(link))
    assert "There is already an account for ella@example.com." in page
    assert f'href="/login?next=/invitations/{token}"' in page
    # Knowing the link is not enough to add the membership to that account.
    refused = submit(client, link, {"name": "Mallory", "password": "long enough password"})
    assert refused.status_code == 409

    signed_in = submit(client, f"/login?next={link}", {"email": existing.email, "password": PASSWORD})
    assert signed_in.headers["Location"] == link
    assert "Join Nordlicht" in html(client.get(link))
    joined = submit(client, link)

    assert joined.status_code == 302 and joined.headers["Location"] == "/app"
    dashboard = html(client.get("/app"))
    assert "<h1>Nordlicht</h1>" in dashboard and "You joined Nordlicht." in dashboard
    assert "You are signed in as Admin." in dashboard


def test_signed_in_with_another_email_the_page_says_so(app, client, seed):
    tenant = seed.make_tenant()
    token = invite_user(app, tenant.id, "nina@example.com")
    sign_in(client, tenant.owner.email)

    page = client.get(f"/invitations/{token}")
    posted = submit(client, f"/invitations/{token}")

    assert "but this invitation was sent to nina@example.com" in html(page)
    assert posted.status_code == 403
    assert client.get(f"/invitations/{token}").status_code == 200  # still usable by Nina


def test_a_creator_accepts_and_is_signed_in(app, client, seed):
    tenant = seed.make_tenant(name="Nordlicht")
    token = invite_creator(app, tenant.id, "clara@example.com", name="Clara Klee")
    link = f"/invitations/{token}"

    page = html(client.get(link))
    assert "Accept and sign in" in page and "as Influencer" in page

    response = submit(client, link)

    assert response.status_code == 302 and response.headers["Location"] == "/creator"
    home = html(client.get("/creator"))
    assert "Hello Clara Klee" in home
    assert "<strong>Nordlicht</strong> · Influencer" in home
    sign_out(client)
    assert client.get(link).status_code == 410


def test_a_known_creator_is_linked_to_a_second_account(app, client, seed):
    first = seed.make_tenant(name="Alpha")
    second = seed.make_tenant(name="Beta")
    seed.make_creator(first.id, email="clara@example.com")
    token = invite_creator(app, second.id, "clara@example.com")

    submit(client, f"/invitations/{token}")

    home = html(client.get("/creator"))
    assert "<strong>Alpha</strong>" in home and "<strong>Beta</strong>" in home


@pytest.mark.parametrize("kind", ["user", "creator"])
def test_an_expired_link_answers_410(app, client, seed, kind):
    tenant = seed.make_tenant()
    token = (invite_user if kind == "user" else invite_creator)(app, tenant.id, "late@example.com")
    with app.app_context(), unscoped("age the invitation in a test"):
        db.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()

    response = client.get(f"/invitations/{token}")

    assert response.status_code == 410
    assert "410 · Gone" in html(response) and DEAD_LINK in html(response)


def test_an_unknown_link_answers_410_in_the_readers_language(client):
    english = client.get("/invitations/not-a-real-token")
    german = client.get("/invitations/not-a-real-token", headers={"Accept-Language": "de-DE,de;q=0.9"})

    assert english.status_code == 410 and DEAD_LINK in html(english)
    assert german.status_code == 410
    assert "Dieser Einladungslink ist ungültig, abgelaufen oder wurde schon benutzt." in html(german)
