"""Fail-closed scoping of tenant-owned rows, in the ORM and (on PostgreSQL) in the database.

First wall: every ORM statement that touches a ``TenantOwned`` model gets a
``tenant_id = <current tenant>`` criterion, and raises ``TenantScopeError`` when there is no tenant.
New rows are stamped with the current tenant; a row of another tenant cannot be flushed.

Second wall: PostgreSQL row-level security. Each transaction carries the tenant in the
transaction-local setting ``fairpact.tenant_id`` (``SET LOCAL``), so a pooled connection
never keeps a previous request's tenant. Policies (created by the migrations) compare it with
``tenant_id``; with FORCE ROW LEVEL SECURITY they apply to the table owner too.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, PrimaryKeyConstraint, Uuid, event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql.schema import SchemaItem

from tenants.context import current_tenant_id, is_unscoped
from tenants.errors import TenantScopeError

RLS_TENANT_SETTING = "fairpact.tenant_id"
RLS_UNSCOPED_SETTING = "fairpact.unscoped"


class TenantOwned:
    """Mixin for rows that belong to exactly one tenant.

    ``tenant_id`` is never taken from request data: it is stamped from the tenant in context.
    Each model declares its indexes leading with ``tenant_id`` (a sharded PostgreSQL distributes by it).
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)


def tenant_keys(*constraints: SchemaItem) -> tuple[SchemaItem, ...]:
    """``__table_args__`` of a tenant-owned table: primary key ``(tenant_id, id)``, then its own constraints.

    A sharded PostgreSQL (Citus) distributes by ``tenant_id`` and needs it in every primary key and
    unique constraint; leading with it also serves every tenant-scoped lookup from the key's index.
    """
    return (PrimaryKeyConstraint("tenant_id", "id"), *constraints)


def _touches_tenant_owned(state: ORMExecuteState) -> bool:
    return any(issubclass(mapper.class_, TenantOwned) for mapper in state.all_mappers)


def _add_tenant_criteria(state: ORMExecuteState) -> None:
    if is_unscoped() or not (state.is_select or state.is_update or state.is_delete):
        return
    if not _touches_tenant_owned(state):
        return
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise TenantScopeError("query on tenant-owned data with no tenant in context")
    state.statement = state.statement.options(
        with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


def _desired_rls_settings() -> tuple[str, str]:
    tenant_id = current_tenant_id()
    return ("" if tenant_id is None else str(uuid.UUID(str(tenant_id))), "on" if is_unscoped() else "off")


def _sync_rls_settings(session: Session, connection: Any | None = None) -> None:
    """Make the transaction's RLS settings match the tenant context (a no-op off PostgreSQL).

    ``SET LOCAL`` rather than ``set_config()``: a distributed PostgreSQL (Citus) forwards SET LOCAL
    to the shards that run the query. SET takes no bind parameters; the value is a UUID rendered
    by ``uuid.UUID`` itself or a fixed word, never text from outside.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The connection first: when it begins a transaction, after_begin applies the settings afresh, and
    # what was applied in the previous transaction must not be compared with (it would be SET twice).
    conn = connection if connection is not None else session.connection()
    tenant, scope = _desired_rls_settings()
    applied = session.info.get("rls_applied", ("", "off"))
    if applied == (tenant, scope):
        return
    changes = []
    if applied[0] != tenant:
        changes.append(f"SET LOCAL {RLS_TENANT_SETTING} = '{tenant}'")
    if applied[1] != scope:
        changes.append(f"SET LOCAL {RLS_UNSCOPED_SETTING} = '{scope}'")
    # One round trip for both (a statement without parameters may hold several).
    conn.exec_driver_sql("; ".join(changes))
    session.info["rls_applied"] = (tenant, scope)


def _stamp_and_verify_tenant(session: Session) -> None:
    tenant_id = current_tenant_id()
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeError(f"new {type(obj).__name__} with no tenant in context")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"new {type(obj).__name__} belongs to another tenant than the one in context")
        elif tenant_id is None and not is_unscoped():
            raise TenantScopeError(f"new {type(obj).__name__} written outside any tenant scope")
    for obj in session.dirty:
        if isinstance(obj, TenantOwned) and tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"{type(obj).__name__} of another tenant modified")


def install_scoping() -> None:
    """Register the session hooks once per process (idempotent)."""
    if event.contains(Session, "do_orm_execute", _on_execute):
        return
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "before_flush", _on_before_flush)
    event.listen(Session, "after_begin", _on_after_begin)


def _on_execute(state: ORMExecuteState) -> None:
    _add_tenant_criteria(state)
    _sync_rls_settings(state.session)


def _on_before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    _stamp_and_verify_tenant(session)
    _sync_rls_settings(session)


def _on_after_begin(session: Session, transaction: Any, connection: Any) -> None:
    # Transaction-local settings vanished with the previous transaction: apply them afresh.
    session.info.pop("rls_applied", None)
    _sync_rls_settings(session, connection)
