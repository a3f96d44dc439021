"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

# Swagger UI boots with an inline script; every other page runs none.
_DEFAULT_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'"
_DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'"
)


def _add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Sign-in and invitation links carry their token in the path: never send it on as a Referer.
    headers.setdefault("Referrer-Policy", "no-referrer")
    csp = _DOCS_CSP if request.path.startswith("/api/v1/docs") else _DEFAULT_CSP
    headers.setdefault("Content-Security-Policy", csp)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith(("/api/", "/login", "/creator/", "/invitations/")):
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_security_headers)
