"""REST operations on invitations. Creating one emails the invitee a single-use link."""

from __future__ import annotations

import uuid
from typing import Any

from service.api import ApiView, PageArgs, api_blueprint, idempotent, page_of, paginate, principal, require_role
from service.creators.models import CreatorKind
from service.invitations import operations as ops
from service.invitations.schemas import CreatorInvitationIn, InvitationOut, UserInvitationIn
from tenants.roles import Role

blp = api_blueprint("invitations", "/invitations", "Invite team members and creators by email.")


@blp.route("")
class Invitations(ApiView):
    @require_role(Role.ADMIN)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(InvitationOut))
    def get(self, args: dict) -> Any:
        """List invitations"""
        return paginate(ops.invitations_query(), **args)


@blp.route("/users")
class UserInvitations(ApiView):
    @require_role(Role.ADMIN)
    @idempotent
    @blp.arguments(UserInvitationIn)
    @blp.response(201, InvitationOut)
    def post(self, data: dict) -> Any:
        """Invite a team member"""
        return ops.invite_user(
            data["email"], Role(data["role"]), data.get("client_ids"), principal(), name=data.get("name")
        ).invitation


@blp.route("/creators")
class CreatorInvitations(ApiView):
    @require_role(Role.MANAGER)
    @idempotent
    @blp.arguments(CreatorInvitationIn)
    @blp.response(201, InvitationOut)
    def post(self, data: dict) -> Any:
        """Invite a creator (influencer or employee)"""
        return ops.invite_creator(
            data["email"],
            data["name"],
            CreatorKind(data["creator_kind"]),
            data.get("client_id"),
            principal(),
            locale=data.get("locale"),
        ).invitation


@blp.route("/<uuid:invitation_id>")
class InvitationById(ApiView):
    @require_role(Role.ADMIN)
    @blp.response(200, InvitationOut)
    def get(self, invitation_id: uuid.UUID) -> Any:
        """Get an invitation"""
        return ops.get_invitation(invitation_id)

    @require_role(Role.ADMIN)
    @blp.response(200, InvitationOut)
    def delete(self, invitation_id: uuid.UUID) -> Any:
        """Revoke a pending invitation"""
        return ops.revoke_invitation(invitation_id)
