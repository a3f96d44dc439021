"""Output schema of a creator as one tenant sees them."""

from __future__ import annotations

import marshmallow as ma

from service.api import OutputSchema, PageArgs


class CreatorOut(OutputSchema):
    id = ma.fields.UUID(dump_only=True)
    creator_id = ma.fields.UUID(dump_only=True)
    name = ma.fields.String(attribute="creator.name", dump_only=True)
    email = ma.fields.String(attribute="creator.email", dump_only=True)
    kind = ma.fields.String(dump_only=True)
    client_id = ma.fields.UUID(dump_only=True, allow_none=True)
    handle = ma.fields.String(dump_only=True, allow_none=True)
    created_at = ma.fields.DateTime(dump_only=True)


class CreatorListArgs(PageArgs):
    client_id = ma.fields.UUID()
