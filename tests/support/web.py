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


def sign_in_creator(client: Any, email: str, mailbox: Any, run_jobs: Any) -> None:
    """A creator signs in by the magic link from their email (the send is a job, run here)."""
    token = csrf_token(client, "/creator/login")
    client.post("/creator/login", data={"email": email, "csrf_token": token})
    run_jobs()
    link = next(m for m in reversed(mailbox.to(email)) if "/creator/magic/" in str(m.get_content()))
    found = re.search(r"(/creator/magic/[A-Za-z0-9_-]+)", str(link.get_content()))
    assert found
    path = found.group(1)
    client.post(path, data={"csrf_token": csrf_token(client, path)})
