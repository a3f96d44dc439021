"""Signing in: passwords with lockout and rate limits, sessions, and creators' magic links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.accounts.models import MagicLink, User
from service.extensions import db
from service.models import utcnow
from tests.factories import PASSWORD
from tests.support.mailbox import body_of
from tests.support.web import csrf_token, sign_in


def post_login(client, email: str, password: str):
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    )


def test_password_sign_in_lands_on_the_tenant_dashboard(client, seed):
    tenant = seed.make_tenant(name="Nordlicht")
    sign_in(client, tenant.owner.email)
    page = client.get("/app")
    assert page.status_code == 200
    assert "Nordlicht" in page.get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, seed):
    tenant = seed.make_tenant()
    response = post_login(client, tenant.owner.email, "wrong password")
    assert response.status_code == 401
    assert "not correct" in response.get_data(as_text=True)
    assert client.get("/app").status_code == 302


def test_login_form_without_csrf_token_is_refused(client, seed):
    tenant = seed.make_tenant()
    response = client.post("/login", data={"email": tenant.owner.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/app").status_code == 302


def test_repeated_failures_lock_the_account(app, client, seed):
    tenant = seed.make_tenant()
    attempts = app.config["LOGIN_LOCKOUT_ATTEMPTS"]
    for _ in range(attempts):
        assert post_login(client, tenant.owner.email, "nope").status_code == 401
    # Even the right password is refused while locked.
    locked = post_login(client, tenant.owner.email, PASSWORD)
    assert locked.status_code == 423
    assert "locked" in locked.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, tenant.owner.id)
        assert user.locked_until is not None and user.locked_until > utcnow()


def test_lockout_and_failures_are_in_the_tenants_audit_log(client, seed):
    from tenants.roles import Role
    from tests.factories import bearer

    tenant = seed.make_tenant()
    key = seed.make_api_key(tenant.id, Role.ADMIN)
    post_login(client, tenant.owner.email, "nope")
    actions = [e["action"] for e in client.get("/api/v1/audit-events", headers=bearer(key)).json["items"]]
    assert "auth.login_failed" in actions


def test_login_posts_are_rate_limited_per_address(app, client, seed):
    tenant = seed.make_tenant()
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = [post_login(client, f"nobody{n}@example.com", "x").status_code for n in range(limit + 1)]
    assert statuses[:limit] == [401] * limit
    assert statuses[limit] == 429
    assert post_login(client, tenant.owner.email, PASSWORD).status_code == 429


def test_sign_in_starts_a_fresh_session(client, seed):
    tenant = seed.make_tenant()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, tenant.owner.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_session_cookie_is_httponly_and_samesite(client, seed):
    tenant = seed.make_tenant()
    response = post_login(client, tenant.owner.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_the_session(client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/app")})
    assert client.get("/app").status_code == 302


def test_open_redirect_after_login_is_refused(client, seed):
    tenant = seed.make_tenant()
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": tenant.owner.email, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


# --- magic links ----------------------------------------------------------------------------------

LINK = re.compile(r"http://fairpact\.test(/creator/magic/\S+)")


def request_link(client, email: str) -> None:
    response = client.post("/creator/login", data={"email": email, "csrf_token": csrf_token(client, "/creator/login")})
    assert response.status_code == 200


def magic_path(mailbox, email: str) -> str:
    messages = mailbox.to(email)
    assert messages, f"no email to {email}"
    match = LINK.search(body_of(messages[-1]))
    assert match
    return match.group(1)


def test_magic_link_signs_a_creator_in_once(client, seed, run_jobs, mailbox):
    tenant = seed.make_tenant(name="Nordlicht")
    creator = seed.make_creator(tenant.id, email="mia@example.com")
    request_link(client, creator.email)
    run_jobs()
    path = magic_path(mailbox, creator.email)
    # Opening the link alone (what mail scanners do) does not use it up.
    assert client.get(path).status_code == 200
    response = client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/creator")
    assert "Nordlicht" in client.get("/creator").get_data(as_text=True)
    # Reused: refused, in the one error shape for API clients and a clear page for people.
    other = client.application.test_client()
    assert other.get(path).status_code == 410
    assert other.get(path, headers={"Accept": "application/json"}).json["code"] == "gone"


def test_expired_magic_link_is_refused(app, client, seed, run_jobs, mailbox):
    tenant = seed.make_tenant()
    creator = seed.make_creator(tenant.id)
    request_link(client, creator.email)
    run_jobs()
    path = magic_path(mailbox, creator.email)
    with app.app_context():
        link = db.session.execute(select(MagicLink)).scalar_one()
        link.expires_at = utcnow()
        db.session.commit()
    assert client.get(path).status_code == 410


def test_magic_link_token_is_stored_only_as_a_hash(app, client, seed, run_jobs, mailbox):
    tenant = seed.make_tenant()
    creator = seed.make_creator(tenant.id)
    request_link(client, creator.email)
    run_jobs()
    token = magic_path(mailbox, creator.email).rsplit("/", 1)[1]
    with app.app_context():
        link = db.session.execute(select(MagicLink)).scalar_one()
        assert token not in link.token_hash


def test_unknown_address_gets_the_same_answer_and_no_email(client, run_jobs, mailbox):
    request_link(client, "stranger@example.com")
    run_jobs()
    assert mailbox.messages == []


@pytest.mark.parametrize("path", ["/creator/magic/forged-token", "/invitations/forged-token"])
def test_forged_tokens_are_410(client, path):
    assert client.get(path).status_code == 410
