"""The signed-in pages: dashboard, tenant/client switcher, language, creator home."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from service.access import SESSION_CLIENT, SESSION_TENANT
from service.accounts.models import Creator, User
from service.creators.operations import tenants_of_creator
from service.extensions import db
from service.web.forms import ConfirmForm
from tenants.access import Principal, current_principal
from tenants.memberships import membership_principal, tenants_of_user
from tenants.models import Tenant
from tenants.operations import visible_clients_query
from tenants.roles import Role

bp = Blueprint("web_pages", __name__)

F = TypeVar("F", bound=Callable[..., Any])


def staff_required(minimum: Role = Role.VIEWER) -> Callable[[F], F]:
    """Web pages for brand/agency staff: sign in first, be a member of a tenant, have the role."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not isinstance(current_user._get_current_object(), User):
                return redirect(url_for("web_auth.login", next=request.path))
            principal = current_principal()
            if principal is None or principal.tenant_id is None:
                return redirect(url_for("web_pages.choose_tenant"))
            if not principal.has_role(minimum):
                abort(403, description=f"This page needs the {minimum.value} role or higher.")
            return view(*args, **kwargs)

        wrapper._required_role = minimum  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def creator_required(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not isinstance(current_user._get_current_object(), Creator):
            return redirect(url_for("web_auth.creator_login"))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def web_principal() -> Principal:
    principal = current_principal()
    assert principal is not None
    return principal


def selected_client_id() -> uuid.UUID | None:
    raw = session.get(SESSION_CLIENT)
    return uuid.UUID(raw) if raw else None


@bp.app_context_processor
def layout_context() -> dict[str, Any]:
    """What the layout shows: the tenant switcher, the client switcher, the signed-in person."""
    principal = current_principal()
    context: dict[str, Any] = {"principal": principal, "confirm_form": ConfirmForm(), "Role": Role}
    if principal is None or principal.tenant_id is None:
        return context
    tenant = db.session.get(Tenant, principal.tenant_id)
    context["tenant"] = tenant
    context["my_tenants"] = g.get("my_tenants") or tenants_of_user(principal.id) if principal.id else []
    if tenant is not None and tenant.is_agency:
        context["clients"] = db.session.execute(visible_clients_query(principal)).scalars().all()
        context["selected_client_id"] = selected_client_id()
    return context


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    identity = current_user._get_current_object()
    if isinstance(identity, Creator):
        return redirect(url_for("web_pages.creator_home"))
    if isinstance(identity, User):
        return redirect(url_for("web_pages.dashboard"))
    return render_template("home.html")


@bp.get("/app")
@staff_required()
def dashboard():  # type: ignore[no-untyped-def]
    return render_template("dashboard.html")


@bp.get("/tenants")
def choose_tenant():  # type: ignore[no-untyped-def]
    identity = current_user._get_current_object()
    if not isinstance(identity, User):
        return redirect(url_for("web_auth.login"))
    return render_template("choose_tenant.html", my_tenants=tenants_of_user(identity.id))


@bp.post("/switch/tenant")
def switch_tenant():  # type: ignore[no-untyped-def]
    identity = current_user._get_current_object()
    form = ConfirmForm()
    if not isinstance(identity, User) or not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    try:
        tenant_id = uuid.UUID(request.form.get("tenant_id", ""))
    except ValueError:
        abort(404)
    # Membership decides, not the submitted id: another tenant's id simply is not found.
    if membership_principal(identity, tenant_id) is None:
        abort(404)
    session[SESSION_TENANT] = str(tenant_id)
    session.pop(SESSION_CLIENT, None)
    return redirect(url_for("web_pages.dashboard"))


@bp.post("/switch/client")
@staff_required()
def switch_client():  # type: ignore[no-untyped-def]
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, description="The form expired; reload the page and try again.")
    raw = request.form.get("client_id", "")
    if not raw:
        session.pop(SESSION_CLIENT, None)
        return redirect(request.referrer or url_for("web_pages.dashboard"))
    from tenants.operations import get_client

    try:
        client = get_client(uuid.UUID(raw), web_principal())
    except ValueError:
        abort(404)
    session[SESSION_CLIENT] = str(client.id)
    return redirect(url_for("web_pages.dashboard"))


@bp.post("/language")
def set_language():  # type: ignore[no-untyped-def]
    form = ConfirmForm()
    language = request.form.get("language")
    if form.validate_on_submit() and language in ("en", "de"):
        session["locale"] = language
    target = request.referrer or url_for("web_pages.index")
    return redirect(target if target.startswith(request.host_url) else url_for("web_pages.index"))


@bp.get("/creator")
@creator_required
def creator_home():  # type: ignore[no-untyped-def]
    identity = current_user._get_current_object()
    return render_template("creator_home.html", relations=tenants_of_creator(identity.id))
