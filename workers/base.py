"""Decorators that give every job its app context, tenant scope and single commit."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context

from service.extensions import db
from tenants.context import tenant_scope

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

_worker_app: Flask | None = None


def set_worker_app(app: Flask) -> None:
    """The worker process builds the app once and hands it to every job it runs."""
    global _worker_app
    _worker_app = app


def _app() -> Flask:
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        from service.app import create_app

        set_worker_app(create_app())
    assert _worker_app is not None
    return _worker_app


def _run_committed(func: Callable[..., Any], *args: Any) -> Any:
    """Run in a fresh app context (own session), commit once, roll back and re-raise on error."""
    with _app().app_context():
        try:
            result = func(*args)
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def tenant_job(func: F) -> F:
    """A job about one tenant's data: its first argument is the tenant id, and it runs in that scope."""

    @functools.wraps(func)
    def wrapper(tenant_id: str, *args: Any) -> Any:
        tenant_uuid = uuid.UUID(str(tenant_id))
        log.info("job %s for tenant %s", func.__name__, tenant_uuid)
        with tenant_scope(tenant_uuid):
            return _run_committed(func, tenant_uuid, *args)

    return wrapper  # type: ignore[return-value]


def system_job(func: F) -> F:
    """A job about global data (email, sweeps); no tenant scope, so tenant-owned rows stay closed."""

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        log.info("job %s%s", func.__name__, args)
        return _run_committed(func, *args)

    return wrapper  # type: ignore[return-value]
