"""A dump of every tenant-owned row visible in the current tenant scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.extensions import db
from tenants.scoping import TenantOwned


def tenant_rows(exclude: set[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        table = mapper.local_table.name
        if not issubclass(model, TenantOwned) or table in (exclude or set()):
            continue
        columns = [c.key for c in mapper.column_attrs]
        found = db.session.execute(select(model)).scalars().all()
        rows[table] = sorted(({c: getattr(obj, c) for c in columns} for obj in found), key=repr)
    return rows
