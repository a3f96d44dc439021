"""Input and output schemas for the tenant, clients and members."""

from __future__ import annotations

import marshmallow as ma

from service.api import InputSchema, OutputSchema, StrictBoolean
from tenants.roles import Role

ROLE_VALUES = [r.value for r in Role]


class TenantOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    kind = ma.fields.String(dump_only=True)
    name = ma.fields.String(dump_only=True)
    slug = ma.fields.String(dump_only=True)
    default_locale = ma.fields.String(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class ClientOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    name = ma.fields.String(dump_only=True)
    archived = StrictBoolean(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class ClientIn(InputSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class ClientPatch(InputSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    archived = StrictBoolean(truthy={True}, falsy={False})  # JSON true/false only


class MemberOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    user_id = ma.fields.UUID(dump_only=True)
    email = ma.fields.String(attribute="user.email", dump_only=True)
    name = ma.fields.String(attribute="user.name", dump_only=True)
    role = ma.fields.String(dump_only=True)
    all_clients = StrictBoolean(dump_only=True)
    client_ids = ma.fields.List(ma.fields.UUID(), dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)


class MemberPatch(InputSchema):
    role = ma.fields.String(validate=ma.validate.OneOf(ROLE_VALUES))
    client_ids = ma.fields.List(
        ma.fields.UUID(),
        allow_none=True,
        metadata={"description": "Clients a member is limited to; null gives access to every client."},
    )
