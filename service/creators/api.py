"""REST operations on the creators the tenant works with."""

from __future__ import annotations

import uuid
from typing import Any

from service.api import ApiView, api_blueprint, page_of, paginate, principal, require_role
from service.creators import operations as ops
from service.creators.schemas import CreatorListArgs, CreatorOut
from tenants.roles import Role

blp = api_blueprint("creators", "/creators", "Influencers and employee creators the account works with.")


@blp.route("")
class Creators(ApiView):
    @require_role(Role.VIEWER)
    @blp.arguments(CreatorListArgs, location="query")
    @blp.response(200, page_of(CreatorOut))
    def get(self, args: dict) -> Any:
        """List creators, optionally of one client"""
        query = ops.creator_relations_query(principal(), args.get("client_id"))
        return paginate(query, args["page"], args["per_page"])


@blp.route("/<uuid:relation_id>")
class CreatorById(ApiView):
    @require_role(Role.VIEWER)
    @blp.response(200, CreatorOut)
    def get(self, relation_id: uuid.UUID) -> Any:
        """Get a creator"""
        return ops.get_creator_relation(relation_id, principal())
