"""Web pages for webhook endpoints: register, edit, test, rotate the secret, read the delivery log.

A new or rotated secret is shown in the response to the POST itself, never put in the session or a
flash message: the session cookie is signed, not encrypted.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from service.api import paginate
from service.errors import AppError
from service.extensions import db
from service.web.forms import ConfirmForm
from service.web.pages import staff_required, web_principal
from service.web.transaction import transactional
from service.webhooks import operations as ops
from service.webhooks.delivery import MAX_ATTEMPTS
from service.webhooks.forms import EndpointEditForm, EndpointForm
from service.webhooks.queries import deliveries_query, endpoints_query
from tenants.roles import Role

bp = Blueprint("web_webhooks", __name__, url_prefix="/app/webhooks")

DELIVERIES_PER_PAGE = 25


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))


def _show_errors(form: EndpointForm, failure: AppError) -> None:
    """Put an operation's per-field errors next to the fields; the rest at the top of the form."""
    for name, messages in failure.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.append("; ".join(messages))
    if not failure.errors:
        form.form_errors.append(failure.message)


def _endpoints_page(form: EndpointForm, status: int = 200, issued: ops.IssuedEndpoint | None = None) -> Any:
    endpoints = db.session.execute(endpoints_query()).scalars().all()
    return render_template("webhooks/endpoints.html", endpoints=endpoints, form=form, issued=issued), status


@bp.route("", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
@transactional
def endpoints():
    """List the account's endpoints and register a new one."""
    form = EndpointForm()
    if not form.validate_on_submit():
        return _endpoints_page(form, 422 if form.errors else 200)
    try:
        issued = ops.create_endpoint(
            form.url.data or "", form.event_types.data or [], form.description.data or "", actor=web_principal()
        )
    except AppError as failure:
        _show_errors(form, failure)
        return _endpoints_page(form, failure.status_code)
    return _endpoint_page(issued.endpoint.id, EndpointEditForm(obj=issued.endpoint), issued=issued)


def _endpoint_page(
    endpoint_id: uuid.UUID, form: EndpointEditForm, status: int = 200, issued: ops.IssuedEndpoint | None = None
) -> Any:
    endpoint = ops.get_endpoint(endpoint_id)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    deliveries = paginate(deliveries_query(endpoint.id), page, DELIVERIES_PER_PAGE)
    context = {"endpoint": endpoint, "form": form, "deliveries": deliveries, "issued": issued}
    return render_template("webhooks/endpoint.html", **context), status


@bp.route("/<uuid:endpoint_id>", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
@transactional
def endpoint(endpoint_id: uuid.UUID):
    """One endpoint: its settings (editable) and its delivery log."""
    found = ops.get_endpoint(endpoint_id)  # first: another tenant's id is a 404, whatever the form says
    form = EndpointEditForm(obj=found)
    if not form.validate_on_submit():
        return _endpoint_page(endpoint_id, form, 422 if form.errors else 200)
    changes = {
        "url": form.url.data or "",
        "description": form.description.data or "",
        "event_types": form.event_types.data or [],
        "active": bool(form.active.data),
    }
    try:
        ops.update_endpoint(endpoint_id, changes, actor=web_principal())
    except AppError as failure:
        _show_errors(form, failure)
        return _endpoint_page(endpoint_id, form, failure.status_code)
    flash(_("The endpoint was saved."), "success")
    return redirect(url_for("web_webhooks.endpoint", endpoint_id=endpoint_id))


@bp.post("/<uuid:endpoint_id>/test")
@staff_required(Role.ADMIN)
@transactional
def send_test(endpoint_id: uuid.UUID):
    ops.get_endpoint(endpoint_id)
    _confirmed()
    try:
        ops.send_test(endpoint_id)
        flash(_("A test event is on its way; reload to see the response."), "success")
    except AppError as failure:
        flash(failure.message, "error")
    return redirect(url_for("web_webhooks.endpoint", endpoint_id=endpoint_id))


@bp.post("/<uuid:endpoint_id>/rotate")
@staff_required(Role.ADMIN)
@transactional
def rotate_secret(endpoint_id: uuid.UUID):
    ops.get_endpoint(endpoint_id)
    _confirmed()
    issued = ops.rotate_secret(endpoint_id, actor=web_principal())
    return _endpoint_page(endpoint_id, EndpointEditForm(obj=issued.endpoint), issued=issued)


@bp.post("/<uuid:endpoint_id>/delete")
@staff_required(Role.ADMIN)
@transactional
def delete(endpoint_id: uuid.UUID):
    ops.get_endpoint(endpoint_id)
    _confirmed()
    ops.delete_endpoint(endpoint_id, actor=web_principal())
    flash(_("The endpoint and its delivery log were deleted."), "success")
    return redirect(url_for("web_webhooks.endpoints"))


@bp.get("/deliveries/<uuid:delivery_id>")
@staff_required(Role.ADMIN)
def delivery(delivery_id: uuid.UUID):
    """One delivery: the payload sent and every attempt with its response."""
    found = ops.get_delivery(delivery_id)
    payload = json.dumps(found.payload, indent=2, sort_keys=True, ensure_ascii=False)
    return render_template("webhooks/delivery.html", delivery=found, payload=payload, max_attempts=MAX_ATTEMPTS)


@bp.post("/deliveries/<uuid:delivery_id>/redeliver")
@staff_required(Role.ADMIN)
@transactional
def redeliver(delivery_id: uuid.UUID):
    ops.get_delivery(delivery_id)
    _confirmed()
    try:
        ops.redeliver(delivery_id)
        flash(_("The event is being sent again; reload to see the response."), "success")
    except AppError as failure:
        flash(failure.message, "error")
    return redirect(url_for("web_webhooks.delivery", delivery_id=delivery_id))
