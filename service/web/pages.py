"""The signed-in pages: dashboard, tenant/client switcher, language, creator home; and the layout."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from service.access import SESSION_CLIENT, SESSION_TENANT
from service.accounts.models import Creator, User
from service.creators.operations import tenants_of_creator
from service.errors import NotFound
from service.extensions import db
from service.web import i18n
from service.web.forms import ConfirmForm
from service.web.outbox import outbox_enabled
from tenants.access import Principal, current_principal
from tenants.memberships import membership_principal, tenants_of_user
from tenants.models import Tenant
from tenants.operations import get_client, visible_clients_query
from tenants.roles import Role

bp = Blueprint("web_pages", __name__)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy string: rendered in the reader's language
    minimum: Role
    # The item is highlighted on these endpoints or whole blueprints (besides its own endpoint).
    also_on: tuple[str, ...] = ()

    def is_current(self) -> bool:
        return request.endpoint == self.endpoint or bool({request.endpoint, request.blueprint} & set(self.also_on))


# The main navigation, in order. Pages of other engineers appear once their endpoint is registered.
NAVIGATION = (
    NavItem("web_pages.dashboard", _l("Overview"), Role.VIEWER),
    NavItem("web_contracts.index", _l("Contracts"), Role.VIEWER, also_on=("web_contracts",)),
    NavItem("web_creators.creators", _l("Creators"), Role.VIEWER, also_on=("web_creators",)),
    NavItem("web_disclosure.campaigns", _l("Campaigns"), Role.VIEWER, also_on=("web_disclosure",)),
    NavItem("web_team.members", _l("Members"), Role.VIEWER, also_on=("web_team",)),
    NavItem("web_settings.api_keys", _l("API keys"), Role.ADMIN, also_on=("web_settings.create_api_key",)),
    NavItem("web_webhooks.endpoints", _l("Webhooks"), Role.ADMIN, also_on=("web_webhooks",)),
    NavItem("web_settings.audit_log", _l("Audit log"), Role.ADMIN),
)


def staff_required(minimum: Role = Role.VIEWER) -> Callable[[F], F]:
    """Web pages for brand/agency staff: sign in first, be a member of a tenant, have the role."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not isinstance(current_user._get_current_object(), User):
                # Come back after signing in to a page, not to a form's target (a GET there would be a 405).
                back = request.path if request.method == "GET" else None
                return redirect(url_for("web_auth.login", next=back))
            principal = current_principal()
            if principal is None or principal.tenant_id is None:
                return redirect(url_for("web_pages.choose_tenant"))
            if not principal.has_role(minimum):
                abort(403, description=_("This page needs the %(role)s role or higher.", role=i18n.role_label(minimum)))
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
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


def form_expired() -> NoReturn:
    abort(400, description=_("The form expired; reload the page and try again."))


def safe_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site; never a redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target.removesuffix("?")  # request.full_path ends in "?" when there is no query


def back_to(default: str) -> Response:
    """Return to the page the form was on (its hidden ``next`` field), or to ``default``."""
    return redirect(safe_path(request.form.get("next")) or default)


def navigation(principal: Principal | None) -> list[NavItem]:
    if principal is None or principal.tenant_id is None:
        return []
    registered = current_app.view_functions
    return [item for item in NAVIGATION if item.endpoint in registered and principal.has_role(item.minimum)]


@bp.app_context_processor
def layout_context() -> dict[str, Any]:
    """What the layout shows: the navigation, the tenant and client switchers, the signed-in person."""
    if not has_request_context():
        return {}  # an email rendered by a job or a command: no page around it
    principal = current_principal()
    context: dict[str, Any] = {
        "principal": principal,
        "confirm_form": ConfirmForm(),
        "Role": Role,
        "nav_items": navigation(principal),
        "outbox_enabled": outbox_enabled(),
    }
    if principal is None or principal.tenant_id is None:
        return context
    tenant = db.session.get(Tenant, principal.tenant_id)
    context["tenant"] = tenant
    context["my_tenants"] = (g.get("my_tenants") or tenants_of_user(principal.id)) if principal.id else []
    if tenant is not None and tenant.is_agency:
        context["clients"] = db.session.execute(visible_clients_query(principal)).scalars().all()
        context["selected_client_id"] = selected_client_id()
    return context


@bp.app_template_global()
def role_label(role: Any) -> str:
    return i18n.role_label(role)


@bp.app_template_global()
def creator_kind_label(kind: Any) -> str:
    return i18n.creator_kind_label(kind)


@bp.app_template_global()
def translate_message(message: Any) -> str:
    return i18n.translate_message(message)


@bp.app_template_global()
def status_phrase(code: int) -> str:
    return i18n.status_phrase(code)


@bp.get("/")
def index() -> ResponseReturnValue:
    identity = current_user._get_current_object()
    if isinstance(identity, Creator):
        return redirect(url_for("web_pages.creator_home"))
    if isinstance(identity, User):
        return redirect(url_for("web_pages.dashboard"))
    return render_template("home.html")


@bp.get("/app")
@staff_required()
def dashboard() -> ResponseReturnValue:
    return render_template("dashboard.html")


@bp.get("/tenants")
def choose_tenant() -> ResponseReturnValue:
    identity = current_user._get_current_object()
    if not isinstance(identity, User):
        return redirect(url_for("web_auth.login"))
    return render_template("choose_tenant.html", my_tenants=tenants_of_user(identity.id))


@bp.post("/switch/tenant")
def switch_tenant() -> ResponseReturnValue:
    identity = current_user._get_current_object()
    if not isinstance(identity, User):
        return redirect(url_for("web_auth.login"))
    if not ConfirmForm().validate_on_submit():
        form_expired()
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
def switch_client() -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        form_expired()
    raw = request.form.get("client_id", "")
    if not raw:
        session.pop(SESSION_CLIENT, None)
        return back_to(url_for("web_pages.dashboard"))
    try:
        client = get_client(uuid.UUID(raw), web_principal())
    except (ValueError, NotFound):
        abort(404)
    session[SESSION_CLIENT] = str(client.id)
    # Stay on the page the switch was made from: the creators page then shows this client's creators.
    return back_to(url_for("web_pages.dashboard"))


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    form = ConfirmForm()
    language = request.form.get("language")
    if form.validate_on_submit() and language in ("en", "de"):
        session["locale"] = language
    return back_to(url_for("web_pages.index"))


@bp.get("/creator")
@creator_required
def creator_home() -> ResponseReturnValue:
    identity = current_user._get_current_object()
    return render_template("creator_home.html", relations=tenants_of_creator(identity.id))
