"""Who is calling: resolved once per request, before any view runs, and reset afterwards.

API requests authenticate only with a tenant API key (no cookies, so no cross-site request can
use a browser's session against the API). Web requests use the login session; the tenant comes
from the session and is confirmed against the user's membership on every request, so a revoked
membership takes effect at once. The tenant never comes from the request body.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask, g, request, session
from flask_login import current_user

from service.accounts.models import Creator, User
from service.api_keys.operations import authenticate_api_key
from service.errors import is_api_request
from tenants.access import Principal, PrincipalKind
from tenants.context import enter_tenant, leave_tenant
from tenants.memberships import membership_principal

SESSION_TENANT = "tenant_id"
SESSION_CLIENT = "client_id"


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _api_principal() -> Principal | None:
    token = _bearer_token()
    return authenticate_api_key(token) if token else None


def _session_uuid(key: str) -> uuid.UUID | None:
    raw = session.get(key)
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def _web_principal() -> Principal | None:
    identity: Any = current_user
    if not getattr(identity, "is_authenticated", False):
        return None
    if isinstance(identity, Creator):
        return Principal(kind=PrincipalKind.CREATOR, id=identity.id, label=identity.email)
    assert isinstance(identity, User)
    tenant_id = _session_uuid(SESSION_TENANT)
    found = membership_principal(identity, tenant_id) if tenant_id else None
    if found is None:
        session.pop(SESSION_TENANT, None)
        return Principal(kind=PrincipalKind.USER, id=identity.id, label=identity.email)
    return found


def resolve_principal() -> None:
    principal = _api_principal() if is_api_request() else _web_principal()
    g.principal = principal
    g.tenant_token = enter_tenant(principal.tenant_id if principal else None)


def reset_principal(_exc: BaseException | None = None) -> None:
    token = g.pop("tenant_token", None)
    if token is not None:
        leave_tenant(token)


def init_app(app: Flask) -> None:
    app.before_request(resolve_principal)
    app.teardown_request(reset_principal)
