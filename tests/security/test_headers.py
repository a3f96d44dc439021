"""Security headers on every page: every GET route of the URL map, anonymous and signed in, over HTTPS.

Each answer (a page, a PDF, a CSV, an API body, a redirect, a 404) must carry a content security policy,
forbid framing, forbid MIME sniffing, send no referrer, and over HTTPS pin the browser to HTTPS (HSTS).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.routes import get_routes
from tests.security.world import build_world
from tests.support.web import sign_in

HTTPS = "https://localhost"  # the test client's host, so the session cookie goes along
ONE_YEAR = 31_536_000


def _problems(response: Any, *, https: bool) -> list[str]:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    found = []
    if "default-src" not in csp:
        found.append(f"no Content-Security-Policy with default-src (got {csp!r})")
    # Framing is forbidden, or (the contract preview shown inside its own edit page) limited to our own pages.
    framing = {"DENY": "frame-ancestors 'none'", "SAMEORIGIN": "frame-ancestors 'self'"}
    xfo = headers.get("X-Frame-Options")
    if xfo not in framing or ("frame-ancestors" in csp and framing[xfo] not in csp):
        found.append(f"framing not forbidden (X-Frame-Options {xfo!r}, CSP {csp!r})")
    if headers.get("X-Content-Type-Options") != "nosniff":
        found.append("no X-Content-Type-Options: nosniff")
    if headers.get("Referrer-Policy") not in ("no-referrer", "same-origin", "strict-origin-when-cross-origin"):
        found.append(f"Referrer-Policy is {headers.get('Referrer-Policy')!r}")
    hsts = headers.get("Strict-Transport-Security", "")
    if https and not (hsts.startswith("max-age=") and int(hsts.split(";")[0].split("=")[1]) >= ONE_YEAR):
        found.append(f"Strict-Transport-Security is {hsts!r}")
    return found


@pytest.fixture
def world(app, client, seed, run_jobs):  # type: ignore[no-untyped-def]
    return build_world(app, client, seed, run_jobs)


def _walk(app, client, world) -> tuple[dict[str, int], list[str]]:  # type: ignore[no-untyped-def]
    """GET every route over HTTPS: the status of each, and every header problem found."""
    statuses = {}
    problems = []
    for rule, url in get_routes(app, world):
        with client.get(url, base_url=HTTPS) as response:
            statuses[url] = response.status_code
            found = _problems(response, https=True)
            if "token" in rule.arguments and "no-store" not in response.headers.get("Cache-Control", ""):
                found.append("a page reached by an emailed link may be cached (no Cache-Control: no-store)")
        problems += [f"GET {url} ({response.status_code}): {p}" for p in found]
    return statuses, problems


def test_every_get_route_sends_the_security_headers_anonymous_and_signed_in(app, client, world):
    _statuses, anonymous = _walk(app, client, world)
    sign_in(client, world.owner_email)
    statuses, signed_in = _walk(app, client, world)

    assert not anonymous, "\n".join(anonymous)
    assert not signed_in, "\n".join(signed_in)
    # The signed-in walk reached real pages and downloads, not only redirects and 404s.
    reached = {url for url, status in statuses.items() if status == 200}
    for expected in ("/app", f"/contracts/{world.ids['contract_id']}", "/settings/billing/usage.csv"):
        assert expected in reached, (expected, statuses.get(expected))
    assert len(reached) >= 25, sorted(reached)


def test_error_answers_send_them_too(client):
    for response in (
        client.get("/no/such/page", base_url=HTTPS),
        client.delete("/login", base_url=HTTPS),
        client.get("/api/v1/clients", base_url=HTTPS),
    ):
        assert response.status_code in (401, 404, 405)
        assert _problems(response, https=True) == []


def test_plain_http_gets_no_hsts_but_everything_else(client):
    response = client.get("/login")
    assert "Strict-Transport-Security" not in response.headers  # browsers ignore it over HTTP; HTTPS sends it
    assert _problems(response, https=False) == []
