"""The creators page: the influencers and employees the account works with, and inviting one.

In an agency the list follows the client switcher: a selected client shows its creators and the
account-wide ones; "all clients" shows everyone the member may see. Managers and above invite.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.creators.models import CreatorKind
from service.creators.operations import creator_relations_query
from service.errors import AppError
from service.extensions import db
from service.invitations import operations as invitations
from service.invitations.models import Invitation, InvitationKind
from service.web.forms import InviteCreatorForm, choices, show_refusal
from service.web.pages import selected_client_id, staff_required, web_principal
from service.web.transaction import transactional
from tenants.access import Principal
from tenants.models import Client, Tenant
from tenants.operations import visible_clients_query
from tenants.roles import Role

bp = Blueprint("web_creators", __name__)


def _tenant(principal: Principal) -> Tenant:
    tenant = db.session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    return tenant


def _visible_clients(principal: Principal) -> list[Client]:
    return list(db.session.execute(visible_clients_query(principal)).scalars())


def _prepare(form: InviteCreatorForm, principal: Principal, tenant: Tenant) -> None:
    """Offer only the clients this member may work for; a member limited to clients must pick one."""
    options = [(str(c.id), c.name) for c in _visible_clients(principal)] if tenant.is_agency else []
    if principal.client_ids is None:
        options.insert(0, ("", _("No specific client")))
    form.client_id.choices = choices(options)


def _new_invite_form(principal: Principal, tenant: Tenant) -> InviteCreatorForm:
    selected = selected_client_id()
    form = InviteCreatorForm(formdata=None, client_id=str(selected) if selected else "", locale=tenant.default_locale)
    _prepare(form, principal, tenant)
    return form


def _pending_invitations(principal: Principal, client_id: uuid.UUID | None) -> list[Invitation]:
    query = invitations.pending_invitations_query(InvitationKind.CREATOR)
    return [
        invitation
        for invitation in db.session.execute(query).scalars()
        if principal.can_access_client(invitation.client_id)
        and (client_id is None or invitation.client_id in (client_id, None))
    ]


def render_creators(form: InviteCreatorForm | None = None, error: str | None = None, status: int = 200) -> Any:
    principal = web_principal()
    tenant = _tenant(principal)
    client_id = selected_client_id() if tenant.is_agency else None
    relations = db.session.execute(creator_relations_query(principal, client_id)).unique().scalars().all()
    can_invite = principal.has_role(Role.MANAGER)
    page = render_template(
        "creators/index.html",
        relations=relations,
        client_names={c.id: c.name for c in _visible_clients(principal)},
        filter_client_id=client_id,
        invite_form=(form or _new_invite_form(principal, tenant)) if can_invite else None,
        pending=_pending_invitations(principal, client_id) if can_invite else [],
        can_revoke=principal.has_role(Role.ADMIN),
        is_agency=tenant.is_agency,
        error=error,
    )
    return page, status


@bp.get("/creators")
@staff_required(Role.VIEWER)
def creators() -> ResponseReturnValue:
    return render_creators()


@bp.post("/creators")
@staff_required(Role.MANAGER)
@transactional
def invite_creator() -> ResponseReturnValue:
    principal = web_principal()
    tenant = _tenant(principal)
    form = InviteCreatorForm()
    _prepare(form, principal, tenant)
    if tenant.is_agency and principal.client_ids is not None and not form.client_id.data:
        form.client_id.errors = [_("Choose the client this creator works for.")]
        return render_creators(form, status=400)
    if not form.validate_on_submit():
        return render_creators(form, status=400)
    client_id = uuid.UUID(form.client_id.data) if tenant.is_agency and form.client_id.data else None
    try:
        invitations.invite_creator(
            form.email.data or "",
            form.name.data or "",
            CreatorKind(form.creator_kind.data),
            client_id,
            principal,
            locale=form.locale.data,
        )
    except AppError as failure:
        db.session.rollback()
        return render_creators(form, error=show_refusal(form, failure), status=failure.status_code)
    flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
    return redirect(url_for("web_creators.creators"))
