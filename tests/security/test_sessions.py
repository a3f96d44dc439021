"""Sessions: a cookie from before sign-in is useless after it (fixation), a cookie copied while signed in is
useless after sign-out (replay), for staff and creators alike.

tests/accounts/test_sign_in.py shows planted session values do not survive a sign-in, the lockout, the rate
limit, and single use and expiry of magic links; this adds what a thief holding a copy of the cookie can do.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.support.web import csrf_token, sign_in
from tests.web.helpers import link_in, path_of

COOKIE = "session"


def _cookie(client: Any) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None, "no session cookie"
    return found.value


def _with_cookie(app: Flask, value: str) -> Any:
    """Another browser, holding a copy of the cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief


def test_a_cookie_from_before_sign_in_does_not_become_signed_in(app, client, seed):
    tenant = seed.make_tenant()
    client.get("/login")
    planted = _cookie(client)  # an attacker gave the victim this cookie (or read it before sign-in)

    sign_in(client, tenant.owner.email)

    assert _cookie(client) != planted
    assert _with_cookie(app, planted).get("/app").status_code == 302  # sent to sign in
    assert client.get("/app").status_code == 200


def test_a_copied_cookie_stops_working_when_the_user_signs_out(app, client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)
    copied = _cookie(client)
    assert _with_cookie(app, copied).get("/app").status_code == 200  # the copy works while signed in

    client.post("/logout", data={"csrf_token": csrf_token(client, "/app")})

    assert client.get("/app").status_code == 302
    assert _with_cookie(app, copied).get("/app").status_code == 302
    assert _with_cookie(app, copied).get("/settings/members").status_code == 302


def test_signing_in_again_does_not_revive_an_old_cookie(app, client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)
    old = _cookie(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/app")})
    sign_in(client, tenant.owner.email)

    assert _with_cookie(app, old).get("/app").status_code == 302
    assert client.get("/app").status_code == 200


def test_a_creators_copied_cookie_stops_working_when_they_sign_out(app, client, seed, run_jobs, mailbox):
    tenant = seed.make_tenant()
    creator = seed.make_creator(tenant.id)
    client.post("/creator/login", data={"email": creator.email, "csrf_token": csrf_token(client, "/creator/login")})
    run_jobs()
    magic = path_of(link_in(mailbox, creator.email))
    assert client.post(magic, data={"csrf_token": csrf_token(client, magic)}).status_code == 302
    copied = _cookie(client)
    assert _with_cookie(app, copied).get("/creator").status_code == 200

    client.post("/logout", data={"csrf_token": csrf_token(client, "/creator")})

    assert _with_cookie(app, copied).get("/creator").status_code == 302
