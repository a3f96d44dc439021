"""Audit event output and filters."""

from __future__ import annotations

import marshmallow as ma

from service.api import OutputSchema, PageArgs


class AuditEventOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    action = ma.fields.String(dump_only=True)
    actor_type = ma.fields.String(dump_only=True)
    actor_id = ma.fields.UUID(dump_only=True, allow_none=True)
    actor_label = ma.fields.String(dump_only=True)
    target_type = ma.fields.String(dump_only=True, allow_none=True)
    target_id = ma.fields.UUID(dump_only=True, allow_none=True)
    ip_address = ma.fields.String(dump_only=True, allow_none=True)
    user_agent = ma.fields.String(dump_only=True, allow_none=True)
    details = ma.fields.Dict(dump_only=True)
    created_at = ma.fields.DateTime(dump_only=True)


class AuditListArgs(PageArgs):
    action = ma.fields.String(validate=ma.validate.Length(max=64))
