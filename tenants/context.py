"""The current tenant, held in a context variable.

Requests, jobs and CLI commands each set it explicitly; nothing falls back to "all tenants".
Context variables are per thread and per task, and every setter resets its token in ``finally``
so a reused gunicorn thread never carries one request's tenant into the next.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from tenants.errors import TenantScopeError

log = logging.getLogger(__name__)

_current_tenant: ContextVar[uuid.UUID | None] = ContextVar("fairpact_current_tenant", default=None)
_unscoped: ContextVar[bool] = ContextVar("fairpact_unscoped", default=False)


def current_tenant_id() -> uuid.UUID | None:
    return _current_tenant.get()


def require_tenant_id() -> uuid.UUID:
    tenant_id = _current_tenant.get()
    if tenant_id is None:
        raise TenantScopeError("no tenant in context: wrap the code in tenant_scope(tenant_id)")
    return tenant_id


def is_unscoped() -> bool:
    return _unscoped.get()


def enter_tenant(tenant_id: uuid.UUID | None) -> Token[uuid.UUID | None]:
    """Set the tenant for the rest of this context; pair with ``leave_tenant`` in a finally/teardown."""
    if tenant_id is not None and not isinstance(tenant_id, uuid.UUID):
        raise TypeError(f"tenant id must be a UUID, got {type(tenant_id).__name__}")
    return _current_tenant.set(tenant_id)


def leave_tenant(token: Token[uuid.UUID | None]) -> None:
    _current_tenant.reset(token)


@contextmanager
def tenant_scope(tenant_id: uuid.UUID) -> Iterator[uuid.UUID]:
    """Run the block as ``tenant_id``: queries see only its rows and new rows belong to it."""
    if tenant_id is None:
        raise TenantScopeError("tenant_scope needs a tenant id")
    token = enter_tenant(tenant_id)
    try:
        yield tenant_id
    finally:
        leave_tenant(token)


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """The one bypass of tenant scoping, named so that it stands out in review and in grep.

    Every caller states why it must see across tenants (for example: finding which tenant an API
    key belongs to before any tenant is known). The reason is logged at debug level.
    """
    if not reason.strip():
        raise ValueError("unscoped() needs a reason")
    log.debug("tenant scoping bypassed: %s", reason)
    token = _unscoped.set(True)
    try:
        yield
    finally:
        _unscoped.reset(token)
