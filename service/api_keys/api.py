"""REST operations on API keys."""

from __future__ import annotations

import uuid
from typing import Any

from service.api import ApiView, PageArgs, api_blueprint, idempotent, page_of, paginate, principal, require_role
from service.api_keys import operations as ops
from service.api_keys.schemas import ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut
from tenants.roles import Role

blp = api_blueprint("api_keys", "/api-keys", "Keys for this API; each acts with a role in one account.")


@blp.route("")
class ApiKeys(ApiView):
    @require_role(Role.ADMIN)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ApiKeyOut))
    def get(self, args: dict) -> Any:
        """List API keys"""
        return paginate(ops.list_api_keys_query(), **args)

    @require_role(Role.ADMIN)
    @idempotent
    @blp.arguments(ApiKeyIn)
    @blp.response(201, ApiKeyCreatedOut)
    def post(self, data: dict) -> Any:
        """Create an API key (its secret is shown once)"""
        issued = ops.issue_api_key(
            data["name"], Role(data["role"]), actor=principal(), expires_in_days=data.get("expires_in_days")
        )
        issued.api_key.secret = issued.secret  # transient attribute for this one response
        return issued.api_key


@blp.route("/<uuid:key_id>")
class ApiKeyById(ApiView):
    @require_role(Role.ADMIN)
    @blp.response(200, ApiKeyOut)
    def get(self, key_id: uuid.UUID) -> Any:
        """Get an API key"""
        return ops.get_api_key(key_id)

    @require_role(Role.ADMIN)
    @blp.response(200, ApiKeyOut)
    def delete(self, key_id: uuid.UUID) -> Any:
        """Revoke an API key"""
        return ops.revoke_api_key(key_id)
