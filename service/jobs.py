"""Deferred jobs: collected during a transaction, handed to RQ only after it commits.

``defer("emails.send", message_id, tenant_id=...)`` records the wish on the session. After a
successful commit the jobs are enqueued on Redis by dotted path; a rollback discards them, so a
job never runs for a row that does not exist. With no ``REDIS_URL`` (the zero-configuration demo)
each job runs in-process right after the commit, in its own app context and transaction.
"""

from __future__ import annotations

import importlib
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.extensions import db
from workers.kinds import JOB_KINDS, JobKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeferredJob:
    kind: str
    args: tuple[Any, ...]
    job_id: str | None = None
    delay: timedelta | None = None


def defer(kind: str, *args: Any, job_id: str | None = None, delay: timedelta | None = None) -> None:
    """Run job ``kind`` with ``args`` (ids and plain values) once the current transaction commits."""
    if kind not in JOB_KINDS:
        raise KeyError(f"unknown job kind {kind!r}; declare it in workers/kinds.py")
    plain_args = tuple(str(a) if isinstance(a, uuid.UUID) else a for a in args)
    db.session.info.setdefault("deferred_jobs", []).append(DeferredJob(kind, plain_args, job_id, delay))


def redis_connection(app: Flask | None = None) -> Redis | None:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    conn = app.extensions.get("fairpact_redis")
    if conn is None:
        conn = Redis.from_url(url)
        app.extensions["fairpact_redis"] = conn
    return conn


def queue_for(kind: JobKind, connection: Redis) -> Queue:
    return Queue(kind.queue, connection=connection)


def enqueue_now(app: Flask, job: DeferredJob) -> None:
    """Hand one job to RQ (or run it in-process when there is no Redis)."""
    kind = JOB_KINDS[job.kind]
    connection = redis_connection(app)
    if connection is None:
        _run_in_process(app, kind, job)
        return
    options: dict[str, Any] = {
        "job_timeout": kind.timeout,
        "ttl": kind.ttl,
        "result_ttl": kind.result_ttl,
        "failure_ttl": kind.failure_ttl,
        "job_id": job.job_id,
        "description": f"{job.kind}{job.args}",
    }
    if kind.retries:
        options["retry"] = Retry(max=kind.retries, interval=list(kind.retry_intervals) or 0)
    queue = queue_for(kind, connection)
    if job.delay:
        queue.enqueue_in(job.delay, kind.path, *job.args, **options)
    else:
        queue.enqueue(kind.path, *job.args, **options)


def _run_in_process(app: Flask, kind: JobKind, job: DeferredJob) -> None:
    if job.delay:
        # No scheduler without Redis; the periodic sweeps of a real worker pick such work up.
        log.info("in-process mode: not scheduling delayed job %s%s", job.kind, job.args)
        return
    func = _resolve(kind.path)
    errors: list[BaseException] = []

    def target() -> None:
        # A thread of its own gives the job a fresh app context, session and tenant context,
        # exactly as in a worker, and keeps the committing session out of its way.
        try:
            with app.app_context():
                func(*job.args)
        except BaseException as exc:  # report, never swallow: the caller logs it below
            errors.append(exc)

    thread = threading.Thread(target=target, name=f"inline-job-{job.kind}")
    thread.start()
    thread.join(timeout=kind.timeout)
    for exc in errors:
        log.error("in-process job %s%s failed", job.kind, job.args, exc_info=exc)


def _resolve(path: str) -> Any:
    module_name, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def _release_after_commit(session: Session) -> None:
    # SQLAlchemy also fires after_commit when a savepoint is released; the work is not committed yet.
    if session.in_nested_transaction():
        return
    jobs: list[DeferredJob] = session.info.pop("deferred_jobs", [])
    if not jobs:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for job in jobs:
        try:
            enqueue_now(app, job)
        except RedisError:
            # The transaction is committed and its rows say what is pending; the periodic sweeps
            # re-enqueue such work once Redis answers again. Failing the request now would tell the
            # client its committed change was lost.
            log.exception("could not enqueue %s%s; the reconciling sweep will pick it up", job.kind, job.args)


def _discard_after_rollback(session: Session, previous: Any) -> None:
    # A rolled-back savepoint leaves the outer transaction (and its jobs) alive.
    if previous.parent is None and not previous.nested:
        session.info.pop("deferred_jobs", None)


def install_job_hooks() -> None:
    if event.contains(Session, "after_commit", _release_after_commit):
        return
    event.listen(Session, "after_commit", _release_after_commit)
    event.listen(Session, "after_soft_rollback", _discard_after_rollback)
