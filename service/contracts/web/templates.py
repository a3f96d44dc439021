"""The owners' and admins' page of contract templates: the built-in ones, their own versions, upload, preview,
retire. A refused upload shows every problem with its file and line, and nothing is stored."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.contracts import templates
from service.contracts.downloads import html_response
from service.contracts.models import TenantTemplate
from service.contracts.web.common import message
from service.documents.catalogue import list_templates
from service.documents.errors import Problem, RenderError, TemplateValidationError
from service.documents.uploads import MAX_ENTRIES, MAX_TOTAL_BYTES, files_from_form
from service.errors import AppError, NotFound
from service.extensions import db
from service.web.pages import staff_required, web_principal
from service.web.transaction import transactional
from tenants.roles import Role

bp = Blueprint("web_contract_templates", __name__)


def _own(template_id: uuid.UUID) -> TenantTemplate:
    try:
        return templates.get_tenant_template(template_id)
    except NotFound:
        abort(404)


def _index_page(problems: list[Problem] | None = None, error: str | None = None, status: int = 200) -> Any:
    page = render_template(
        "contracts/templates.html",
        builtin=list_templates(),
        own=templates.tenant_templates_list(),
        problems=problems or [],
        error=error,
        max_files=MAX_ENTRIES,
        max_kb=MAX_TOTAL_BYTES // 1024,
    )
    return page, status


@bp.get("/contracts/templates")
@staff_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    return _index_page()


@bp.post("/contracts/templates")
@staff_required(Role.ADMIN)
@transactional
def upload() -> ResponseReturnValue:
    try:
        files = files_from_form(None, request.files.getlist("files"))
        row = templates.upload_template(files, web_principal())
    except TemplateValidationError as refused:
        db.session.rollback()
        return _index_page(refused.problems, _("The template was refused; nothing was stored."), 422)
    except AppError as failure:
        db.session.rollback()
        return _index_page(error=message(failure.message), status=failure.status_code)
    flash(_("Stored as %(ref)s. It is offered for new contracts now.", ref=row.ref), "success")
    return redirect(url_for("web_contract_templates.detail", template_id=row.id)), 303


@bp.get("/contracts/templates/<uuid:template_id>")
@staff_required(Role.ADMIN)
def detail(template_id: uuid.UUID) -> ResponseReturnValue:
    row = _own(template_id)
    return render_template("contracts/template_detail.html", row=row, files=sorted(row.files))


@bp.get("/contracts/templates/<uuid:template_id>/preview")
@staff_required(Role.ADMIN)
def preview(template_id: uuid.UUID) -> ResponseReturnValue:
    row = _own(template_id)
    try:
        return html_response(templates.preview_html(row))
    except RenderError as failure:
        return render_template("errors/error.html", error={"status": 422, "message": failure.message}), 422


@bp.post("/contracts/templates/<uuid:template_id>/retire")
@staff_required(Role.ADMIN)
@transactional
def retire(template_id: uuid.UUID) -> ResponseReturnValue:
    row = _own(template_id)
    templates.retire_template(row.id, web_principal())
    flash(_("%(ref)s is retired: it is no longer offered for new contracts.", ref=row.ref), "success")
    return redirect(url_for("web_contract_templates.detail", template_id=row.id)), 303
