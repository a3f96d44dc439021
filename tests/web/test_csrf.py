"""Every form of the web pages needs its CSRF token: without it the request is refused with 400.

The routes come from the app's URL map, so a form added later (by any module) is covered too.
"""

from __future__ import annotations

import uuid

import pytest
from flask import Flask

from tenants.models import TenantKind
from tests.support.web import sign_in
from tests.web.helpers import html

# Web routes that accept a POST without a CSRF token on purpose (none so far; a signed webhook
# receiver from a payment provider would be one, and must verify its own signature instead).
CSRF_EXEMPT: set[str] = set()


def web_post_routes(app: Flask) -> list[str]:
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.rule.startswith("/api/") or rule.endpoint in CSRF_EXEMPT:
            continue
        values = {}
        for name in rule.arguments:
            converter = rule._converters[name].__class__.__name__
            values[name] = uuid.uuid4() if converter == "UUIDConverter" else "x" * 43
        with app.test_request_context():
            from flask import url_for

            routes.append(url_for(rule.endpoint, **values))
    return sorted(routes)


def test_the_walk_finds_the_forms(app):
    routes = web_post_routes(app)
    for expected in ("/login", "/logout", "/creators", "/settings/members/invite", "/settings/api-keys", "/language"):
        assert expected in routes
    assert any(r.startswith("/invitations/") for r in routes)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in owner"])
def test_every_web_form_without_a_csrf_token_is_refused(app, client, seed, signed_in):
    tenant = seed.make_tenant(TenantKind.AGENCY)
    if signed_in:
        sign_in(client, tenant.owner.email)

    for path in web_post_routes(app):
        response = client.post(path, data={"email": "someone@example.com", "name": "x", "role": "viewer"})
        assert response.status_code == 400, path
        assert "The CSRF token is missing." in html(response), path


def test_a_forged_token_is_refused_and_changes_nothing(client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)

    response = client.post(
        "/settings/members/invite", data={"email": "new@example.com", "role": "viewer", "csrf_token": "forged"}
    )

    assert response.status_code == 400
    assert "new@example.com" not in html(client.get("/settings/members"))
