"""The members page: who is in the account with which role, pending invitations, inviting someone.

Everyone in the account may look; changing anything needs the admin role. The rules (who may
grant which role, the last owner stays) live in the operations; this module shows their answers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from service.errors import AppError
from service.extensions import db
from service.invitations import operations as invitations
from service.invitations.models import InvitationKind
from service.web.forms import ConfirmForm, InviteMemberForm, MemberForm, choices, show_refusal
from service.web.i18n import role_label, translate_message
from service.web.pages import form_expired, staff_required, web_principal
from service.web.transaction import transactional
from tenants import operations as tenant_ops
from tenants.access import Principal
from tenants.models import Membership, Tenant
from tenants.roles import Role, grantable_roles

bp = Blueprint("web_team", __name__)


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    client_names: list[str] | None  # None: every client
    client_ids: frozenset[str]  # the ticked boxes of the client access form
    can_manage: bool
    is_self: bool


def role_choices(principal: Principal) -> list[tuple[str, str]]:
    return [(role.value, role_label(role)) for role in grantable_roles(principal.role or Role.VIEWER)]


def client_names(principal: Principal) -> dict[uuid.UUID, str]:
    """Every client of the account by id; names only, so a limited admin still reads who is limited to what."""
    everyone = replace(principal, client_ids=None)
    return {c.id: c.name for c in db.session.execute(tenant_ops.visible_clients_query(everyone)).scalars()}


def _tenant(principal: Principal) -> Tenant:
    tenant = db.session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    return tenant


def _client_choices(principal: Principal) -> list[tuple[str, str]]:
    if not _tenant(principal).is_agency:
        return []
    visible = db.session.execute(tenant_ops.visible_clients_query(principal)).scalars()
    return [(str(c.id), c.name) for c in visible]


def _prepare(form: InviteMemberForm | MemberForm, principal: Principal) -> None:
    form.role.choices = choices(role_choices(principal))
    form.client_ids.choices = choices(_client_choices(principal))


def _member_rows(principal: Principal) -> list[MemberRow]:
    names = client_names(principal)
    actor_rank = (principal.role or Role.VIEWER).rank
    rows = []
    for membership in db.session.execute(tenant_ops.members_query()).unique().scalars():
        limited = membership.client_ids
        rows.append(
            MemberRow(
                membership=membership,
                client_names=None if limited is None else sorted(names.get(c, "?") for c in limited),
                client_ids=frozenset(str(c) for c in limited or ()),
                can_manage=principal.has_role(Role.ADMIN) and Role(membership.role).rank <= actor_rank,
                is_self=membership.user_id == principal.id,
            )
        )
    return rows


def render_members(invite_form: InviteMemberForm | None = None, error: str | None = None, status: int = 200) -> Any:
    principal = web_principal()
    if invite_form is None:
        invite_form = InviteMemberForm(formdata=None, role="manager")
    _prepare(invite_form, principal)
    pending = []
    if principal.has_role(Role.ADMIN):
        query = invitations.pending_invitations_query(InvitationKind.USER)
        pending = list(db.session.execute(query).scalars())
    page = render_template(
        "team/members.html",
        rows=_member_rows(principal),
        pending=pending,
        invite_form=invite_form,
        role_choices=role_choices(principal),
        client_choices=_client_choices(principal),
        can_admin=principal.has_role(Role.ADMIN),
        error=error,
    )
    return page, status


def _failed(failure: AppError, form: InviteMemberForm | None = None) -> Any:
    """Show an operation's refusal on the page; nothing of the refused change is kept."""
    db.session.rollback()
    message = show_refusal(form, failure) if form is not None else translate_message(failure.message)
    return render_members(invite_form=form, error=message, status=failure.status_code)


@bp.get("/settings/members")
@staff_required(Role.VIEWER)
def members() -> ResponseReturnValue:
    return render_members()


@bp.post("/settings/members/invite")
@staff_required(Role.ADMIN)
@transactional
def invite_member() -> ResponseReturnValue:
    principal = web_principal()
    form = InviteMemberForm()
    _prepare(form, principal)
    if not form.validate_on_submit():
        return render_members(invite_form=form, status=400)
    client_ids = [uuid.UUID(c) for c in form.client_ids.data or []]
    try:
        invitations.invite_user(form.email.data or "", Role(form.role.data), client_ids or None, principal)
    except AppError as failure:
        return _failed(failure, form)
    flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
    return redirect(url_for("web_team.members"))


@bp.post("/settings/members/<uuid:membership_id>")
@staff_required(Role.ADMIN)
@transactional
def update_member(membership_id: uuid.UUID) -> ResponseReturnValue:
    principal = web_principal()
    tenant_ops.get_membership(membership_id)  # another tenant's member is "not found", before any form check
    form = MemberForm()
    _prepare(form, principal)
    if not form.validate_on_submit():
        problems = [f"{form[name].label.text}: {message}" for name, errs in form.errors.items() for message in errs]
        return render_members(error=" ".join(problems), status=400)
    changes: dict[str, Any] = {"role": form.role.data}
    if _tenant(principal).is_agency:
        picked = [uuid.UUID(c) for c in form.client_ids.data or []]
        changes["client_ids"] = picked or None
    try:
        membership = tenant_ops.update_membership(membership_id, changes, principal)
    except AppError as failure:
        return _failed(failure)
    flash(_("%(name)s is now %(role)s.", name=membership.user.name, role=role_label(membership.role)), "success")
    return redirect(url_for("web_team.members"))


@bp.post("/settings/members/<uuid:membership_id>/remove")
@staff_required(Role.ADMIN)
@transactional
def remove_member(membership_id: uuid.UUID) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        form_expired()
    try:
        name = tenant_ops.get_membership(membership_id).user.name
        tenant_ops.remove_membership(membership_id, web_principal())
    except AppError as failure:
        return _failed(failure)
    flash(_("%(name)s was removed from the account.", name=name), "success")
    return redirect(url_for("web_team.members"))


@bp.post("/settings/invitations/<uuid:invitation_id>/revoke")
@staff_required(Role.ADMIN)
@transactional
def revoke_invitation(invitation_id: uuid.UUID) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        form_expired()
    invitation = invitations.revoke_invitation(invitation_id)
    flash(_("The invitation to %(email)s was revoked.", email=invitation.email), "success")
    if invitation.kind == InvitationKind.CREATOR.value:
        return redirect(url_for("web_creators.creators"))
    return redirect(url_for("web_team.members"))
