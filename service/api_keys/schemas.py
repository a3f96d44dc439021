"""API key input and output schemas. The secret appears only in the creation response."""

from __future__ import annotations

import marshmallow as ma

from service.api import InputSchema, OutputSchema
from tenants.roles import Role


class ApiKeyOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    name = ma.fields.String(dump_only=True)
    prefix = ma.fields.Function(lambda key: f"fp_{key.lookup_prefix}_…", dump_only=True)
    role = ma.fields.String(dump_only=True)
    status = ma.fields.String(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)
    expires_at = ma.fields.DateTime(dump_only=True)
    last_used_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    revoked_at = ma.fields.DateTime(dump_only=True, allow_none=True)


class ApiKeyCreatedOut(ApiKeyOut):
    secret = ma.fields.String(dump_only=True, metadata={"description": "The key. Shown once; store it now."})


class ApiKeyIn(InputSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    role = ma.fields.String(
        load_default=Role.VIEWER.value,
        validate=ma.validate.OneOf([Role.ADMIN.value, Role.MANAGER.value, Role.VIEWER.value]),
    )
    expires_in_days = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=730))
