"""Accepting an invitation from its emailed link (GET shows what happens, POST does it).

The link is the credential: it proves the invitee reads that mailbox. A team member joins as the
signed-in user with the invited email, or creates an account here; someone whose account already
exists signs in first, so a link alone never adds a membership to an account it cannot open.
A creator accepts with one button and is signed in. Unknown, used, revoked or expired links get
the 410 page from the operations' ``InvitationInvalid``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from service.access import SESSION_CLIENT, SESSION_TENANT
from service.accounts.models import User
from service.extensions import db, limiter
from service.invitations import operations as ops
from service.invitations.models import Invitation, InvitationKind
from service.web.auth import start_session
from service.web.forms import AcceptInvitationForm, ConfirmForm
from service.web.transaction import transactional
from tenants.models import Tenant

bp = Blueprint("web_invitations", __name__)


def _post_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _page(invitation: Invitation, tenant: Tenant, mode: str, status: int = 200, **context: Any) -> Any:
    page = render_template(
        "invitations/accept.html", invitation=invitation, inviting_tenant=tenant, mode=mode, **context
    )
    return page, status


def _select_tenant(tenant: Tenant) -> None:
    session[SESSION_TENANT] = str(tenant.id)
    session.pop(SESSION_CLIENT, None)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"])
@transactional
def accept(token: str) -> ResponseReturnValue:
    invitation = ops.find_open_invitation(token)
    tenant = db.session.get(Tenant, invitation.tenant_id)
    assert tenant is not None
    if invitation.kind == InvitationKind.CREATOR.value:
        return _accept_as_creator(token, invitation, tenant)
    return _accept_as_member(token, invitation, tenant)


def _accept_as_creator(token: str, invitation: Invitation, tenant: Tenant) -> Any:
    form = ConfirmForm()
    if form.validate_on_submit():
        creator, _relation = ops.accept_creator_invitation(token)
        start_session(creator)
        flash(_("Welcome! You now work with %(tenant)s on Fairpact.", tenant=tenant.name), "success")
        return redirect(url_for("web_pages.creator_home"))
    return _page(invitation, tenant, "creator", form=form)


def _accept_as_member(token: str, invitation: Invitation, tenant: Tenant) -> Any:
    identity = current_user._get_current_object()
    is_post = request.method == "POST"
    if isinstance(identity, User):
        if identity.email.lower() != invitation.email:
            return _page(invitation, tenant, "other_account", status=403 if is_post else 200, signed_in_as=identity)
        return _join_as_signed_in_user(token, invitation, tenant, identity)
    if ops.account_for_invitation(invitation) is not None:
        # The account exists: its owner proves it with the password, then comes back here.
        login_url = url_for("web_auth.login", next=request.path)
        return _page(invitation, tenant, "sign_in", status=409 if is_post else 200, login_url=login_url)
    return _create_account(token, invitation, tenant)


def _join_as_signed_in_user(token: str, invitation: Invitation, tenant: Tenant, user: User) -> Any:
    form = ConfirmForm()
    if form.validate_on_submit():
        ops.accept_user_invitation(token, existing_user=user)
        _select_tenant(tenant)
        flash(_("You joined %(tenant)s.", tenant=tenant.name), "success")
        return redirect(url_for("web_pages.dashboard"))
    return _page(invitation, tenant, "join", form=form)


def _create_account(token: str, invitation: Invitation, tenant: Tenant) -> Any:
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        user, _membership = ops.accept_user_invitation(
            token, existing_user=None, name=form.name.data, password=form.password.data
        )
        start_session(user)
        _select_tenant(tenant)
        flash(_("Welcome to %(tenant)s on Fairpact.", tenant=tenant.name), "success")
        return redirect(url_for("web_pages.dashboard"))
    return _page(invitation, tenant, "register", status=400 if form.errors else 200, form=form)
