"""CSRF on every form: each POST route of the web pages, addressed with real ids by a signed-in owner, refuses a
missing token, a made-up one and a real token of another session, and nothing changes.

tests/web/test_csrf.py shows the missing token on every route with random ids; here the ids exist, so the
refusal cannot come from a 404 behind it.
"""

from __future__ import annotations

import pytest

from tests.security.routes import web_post_urls
from tests.security.world import build_world, snapshot
from tests.support.web import csrf_token, sign_in

# What a form might carry: enough that a route without CSRF protection would act on it.
FORM = {"email": "attacker@example.com", "name": "Attacker", "role": "owner", "confirm": "yes", "consent": "yes"}


@pytest.fixture
def world(app, client, seed, run_jobs):  # type: ignore[no-untyped-def]
    return build_world(app, client, seed, run_jobs)


def test_every_form_refuses_missing_forged_and_foreign_tokens(app, client, seed, world):
    sign_in(client, world.owner_email)
    stranger = app.test_client()
    sign_in(stranger, seed.make_tenant().owner.email)
    foreign = csrf_token(stranger, "/app")  # valid, but for the stranger's session
    before = snapshot(app, world)

    urls = web_post_urls(app, world)
    assert len(urls) >= 40, urls  # the walk found the forms
    accepted = []
    for url in urls:
        for token in (None, "forged", foreign):
            data = FORM if token is None else {**FORM, "csrf_token": token}
            response = client.post(url, data=data)
            if response.status_code != 400 or "CSRF" not in response.get_data(as_text=True):
                accepted.append(f"POST {url} with token {token!r}: {response.status_code}")
    assert not accepted, "\n".join(accepted)

    assert snapshot(app, world) == before
    assert client.get("/app").status_code == 200  # not even signed out by the /logout attempts
