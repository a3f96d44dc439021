"""Starting check runs: batched jobs, not one job per post.

A submission leaves a pending check row and asks for a run of its tenant's pending checks. After the commit
one job per shard is enqueued unless one is already waiting (a Redis flag set with NX): a thousand
submissions in a second become a few jobs that each check up to ``CHECK_BATCH_SIZE`` posts. The job clears
the flag before it reads the pending rows, so a check committed after that point asks for a new run, and
one committed before it is seen by the job. Several shards let several workers share one tenant's burst
(rows are claimed with SKIP LOCKED). The reconciler (workers/reconcile.py) starts runs for tenants whose
pending checks are older than its grace period, in case Redis or a killed worker lost a job.
"""

from __future__ import annotations

import logging
import uuid

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.extensions import db
from service.jobs import DeferredJob, enqueue_now, redis_connection

log = logging.getLogger(__name__)

RUN_KIND = "disclosure.run_checks"
CHECK_SHARDS = 2
FLAG_TTL_SECONDS = 120  # a flag whose job was lost expires; the reconciler asks meanwhile


def flag_key(tenant_id: uuid.UUID | str, shard: int) -> str:
    return f"fairpact:disclosure:run-wanted:{tenant_id}:{shard}"


def request_check_run(tenant_id: uuid.UUID) -> None:
    """Ask for a run of ``tenant_id``'s pending checks once the current transaction commits."""
    _install_hook()
    db.session.info.setdefault("disclosure_runs", set()).add(str(tenant_id))


def start_runs(tenant_id: str) -> None:
    """Enqueue a run per shard unless one is already waiting (used after commit)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = redis_connection(app)
    if connection is None:  # no Redis: the zero-configuration demo runs it right here
        enqueue_now(app, DeferredJob(RUN_KIND, (tenant_id, 0)))
        return
    for shard in range(CHECK_SHARDS):
        if connection.set(flag_key(tenant_id, shard), "1", nx=True, ex=FLAG_TTL_SECONDS):
            enqueue_now(app, DeferredJob(RUN_KIND, (tenant_id, shard)))


def clear_flag(tenant_id: uuid.UUID, shard: int) -> None:
    connection = redis_connection()
    if connection is not None:
        connection.delete(flag_key(tenant_id, shard))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint was released; the outer transaction is still open
        return
    tenants: set[str] = session.info.pop("disclosure_runs", set())
    for tenant_id in sorted(tenants):
        try:
            start_runs(tenant_id)
        except RedisError:
            # The pending rows are committed; the reconciler starts their run once Redis answers.
            log.exception("could not start a check run for tenant %s; the reconciler will", tenant_id)


def _after_rollback(session: Session, previous: object) -> None:
    if getattr(previous, "parent", None) is None and not getattr(previous, "nested", False):
        session.info.pop("disclosure_runs", None)


def _install_hook() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
