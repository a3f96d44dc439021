"""``fairpact worker``: an RQ worker with the scheduler (retries, delayed jobs) and the periodic ticker."""

from __future__ import annotations

import importlib
import logging
import threading
import time

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import StopRequested
from rq.job import Job

from service.extensions import db
from service.jobs import redis_connection
from workers.base import set_worker_app
from workers.kinds import QUEUES
from workers.schedule import start_ticker

log = logging.getLogger(__name__)


class FairpactWorker(Worker):
    """RQ's forking worker, with heartbeats whose lapse marks a job abandoned after two missed beats.

    RQ keeps a running job's entry in the StartedJobRegistry for one heartbeat interval plus 60 seconds;
    here the margin is two intervals, so with the default 30 seconds nothing changes, and a test (or an
    operator who wants faster recovery) can shorten it with WORKER_HEARTBEAT_SECONDS.
    """

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        interval = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            return int(min(job.timeout - working_time, interval)) + 2 * interval
        return 3 * interval


def run_worker(queues: list[str] | None, burst: bool = False) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = redis_connection(app)
    if connection is None:
        raise SystemExit("REDIS_URL is not set: without Redis, jobs run in-process and no worker is needed.")
    unknown = set(queues or []) - set(QUEUES)
    if unknown:
        raise SystemExit(f"Unknown queue(s): {', '.join(sorted(unknown))}. Known: {', '.join(QUEUES)}.")
    set_worker_app(app)
    # Warm what every forked job would otherwise load again: mapper configuration, and the disclosure
    # rule packs with the check code (seconds to load, and a batch job would pay it on every run).
    from sqlalchemy.orm import configure_mappers

    from service.disclosure.rulebook import default_rule_book

    configure_mappers()
    importlib.import_module("service.disclosure.checking")
    default_rule_book()
    catch_up_on_start()
    stop = threading.Event()
    if not burst:
        start_ticker(connection, stop)
    try:
        _work_until_stopped(app, connection, queues or list(QUEUES), burst)
    finally:
        stop.set()


def _work_until_stopped(app: Flask, connection: Redis, queues: list[str], burst: bool) -> None:
    """Run RQ's worker loop, and run it again when it ends on its own.

    RQ's loop survives a Redis outage only while it waits for a job; anywhere else a lost connection
    ends the loop ("found an unhandled exception, quitting"), and its scheduler process dies with it.
    Without a stop request (SIGTERM, SIGINT) that is an outage, not a shutdown: wait (backing off up to
    30 s) and start a new worker, so the process recovers by itself when Redis returns.
    """
    backoff = 1.0
    while True:
        started = time.monotonic()
        worker: FairpactWorker | None = None
        try:
            worker = FairpactWorker(
                queues, connection=connection, job_monitoring_interval=app.config["WORKER_HEARTBEAT_SECONDS"]
            )
            worker.work(with_scheduler=True, burst=burst)
        except RedisError:  # creating, registering or unregistering the worker against a Redis that is gone
            log.exception("the worker could not reach Redis")
        except StopRequested:
            return
        if burst or (worker is not None and worker._shutdown_requested_date is not None):
            return
        if time.monotonic() - started > 60:
            backoff = 1.0  # it had worked for a while: this is a new outage
        log.warning("the worker loop ended without a stop request (Redis unreachable?); again in %.0f s", backoff)
        try:
            time.sleep(backoff)
        except StopRequested:  # SIGTERM while waiting
            return
        backoff = min(backoff * 2, 30.0)


def catch_up_on_start() -> None:
    """A worker coming back (after a crash, a deploy, Redis lost) first queues the work the database
    says is pending, including jobs abandoned by a dead worker, instead of waiting for the periodic run."""
    from workers.reconcile import reconcile

    try:
        summary = reconcile()
        log.info("reconciled on start: %s", summary)
    except Exception:  # the database or Redis is not back yet: the periodic reconciler tries again
        log.exception("could not reconcile on start; the periodic reconciler will")
    finally:
        db.session.remove()
        # Forked work horses must not share this process's database connections.
        db.engine.dispose()
