"""Read-only accounts: past due beyond the grace period, or without a subscription after the trial.

One request hook refuses every write of the tenant's staff and API keys (402, in the error shape on
the API and as a page on the web) before any view runs; reads and exports go on, nothing is deleted.
Creators are never refused (they act for themselves, not for the tenant): a contract already sent
to them can still be signed. A route that must stay open anyway declares it with
``@allowed_when_read_only`` (billing's own Checkout and Portal, so the owner can pay).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from service.billing.limits import read_only_error
from service.billing.plans import billing_enabled
from service.billing.status import billing_status
from service.errors import error_body, is_api_request
from tenants.access import current_principal

F = TypeVar("F", bound=Callable[..., Any])

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Actions on the signed-in session, not on the tenant's data: signing in and out, the language, the
# tenant and client switchers, and accepting an invitation (to this or another tenant; it was sent earlier).
SESSION_ENDPOINTS = frozenset(
    {"web_pages.set_language", "web_pages.switch_tenant", "web_pages.switch_client", "web_invitations.accept"}
)
SESSION_BLUEPRINTS = frozenset({"web_auth"})
MARK = "_allowed_when_read_only"


def allowed_when_read_only(view: F) -> F:
    """Keep a write route open while the account is read-only (for example a creator's signature)."""
    setattr(view, MARK, True)
    return view


def _route_allows(endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # no such route: let it answer 404
    if endpoint in SESSION_ENDPOINTS or request.blueprint in SESSION_BLUEPRINTS:
        return True
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    if getattr(view, MARK, False):
        return True
    # A class-based view (the API's) marks the method itself.
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    return bool(getattr(method, MARK, False))


def refuse_writes_when_read_only() -> ResponseReturnValue | None:
    """Before each request: a tenant's write while its account may only read gets 402."""
    if request.method in READ_METHODS or not billing_enabled():
        return None
    principal = current_principal()
    if principal is None or principal.tenant_id is None:
        return None  # anonymous, a creator, or Stripe: no tenant's account is acting
    if _route_allows(request.endpoint):
        return None
    status = billing_status()
    if status.writable:
        return None
    refusal = read_only_error(status)
    body = error_body(refusal.status_code, refusal.message, refusal.errors, refusal.code)
    if is_api_request() or request.accept_mimetypes.best == "application/json":
        return jsonify(body), refusal.status_code
    page = render_template("billing/read_only.html", status=status, error=body)
    return page, refusal.status_code
