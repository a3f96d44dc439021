"""Driving the web pages from the Flask test client: CSRF tokens and signing in."""

from __future__ import annotations

import re
from typing import Any

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: Any, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no csrf_token field on {path}"
    return match.group(1) or match.group(2)


def sign_in(client: Any, email: str, password: str = PASSWORD) -> None:
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
