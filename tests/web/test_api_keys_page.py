"""The API keys page: the secret appears once, in the answer to the POST, and works against the API."""

from __future__ import annotations

import re

from tenants.roles import Role
from tests.factories import bearer
from tests.support.web import sign_in
from tests.web.helpers import html, submit

SECRET = re.compile(r"fp_[0-9a-f]{16}_[A-Za-z0-9_-]{20,}")


def _session_contents(app, client) -> str:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)
    return repr(serializer.loads(cookie.value))


def test_the_secret_is_shown_once_and_the_key_works(app, client, seed):
    tenant = seed.make_tenant(name="Nordlicht")
    sign_in(client, tenant.owner.email)

    created = submit(client, "/settings/api-keys", {"name": "CI export", "role": "viewer", "expires_in_days": "30"})

    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secrets = SECRET.findall(html(created))
    assert len(secrets) == 1, "the secret appears exactly once on the page"
    secret = secrets[0]
    assert "Copy it now: it is shown only this once" in html(created)
    # Never kept anywhere the browser sends back, and never shown again.
    assert secret not in _session_contents(app, client)
    listing = html(client.get("/settings/api-keys"))
    assert secret not in listing and not SECRET.search(listing)
    row = listing.split("CI export", 1)[1].split("</tr>", 1)[0]
    prefix = secret[: len("fp_") + 16]  # the public lookup part
    assert f"<code>{prefix}_…</code>" in row
    assert "Viewer" in row and "active" in row and "never" in row

    response = app.test_client().get("/api/v1/tenant", headers=bearer(secret))
    assert response.status_code == 200 and response.json["name"] == "Nordlicht"


def test_a_revoked_key_stops_working(app, client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)
    secret = SECRET.findall(
        html(submit(client, "/settings/api-keys", {"name": "old", "role": "admin", "expires_in_days": "30"}))
    )[0]
    revoke = re.search(r'action="(/settings/api-keys/[0-9a-f-]{36}/revoke)"', html(client.get("/settings/api-keys")))
    assert revoke

    response = submit(client, revoke.group(1), page="/settings/api-keys")

    assert response.status_code == 302
    listing = html(client.get("/settings/api-keys"))
    assert "The API key old was revoked." in listing
    assert "revoked" in listing.split("old", 1)[1].split("</tr>", 1)[0]
    assert app.test_client().get("/api/v1/tenant", headers=bearer(secret)).status_code == 401


def test_a_key_cannot_have_more_power_than_its_creator(client, seed):
    tenant = seed.make_tenant()
    admin = seed.add_member(tenant.id, Role.ADMIN)
    sign_in(client, admin.email)

    form = html(client.get("/settings/api-keys")).split("Create an API key", 1)[1]
    response = submit(client, "/settings/api-keys", {"name": "root", "role": "owner", "expires_in_days": "30"})

    assert 'value="owner"' not in form
    assert response.status_code == 400
    assert not SECRET.search(html(response))


def test_bad_input_is_shown_next_to_the_field(client, seed):
    tenant = seed.make_tenant()
    sign_in(client, tenant.owner.email)

    response = submit(client, "/settings/api-keys", {"name": "", "role": "viewer", "expires_in_days": "0"})

    assert response.status_code == 400
    assert "This field is required." in html(response)
    assert "Number must be between 1 and 3650." in html(response)
