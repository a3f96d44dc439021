"""Every kind of background job with its queue and its limits, in one table.

Data only (no imports from the app), so the web process can read it to enqueue by dotted path
without importing the job code. Retry intervals need the worker's scheduler (``fairpact worker``
always starts it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

QUEUES = ("high", "default", "low")


@dataclass(frozen=True)
class JobKind:
    path: str  # dotted path of the job function
    queue: str
    timeout: int  # seconds a run may take before RQ kills it
    ttl: int  # seconds the job may wait in the queue before it is dropped
    retries: int = 0
    retry_intervals: tuple[int, ...] = field(default_factory=tuple)
    result_ttl: int = 3600
    failure_ttl: int = 30 * 24 * 3600


JOB_KINDS: dict[str, JobKind] = {
    "emails.send": JobKind(
        "workers.emails.send_email",
        "high",
        timeout=60,
        ttl=24 * 3600,
        retries=5,
        retry_intervals=(30, 120, 600, 1800, 3600),
    ),
    # Webhook retries are scheduled by the delivery job itself, so each attempt is logged first.
    "webhooks.deliver": JobKind("workers.webhooks.deliver", "default", timeout=60, ttl=24 * 3600),
    "maintenance.prune": JobKind("workers.maintenance.prune_expired", "low", timeout=300, ttl=3600),
    # Queues again whatever the database says is pending and Redis lost (workers/reconcile.py).
    "maintenance.reconcile": JobKind("workers.reconcile.reconcile_job", "low", timeout=300, ttl=120),
    # Billing: Stripe's state and meters. A lost event job is queued again by the reconciler.
    "billing.process_event": JobKind(
        "workers.billing.process_event",
        "high",
        timeout=60,
        ttl=3 * 24 * 3600,
        retries=5,
        retry_intervals=(30, 120, 600, 1800, 3600),
    ),
    "billing.sync_seats": JobKind(
        "workers.billing.sync_seats", "default", timeout=60, ttl=24 * 3600, retries=5, retry_intervals=(30, 120, 600)
    ),
    "billing.report_usage": JobKind(
        "workers.billing.report_usage", "default", timeout=600, ttl=24 * 3600, retries=3, retry_intervals=(60, 300)
    ),
    "billing.reconcile_usage": JobKind("workers.billing.reconcile_usage", "low", timeout=300, ttl=24 * 3600),
    "billing.reconcile_usage_due": JobKind("workers.billing.reconcile_usage_due", "low", timeout=300, ttl=3600),
    # Contracts: WeasyPrint renders in seconds; the timeout covers a long document on a busy worker.
    # After the last seal retry the contract shows seal_status=failed and the operator is alerted.
    "contracts.render": JobKind(
        "workers.contracts.render", "default", timeout=300, ttl=24 * 3600, retries=3, retry_intervals=(30, 120, 600)
    ),
    "contracts.seal": JobKind(
        "workers.contracts.seal", "default", timeout=300, ttl=24 * 3600, retries=3, retry_intervals=(30, 120, 600)
    ),
    "contracts.remind": JobKind("workers.contracts.send_reminders", "low", timeout=300, ttl=3600),
    "contracts.expire": JobKind("workers.contracts.expire", "low", timeout=300, ttl=3600),
    "contracts.remind_due": JobKind("workers.contracts.remind_due", "low", timeout=120, ttl=600),
    "contracts.expire_due": JobKind("workers.contracts.expire_due", "low", timeout=120, ttl=600),
    # Disclosure checks run in batches (service/disclosure/dispatch.py); a failed batch is retried as a whole,
    # and rows still pending after that are started again by the reconciler.
    "disclosure.run_checks": JobKind(
        "workers.disclosure.run_checks", "default", timeout=300, ttl=24 * 3600, retries=3, retry_intervals=(10, 60, 300)
    ),
    "disclosure.recheck": JobKind(
        "workers.disclosure.recheck",
        "default",
        timeout=120,
        ttl=8 * 24 * 3600,
        retries=3,
        retry_intervals=(60, 300, 900),
    ),
    # One delayed job per batch and delay starts the batch's re-checks (disclosure.recheck: one re-check).
    "disclosure.start_rechecks": JobKind(
        "workers.disclosure.start_rechecks",
        "default",
        timeout=120,
        ttl=8 * 24 * 3600,
        retries=3,
        retry_intervals=(60, 300, 900),
    ),
    "disclosure.bulk_batch": JobKind(
        "workers.disclosure.bulk_batch", "low", timeout=600, ttl=24 * 3600, retries=3, retry_intervals=(10, 60, 300)
    ),
}
