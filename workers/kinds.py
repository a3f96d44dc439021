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
    "emails.sweep": JobKind("workers.emails.sweep_unsent", "low", timeout=120, ttl=600),
    # Webhook retries are scheduled by the delivery job itself, so each attempt is logged first.
    "webhooks.deliver": JobKind("workers.webhooks.deliver", "default", timeout=60, ttl=24 * 3600),
    "webhooks.sweep": JobKind("workers.webhooks.sweep_due", "low", timeout=120, ttl=600),
    "maintenance.prune": JobKind("workers.maintenance.prune_expired", "low", timeout=300, ttl=3600),
}
