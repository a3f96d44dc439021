"""Inviting users and creators by email, and accepting an invitation through its link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, func, select

from service.accounts.models import Creator, User
from service.audit.operations import record_event
from service.billing.limits import require_within_plan
from service.billing.seats import seats_changed
from service.creators.models import CreatorKind, CreatorRelation
from service.emails.operations import queue_templated_email
from service.errors import AppError, Conflict, Forbidden, NotFound
from service.extensions import db
from service.invitations.models import Invitation, InvitationKind
from service.models import utcnow
from service.security import hash_password, hash_token, new_token
from service.webhooks.events import emit_event
from tenants.access import Principal, PrincipalKind
from tenants.context import tenant_scope, unscoped
from tenants.models import Membership, Tenant
from tenants.operations import resolve_client_ids, set_member_clients
from tenants.roles import Role, grantable_roles


class InvitationInvalid(AppError):
    """The link is unknown, used, revoked or expired: say so plainly, without telling which tenant."""

    status_code = 410


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str


def _link(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/invitations/{token}"


def _new_invitation(**fields: object) -> IssuedInvitation:
    token = new_token()
    ttl = timedelta(seconds=current_app.config["INVITATION_TTL_SECONDS"])
    invitation = Invitation(token_hash=hash_token(token), expires_at=utcnow() + ttl, **fields)
    db.session.add(invitation)
    db.session.flush()
    return IssuedInvitation(invitation, token)


def _tenant(tenant_id: uuid.UUID | None) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    assert tenant is not None
    return tenant


def _send_invitation(issued: IssuedInvitation, principal: Principal, locale: str) -> None:
    invitation = issued.invitation
    tenant = _tenant(invitation.tenant_id)
    queue_templated_email(
        invitation.email,
        f"invitation_{invitation.kind}",
        locale,
        tenant_id=tenant.id,
        tenant=tenant,
        invitation=invitation,
        inviter=principal.label,
        link=_link(issued.token),
        expires_at=invitation.expires_at,
    )
    record_event(
        "invitation.created",
        target_type="invitation",
        target_id=invitation.id,
        details={
            "email": invitation.email,
            "kind": invitation.kind,
            "role": invitation.role,
            "creator_kind": invitation.creator_kind,
        },
    )
    emit_event(
        "invitation.created", {"invitation_id": str(invitation.id), "kind": invitation.kind, "email": invitation.email}
    )


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def invite_user(
    email: str, role: Role, client_ids: list[uuid.UUID] | None, principal: Principal, name: str | None = None
) -> IssuedInvitation:
    email = _normalise_email(email)
    if role not in grantable_roles(principal.role or Role.VIEWER):
        raise Forbidden(f"You cannot invite someone as {role.value}.", {"role": ["Above what you may grant."]})
    already = db.session.execute(
        select(Membership.id).join(Membership.user).where(func.lower(User.email) == email)
    ).first()
    if already is not None:
        raise Conflict("This person is already a member.", {"email": ["Already a member."]})
    require_within_plan("seat")
    # An empty list means every client; a manager limited to some clients lists them.
    limited = [str(c) for c in resolve_client_ids(client_ids or [])]
    issued = _new_invitation(
        kind=InvitationKind.USER.value,
        email=email,
        name=name,
        role=role.value,
        client_ids=limited,
        invited_by_id=principal.id,
    )
    _send_invitation(issued, principal, _tenant(issued.invitation.tenant_id).default_locale)
    return issued


def invite_creator(
    email: str,
    name: str,
    creator_kind: CreatorKind,
    client_id: uuid.UUID | None,
    principal: Principal,
    locale: str | None = None,
) -> IssuedInvitation:
    email = _normalise_email(email)
    if client_id is not None:
        resolve_client_ids([client_id])
    if not principal.can_access_client(client_id):
        # A member limited to some clients invites creators only for those clients.
        raise Forbidden("You can invite creators only for your own clients.", {"client_id": ["Not one of yours."]})
    linked = db.session.execute(
        select(CreatorRelation.id).join(CreatorRelation.creator).where(func.lower(Creator.email) == email)
    ).first()
    if linked is not None:
        raise Conflict("This creator already works with you.", {"email": ["Already linked."]})
    issued = _new_invitation(
        kind=InvitationKind.CREATOR.value,
        email=email,
        name=name,
        creator_kind=creator_kind.value,
        client_id=client_id,
        invited_by_id=principal.id,
    )
    _send_invitation(issued, principal, locale or _tenant(issued.invitation.tenant_id).default_locale)
    return issued


def invitations_query():
    return select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id)


def pending_invitations_query(kind: InvitationKind) -> Select[Invitation]:
    """Invitations of one kind that can still be accepted, newest first."""
    return (
        invitations_query()
        .where(Invitation.kind == kind.value)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
    )


def account_for_invitation(invitation: Invitation) -> User | None:
    """The existing user account with the invited email, if any: that person signs in before joining."""
    return db.session.execute(select(User).where(func.lower(User.email) == invitation.email)).scalar_one_or_none()


def get_invitation(invitation_id: uuid.UUID) -> Invitation:
    found = db.session.execute(select(Invitation).where(Invitation.id == invitation_id)).scalar_one_or_none()
    if found is None:
        raise NotFound("No invitation with this id in your account.")
    return found


def revoke_invitation(invitation_id: uuid.UUID) -> Invitation:
    invitation = get_invitation(invitation_id)
    if invitation.status == "pending":
        invitation.revoked_at = utcnow()
        record_event(
            "invitation.revoked", target_type="invitation", target_id=invitation.id, details={"email": invitation.email}
        )
    return invitation


# --- accepting -----------------------------------------------------------------------------------


def find_open_invitation(token: str) -> Invitation:
    """The pending invitation behind a link. The token is the credential, so the lookup is cross-tenant."""
    with unscoped("resolve an invitation link to its tenant"):
        invitation = db.session.execute(
            select(Invitation).where(Invitation.token_hash == hash_token(token))
        ).scalar_one_or_none()
    if invitation is None or invitation.status != "pending":
        raise InvitationInvalid("This invitation link is invalid, expired or already used. Ask for a new one.")
    return invitation


def accept_user_invitation(
    token: str, *, existing_user: User | None, name: str | None = None, password: str | None = None
) -> tuple[User, Membership]:
    """Join the inviting tenant, as the signed-in user with the invited email, or as a new user."""
    invitation = find_open_invitation(token)
    if invitation.kind != InvitationKind.USER.value:
        raise InvitationInvalid("This link invites a creator; open it from the creator sign-in.")
    user = (
        existing_user
        or db.session.execute(select(User).where(func.lower(User.email) == invitation.email)).scalar_one_or_none()
    )
    if user is not None and user.email.lower() != invitation.email:
        raise Forbidden("This invitation was sent to another email address than the one you are signed in with.")
    if user is None:
        if not name or not password:
            raise AppError("Choose your name and a password to join.", {"password": ["Required."]}, 422)
        user = User(email=invitation.email, name=name, password_hash=hash_password(password))
        db.session.add(user)
        db.session.flush()
    with tenant_scope(invitation.tenant_id):
        invitation.accepted_at = utcnow()
        existing = db.session.execute(select(Membership).where(Membership.user_id == user.id)).scalar_one_or_none()
        if existing is not None:
            return user, existing  # joined meanwhile through another invitation: nothing more to do
        membership = Membership(user_id=user.id, role=invitation.role or Role.VIEWER.value)
        db.session.add(membership)
        limited = [uuid.UUID(c) for c in invitation.client_ids] if invitation.client_ids else None
        set_member_clients(membership, limited)
        db.session.flush()
        actor = Principal(kind=PrincipalKind.USER, id=user.id, label=user.email, tenant_id=invitation.tenant_id)
        record_event(
            "member.joined",
            target_type="membership",
            target_id=membership.id,
            actor=actor,
            details={"email": user.email, "role": membership.role},
        )
        emit_event("member.joined", {"membership_id": str(membership.id), "email": user.email, "role": membership.role})
        seats_changed()
    return user, membership


def accept_creator_invitation(token: str) -> tuple[Creator, CreatorRelation]:
    """Link the creator identity for the invited email (created if new) to the inviting tenant."""
    invitation = find_open_invitation(token)
    if invitation.kind != InvitationKind.CREATOR.value:
        raise InvitationInvalid("This link invites a team member, not a creator.")
    creator = db.session.execute(
        select(Creator).where(func.lower(Creator.email) == invitation.email)
    ).scalar_one_or_none()
    if creator is None:
        creator = Creator(email=invitation.email, name=invitation.name or invitation.email)
        db.session.add(creator)
        db.session.flush()
    with tenant_scope(invitation.tenant_id):
        invitation.accepted_at = utcnow()
        existing = db.session.execute(
            select(CreatorRelation).where(CreatorRelation.creator_id == creator.id)
        ).scalar_one_or_none()
        if existing is not None:
            return creator, existing
        relation = CreatorRelation(
            creator_id=creator.id,
            kind=invitation.creator_kind or CreatorKind.INFLUENCER.value,
            client_id=invitation.client_id,
        )
        db.session.add(relation)
        db.session.flush()
        actor = Principal(kind=PrincipalKind.CREATOR, id=creator.id, label=creator.email)
        record_event(
            "creator.joined",
            target_type="creator_relation",
            target_id=relation.id,
            actor=actor,
            details={"email": creator.email, "kind": relation.kind},
        )
        emit_event("creator.joined", {"creator_relation_id": str(relation.id), "kind": relation.kind})
    return creator, relation
