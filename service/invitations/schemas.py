"""Invitation input and output schemas."""

from __future__ import annotations

import marshmallow as ma

from service.api import InputSchema, OutputSchema
from service.creators.models import CreatorKind
from tenants.roles import Role


class InvitationOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    kind = ma.fields.String(dump_only=True)
    email = ma.fields.String(dump_only=True)
    name = ma.fields.String(dump_only=True, allow_none=True)
    role = ma.fields.String(dump_only=True, allow_none=True)
    client_ids = ma.fields.List(ma.fields.String(), dump_only=True)
    creator_kind = ma.fields.String(dump_only=True, allow_none=True)
    client_id = ma.fields.UUID(dump_only=True, allow_none=True)
    status = ma.fields.String(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)
    expires_at = ma.fields.DateTime(dump_only=True)


class UserInvitationIn(InputSchema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf([r.value for r in Role]))
    client_ids = ma.fields.List(
        ma.fields.UUID(), metadata={"description": "Limit a member to these clients; leave out for every client."}
    )


class CreatorInvitationIn(InputSchema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    creator_kind = ma.fields.String(required=True, validate=ma.validate.OneOf([k.value for k in CreatorKind]))
    client_id = ma.fields.UUID(allow_none=True)
    locale = ma.fields.String(validate=ma.validate.OneOf(["en", "de"]))
