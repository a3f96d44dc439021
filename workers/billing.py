"""Billing jobs: Stripe events, seat quantities, usage reporting and reconciliation.

Every job is safe to run twice: events are processed once (their row says so), seat changes carry a
revision in their idempotency key, and usage is reported under a stable identifier per record.
With billing switched off (no STRIPE_SECRET_KEY) the periodic ones find nothing to do.
"""

from __future__ import annotations

import uuid

from service.billing import events, operations, usage
from service.billing.gateway import BillingProviderError
from service.billing.plans import billing_enabled
from service.extensions import db
from service.jobs import defer
from service.models import utcnow
from workers.base import system_job, tenant_job


@system_job
def process_event(event_id: str) -> str:
    """Apply one received Stripe event (Stripe's errors propagate, so RQ retries with backoff)."""
    return events.process_event(uuid.UUID(event_id))


@tenant_job
def sync_seats(tenant_id: uuid.UUID, revision: int) -> int | None:
    return operations.sync_seats(int(revision))


@tenant_job
def report_usage(tenant_id: uuid.UUID) -> dict[str, int]:
    """Report one batch of the tenant's pending usage to Stripe's meters."""
    try:
        outcome = usage.report_pending_usage()
    except BillingProviderError:
        # Keep what Stripe already accepted, then fail so RQ retries: the retry sends only the rest,
        # under the same identifiers, so nothing is billed twice.
        db.session.commit()
        raise
    if outcome.more_waiting:
        defer("billing.report_usage", tenant_id)
    return {"reported": outcome.reported, "rejected": outcome.rejected}


@tenant_job
def reconcile_usage(tenant_id: uuid.UUID) -> list[dict[str, object]]:
    """Compare yesterday's counted usage with what was reported (and with Stripe's meter, where known)."""
    return [
        {"kind": r.kind, "counted": r.counted, "reported": r.reported, "stripe": r.stripe_total, "ok": r.matches}
        for r in usage.reconcile_usage(usage.previous_day(utcnow()))
    ]


@system_job
def reconcile_usage_due() -> int:
    """Queue yesterday's reconciliation for every tenant with a Stripe customer (runs daily)."""
    if not billing_enabled():
        return 0
    tenants = usage.tenants_with_customers()
    for tenant_id in tenants:
        defer("billing.reconcile_usage", tenant_id)
    return len(tenants)
