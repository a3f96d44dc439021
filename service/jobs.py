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
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import CanceledJobRegistry, FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry
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
    defer_job(DeferredJob(kind, plain_args, job_id, delay))


def defer_job(job: DeferredJob) -> None:
    """Queue ``job`` once the current transaction commits (``defer`` with the job spelled out)."""
    db.session.info.setdefault("deferred_jobs", []).append(job)


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


# Outcomes of handing a job to RQ.
QUEUED, ALREADY_QUEUED, RAN_IN_PROCESS, GAVE_UP = "queued", "already queued", "ran in process", "gave up"
# RQ states in which a job will still run without help; a started job also needs a live worker.
WAITING_STATUSES = frozenset(
    {
        JobStatus.QUEUED,
        JobStatus.SCHEDULED,
        JobStatus.DEFERRED,
        JobStatus.READY_TO_ENQUEUE,
        JobStatus.RATE_LIMITED,
    }
)
# The most rows of one kind a reconciler run queues again; the next run takes the rest.
RECONCILE_BATCH = 500
# A job with a fixed id that keeps dying or failing is queued again this many times, then left failed
# (a poison job must not take a worker down every minute).
MAX_REQUEUES = 5


def enqueue_now(app: Flask, job: DeferredJob) -> str:
    """Hand one job to RQ (or run it in-process when there is no Redis); returns what happened.

    A job with an id is queued only when no live job has that id: a second request while the first waits
    or runs is a no-op, and a job that finished, failed or was abandoned (its worker died) is replaced.
    """
    kind = JOB_KINDS[job.kind]
    connection = redis_connection(app)
    if connection is None:
        _run_in_process(app, kind, job)
        return RAN_IN_PROCESS
    queue = queue_for(kind, connection)
    if job.job_id is None:
        _enqueue(queue, kind, job)
        return QUEUED
    return _enqueue_unless_live(queue, kind, job)


def _enqueue(queue: Queue, kind: JobKind, job: DeferredJob, *, unique: bool = False, requeues: int = 0) -> None:
    options: dict[str, Any] = {
        "job_timeout": kind.timeout,
        "ttl": kind.ttl,
        "result_ttl": kind.result_ttl,
        "failure_ttl": kind.failure_ttl,
        "job_id": job.job_id,
        "description": f"{job.kind}{job.args}",
        "unique": unique,
        "meta": {"requeues": requeues} if requeues else None,
    }
    if kind.retries:
        options["retry"] = Retry(max=kind.retries, interval=list(kind.retry_intervals) or 0)
    if job.delay:
        queue.enqueue_in(job.delay, kind.path, *job.args, **options)
    else:
        queue.enqueue(kind.path, *job.args, **options)


def _enqueue_unless_live(queue: Queue, kind: JobKind, job: DeferredJob) -> str:
    assert job.job_id is not None
    try:
        _enqueue(queue, kind, job, unique=True)  # atomic in Redis: fails when the id exists
        return QUEUED
    except DuplicateJobError:
        pass
    try:
        existing = Job.fetch(job.job_id, connection=queue.connection)
    except NoSuchJobError:
        existing = None  # it finished and expired in between
    if existing is not None:
        if job_is_live(existing):
            return ALREADY_QUEUED
        # A finished job's work is pending again (new work under the same id); only failures count.
        finished = existing.get_status(refresh=False) == JobStatus.FINISHED
        requeues = 0 if finished else int(existing.meta.get("requeues", 0)) + 1
        if requeues > MAX_REQUEUES:
            log.error("job %s was queued again %s times and still did not finish; leaving it", job.job_id, MAX_REQUEUES)
            return GAVE_UP
        log.warning("replacing job %s (%s), which will not run again", job.job_id, existing.get_status(refresh=False))
        _discard(existing)
    else:
        requeues = 0
    try:
        _enqueue(queue, kind, job, unique=True, requeues=requeues)
    except DuplicateJobError:
        return ALREADY_QUEUED  # another process replaced it at the same moment
    return QUEUED


def _discard(job: Job) -> None:
    """Delete a job that will not run again, so its id can be queued afresh."""
    if job.get_status(refresh=False) != JobStatus.STARTED:
        try:
            job.delete()
            return
        except ValueError:
            pass  # an expired execution record, as below
    # RQ 3.0's Job.delete fails on the expired execution records of a dead worker ("Execution ... not
    # found in Redis"), so such a job's registry entries, executions and hash go by hand.
    connection = job.connection
    started = StartedJobRegistry(job.origin, connection=connection).key
    entries = [member for member, _lapsed in connection.zscan_iter(started, match=f"{job.id}:*")]
    with connection.pipeline() as pipeline:
        if entries:
            pipeline.zrem(started, *entries)
        for registry in (FailedJobRegistry, FinishedJobRegistry, CanceledJobRegistry):
            pipeline.zrem(registry(job.origin, connection=connection).key, job.id)
        pipeline.delete(job.key, job.execution_registry.key)
        pipeline.execute()


def job_is_live(job: Job) -> bool:
    """True when RQ will still run ``job``: waiting, or running on a worker whose heartbeat is current."""
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED:
        return not is_abandoned(job)
    return status in WAITING_STATUSES


def is_abandoned(job: Job) -> bool:
    """A started job whose worker stopped sending heartbeats (killed, or its machine lost).

    Each execution is an entry ``<job id>:<execution id>`` of the queue's StartedJobRegistry, scored with
    the time its heartbeat lapses; a worker alive renews it every WORKER_HEARTBEAT_SECONDS.
    """
    registry = StartedJobRegistry(job.origin, connection=job.connection)
    now = time.time()
    entries = job.connection.zscan_iter(registry.key, match=f"{job.id}:*")
    return all(lapses_at <= now for _execution, lapses_at in entries)


def _run_in_process(app: Flask, kind: JobKind, job: DeferredJob) -> None:
    if job.delay:
        # No scheduler without Redis; the reconciler of a real worker picks such work up.
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
            # The transaction is committed and its rows say what is pending; the reconciler
            # (workers/reconcile.py) queues such work again once Redis answers. Failing the request now
            # would tell the client its committed change was lost.
            log.exception("could not enqueue %s%s; the reconciler will pick it up", job.kind, job.args)


def _discard_after_rollback(session: Session, previous: Any) -> None:
    # A rolled-back savepoint leaves the outer transaction (and its jobs) alive.
    if previous.parent is None and not previous.nested:
        session.info.pop("deferred_jobs", None)


def install_job_hooks() -> None:
    if event.contains(Session, "after_commit", _release_after_commit):
        return
    event.listen(Session, "after_commit", _release_after_commit)
    event.listen(Session, "after_soft_rollback", _discard_after_rollback)
