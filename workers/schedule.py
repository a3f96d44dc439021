"""Periodic jobs, declared in one place, enqueued by every worker's ticker without duplicates.

Each run gets the job id ``periodic-<name>-<slot>`` (slot = start of its interval), enqueued with
``unique=True``: however many workers tick, one job runs per slot.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from rq import Queue
from rq.exceptions import DuplicateJobError

from workers.kinds import JOB_KINDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    kind: str
    every_seconds: int


PERIODIC_JOBS: tuple[Periodic, ...] = (
    # Also how usage reaches Stripe each minute; replaces the separate sweeps of emails, webhooks, Stripe
    # events, contract documents and checks.
    Periodic("reconcile", "maintenance.reconcile", every_seconds=60),
    Periodic("prune-expired", "maintenance.prune", every_seconds=3600),
    Periodic("billing-reconcile-usage", "billing.reconcile_usage_due", every_seconds=24 * 3600),
    Periodic("contracts-reminders", "contracts.remind_due", every_seconds=3600),
    Periodic("contracts-expiry", "contracts.expire_due", every_seconds=3600),
)


def slot_of(periodic: Periodic, now: datetime) -> int:
    return int(now.timestamp()) // periodic.every_seconds * periodic.every_seconds


def enqueue_due(connection: Redis, now: datetime) -> list[str]:
    """Enqueue this slot's run of every periodic job that has not been enqueued yet."""
    enqueued = []
    for periodic in PERIODIC_JOBS:
        kind = JOB_KINDS[periodic.kind]
        job_id = f"periodic-{periodic.name}-{slot_of(periodic, now)}"
        try:
            Queue(kind.queue, connection=connection).enqueue(
                kind.path,
                job_id=job_id,
                unique=True,
                job_timeout=kind.timeout,
                ttl=kind.ttl,
                # Keep the id long enough that a late ticker in the same slot still sees it.
                result_ttl=max(kind.result_ttl, periodic.every_seconds * 2),
                failure_ttl=kind.failure_ttl,
            )
            enqueued.append(job_id)
        except DuplicateJobError:
            continue
    return enqueued


def start_ticker(connection: Redis, stop: threading.Event, period: float = 15.0) -> threading.Thread:
    from service.models import utcnow

    def tick() -> None:
        while not stop.is_set():
            try:
                enqueue_due(connection, utcnow())
            except Exception:  # keep ticking; the failure is logged with its traceback
                log.exception("periodic job ticker failed")
            stop.wait(period)

    thread = threading.Thread(target=tick, name="periodic-ticker", daemon=True)
    thread.start()
    return thread
