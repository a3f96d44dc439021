"""Password guessing from many addresses, and the other sign-in doors.

tests/accounts/test_sign_in.py shows the lockout after LOGIN_LOCKOUT_ATTEMPTS failures and the per-address
rate limit. Here: an attacker spreading guesses over many addresses (or forging X-Forwarded-For) still
locks the account, the lock lifts on its own, and the creator sign-in form is rate limited too.
"""

from __future__ import annotations

from datetime import timedelta

from service.accounts.models import User
from service.extensions import db
from service.models import utcnow
from tests.factories import PASSWORD
from tests.support.web import csrf_token


def _login(client, email: str, password: str, address: str, **headers: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def test_guesses_spread_over_many_addresses_still_lock_the_account(app, client, seed):
    tenant = seed.make_tenant()
    attempts = app.config["LOGIN_LOCKOUT_ATTEMPTS"]

    for n in range(attempts):
        response = _login(client, tenant.owner.email, f"guess {n}", f"198.51.100.{n + 1}")
        assert response.status_code == 401

    # The right password from yet another address (claiming to be a proxied client) is refused while locked.
    locked = _login(client, tenant.owner.email, PASSWORD, "198.51.100.200", **{"X-Forwarded-For": "203.0.113.1"})
    assert locked.status_code == 423
    assert client.get("/app").status_code == 302


def test_forged_forwarded_for_headers_do_not_escape_the_rate_limit(app, client, seed):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = [
        _login(
            client, f"nobody{n}@example.com", "x", "198.51.100.7", **{"X-Forwarded-For": f"203.0.113.{n}"}
        ).status_code
        for n in range(limit + 1)
    ]
    assert statuses[-1] == 429, statuses


def test_the_lock_lifts_on_its_own(app, client, seed):
    tenant = seed.make_tenant()
    for n in range(app.config["LOGIN_LOCKOUT_ATTEMPTS"]):
        _login(client, tenant.owner.email, f"guess {n}", f"198.51.100.{n + 1}")
    with app.app_context():
        user = db.session.get(User, tenant.owner.id)
        assert user is not None and user.locked_until is not None
        user.locked_until = utcnow() - timedelta(seconds=1)  # LOGIN_LOCKOUT_SECONDS have passed
        db.session.commit()

    assert _login(client, tenant.owner.email, PASSWORD, "198.51.100.99").status_code == 302


def test_creator_sign_in_requests_are_rate_limited(app, client, seed, run_jobs, mailbox):
    tenant = seed.make_tenant()
    creator = seed.make_creator(tenant.id)
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    statuses = []
    for _ in range(limit + 1):
        token = csrf_token(client, "/creator/login")
        statuses.append(client.post("/creator/login", data={"email": creator.email, "csrf_token": token}).status_code)
    run_jobs()

    assert statuses[:limit] == [200] * limit and statuses[limit] == 429
    assert len(mailbox.to(creator.email)) == limit  # no more sign-in emails than the limit lets through
