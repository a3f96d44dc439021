"""REST operations on the current tenant, its clients and its members."""

from __future__ import annotations

import uuid
from typing import Any

from service.api import ApiView, PageArgs, api_blueprint, idempotent, page_of, paginate, principal, require_role
from service.extensions import db
from service.tenancy.schemas import ClientIn, ClientOut, ClientPatch, MemberOut, MemberPatch, TenantOut
from tenants import operations as ops
from tenants.models import Tenant
from tenants.roles import Role

tenant_blp = api_blueprint("tenant", "/tenant", "The account the API key belongs to.")
clients_blp = api_blueprint("clients", "/clients", "An agency's client brands.")
members_blp = api_blueprint("members", "/members", "People with a role in the account.")


@tenant_blp.route("")
class CurrentTenant(ApiView):
    @require_role(Role.VIEWER)
    @tenant_blp.response(200, TenantOut)
    def get(self) -> Any:
        """The tenant of the calling key"""
        return db.session.get(Tenant, principal().tenant_id)


@clients_blp.route("")
class Clients(ApiView):
    @require_role(Role.VIEWER)
    @clients_blp.arguments(PageArgs, location="query")
    @clients_blp.response(200, page_of(ClientOut))
    def get(self, args: dict) -> Any:
        """List client brands"""
        return paginate(ops.visible_clients_query(principal()), **args)

    @require_role(Role.ADMIN)
    @idempotent
    @clients_blp.arguments(ClientIn)
    @clients_blp.response(201, ClientOut)
    def post(self, data: dict) -> Any:
        """Add a client brand (agencies only)"""
        return ops.create_client(data["name"], principal())


@clients_blp.route("/<uuid:client_id>")
class ClientById(ApiView):
    @require_role(Role.VIEWER)
    @clients_blp.response(200, ClientOut)
    def get(self, client_id: uuid.UUID) -> Any:
        """Get a client brand"""
        return ops.get_client(client_id, principal())

    @require_role(Role.ADMIN)
    @clients_blp.arguments(ClientPatch)
    @clients_blp.response(200, ClientOut)
    def patch(self, data: dict, client_id: uuid.UUID) -> Any:
        """Rename or archive a client brand"""
        return ops.update_client(client_id, data, principal())


@members_blp.route("")
class Members(ApiView):
    @require_role(Role.VIEWER)
    @members_blp.arguments(PageArgs, location="query")
    @members_blp.response(200, page_of(MemberOut))
    def get(self, args: dict) -> Any:
        """List members"""
        return paginate(ops.members_query(), **args)


@members_blp.route("/<uuid:membership_id>")
class MemberById(ApiView):
    @require_role(Role.VIEWER)
    @members_blp.response(200, MemberOut)
    def get(self, membership_id: uuid.UUID) -> Any:
        """Get a member"""
        return ops.get_membership(membership_id)

    @require_role(Role.ADMIN)
    @members_blp.arguments(MemberPatch)
    @members_blp.response(200, MemberOut)
    def patch(self, data: dict, membership_id: uuid.UUID) -> Any:
        """Change a member's role or client access"""
        return ops.update_membership(membership_id, data, principal())

    @require_role(Role.ADMIN)
    @members_blp.response(204)
    def delete(self, membership_id: uuid.UUID) -> None:
        """Remove a member from the account"""
        ops.remove_membership(membership_id, principal())


__all__ = ["clients_blp", "members_blp", "tenant_blp"]
