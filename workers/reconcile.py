"""The reconciler: queue again the work the database says is pending and Redis no longer holds.

Redis can lose jobs (flushed, restarted without persistence, a job expired) and a worker can die in the
middle of one (SIGKILL, a lost machine). Every job is idempotent on the database state, so the rows are
the truth: each source below reads what is pending (older than ``RECONCILE_GRACE_SECONDS``, so work just
committed is left to the job queued with it) and names the job that does it, with a fixed id. That job is
queued unless a live job with the id exists (see ``service.jobs.enqueue_now``): a job that waits or runs on
a worker with a current heartbeat is left alone, one that finished, failed or was abandoned is replaced.

It runs every minute (the ``reconcile`` periodic job), when a worker starts, and as ``fairpact reconcile``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app

from service.billing.events import unprocessed_event_jobs
from service.billing.usage import usage_report_jobs
from service.contracts.production import stalled_documents
from service.disclosure.bulk import unfinished_batches
from service.disclosure.checking import waiting_check_runs
from service.emails.operations import unsent_messages
from service.extensions import db
from service.jobs import DeferredJob, enqueue_now
from service.models import utcnow
from service.webhooks.delivery import overdue_attempts
from workers.base import system_job

# name -> the pending work it finds, given (now, cutoff); cutoff = now - grace.
SOURCES: dict[str, Callable[[datetime, datetime], list[DeferredJob]]] = {
    "emails": lambda now, cutoff: unsent_messages(cutoff),
    "webhooks": lambda now, cutoff: overdue_attempts(cutoff),
    "stripe_events": unprocessed_event_jobs,
    # Usage is reported by this run every minute, so it does not wait for the grace period.
    "usage_reports": lambda now, cutoff: usage_report_jobs(),
    "contract_documents": lambda now, cutoff: stalled_documents(cutoff),
    "checks": waiting_check_runs,
    "bulk_checks": lambda now, cutoff: unfinished_batches(cutoff),
}


def reconcile(now: datetime | None = None, grace_seconds: int | None = None) -> dict[str, dict[str, int]]:
    """Queue every source's pending work that has no live job; returns per source how many were found and
    what became of them (queued, already queued, gave up)."""
    now = now or utcnow()
    if grace_seconds is None:
        grace_seconds = current_app.config["RECONCILE_GRACE_SECONDS"]
    cutoff = now - timedelta(seconds=grace_seconds)
    found = {name: source(now, cutoff) for name, source in SOURCES.items()}
    db.session.commit()  # a source's own changes (due re-checks made pending) before their jobs run
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    summary: dict[str, dict[str, int]] = {}
    for name, jobs in found.items():
        outcomes = Counter(enqueue_now(app, job) for job in jobs)
        summary[name] = {"found": len(jobs), **outcomes}
    return summary


@system_job
def reconcile_job() -> dict[str, dict[str, int]]:
    return reconcile()
