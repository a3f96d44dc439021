"""Account settings for admins: API keys and the audit log.

A new key's secret appears once, in the answer to the POST that created it: it is never put in
the session or a flash message, and the page is marked not to be cached.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.api import paginate
from service.api_keys import operations as keys
from service.api_keys.operations import IssuedKey
from service.audit.queries import audit_actions, audit_events_query
from service.errors import AppError
from service.extensions import db
from service.web.forms import ApiKeyForm, ConfirmForm, choices, show_refusal
from service.web.pages import form_expired, staff_required, web_principal
from service.web.team import role_choices
from service.web.transaction import transactional
from tenants.roles import Role

bp = Blueprint("web_settings", __name__)

AUDIT_PER_PAGE = 50


def _new_key_form() -> ApiKeyForm:
    days = current_app.config["API_KEY_DEFAULT_TTL_DAYS"]
    form = ApiKeyForm(formdata=None, role=Role.VIEWER.value, expires_in_days=days)
    form.role.choices = choices(role_choices(web_principal()))
    return form


def render_api_keys(
    form: ApiKeyForm | None = None, issued: IssuedKey | None = None, error: str | None = None, status: int = 200
) -> Any:
    response = make_response(
        render_template(
            "settings/api_keys.html",
            keys=db.session.execute(keys.list_api_keys_query()).scalars().all(),
            form=form or _new_key_form(),
            issued=issued,
            error=error,
        ),
        status,
    )
    # The page may carry a secret: no browser or proxy cache keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/settings/api-keys")
@staff_required(Role.ADMIN)
def api_keys() -> ResponseReturnValue:
    return render_api_keys()


@bp.post("/settings/api-keys")
@staff_required(Role.ADMIN)
@transactional
def create_api_key() -> ResponseReturnValue:
    form = ApiKeyForm()
    form.role.choices = choices(role_choices(web_principal()))
    if not form.validate_on_submit():
        return render_api_keys(form=form, status=400)
    try:
        issued = keys.issue_api_key(
            form.name.data or "", Role(form.role.data), actor=web_principal(), expires_in_days=form.expires_in_days.data
        )
    except AppError as failure:
        db.session.rollback()
        return render_api_keys(form=form, error=show_refusal(form, failure), status=failure.status_code)
    # Flush now so the list below shows the new key; the commit follows when the view returns.
    db.session.flush()
    return render_api_keys(issued=issued)


@bp.post("/settings/api-keys/<uuid:key_id>/revoke")
@staff_required(Role.ADMIN)
@transactional
def revoke_api_key(key_id: uuid.UUID) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        form_expired()
    api_key = keys.revoke_api_key(key_id)
    flash(_("The API key %(name)s was revoked.", name=api_key.name), "success")
    return redirect(url_for("web_settings.api_keys"))


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.get("/settings/audit")
@staff_required(Role.ADMIN)
def audit_log() -> ResponseReturnValue:
    action = request.args.get("action", "").strip() or None
    page = paginate(audit_events_query(action), page=_page_number(), per_page=AUDIT_PER_PAGE)
    pages = max(1, -(-page["total"] // AUDIT_PER_PAGE))
    return render_template("settings/audit.html", page=page, pages=pages, action=action, actions=audit_actions())
