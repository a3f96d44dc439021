"""Disclosure check jobs (the work is in service/disclosure/checking.py and bulk.py)."""

from __future__ import annotations

import uuid

from workers.base import tenant_job


@tenant_job
def run_checks(tenant_id: uuid.UUID, shard: int) -> int:
    """Check one batch of the tenant's pending checks (submissions and due re-checks)."""
    from service.disclosure.checking import run_pending_checks

    return run_pending_checks(tenant_id, int(shard))


@tenant_job
def recheck(tenant_id: uuid.UUID, check_id: str) -> bool:
    """Run one scheduled re-check when it is due (enqueued with a delay when the first check finished)."""
    from service.disclosure.checking import run_scheduled_check

    return run_scheduled_check(tenant_id, uuid.UUID(check_id))


@tenant_job
def start_rechecks(tenant_id: uuid.UUID) -> int:
    """Make the tenant's due re-checks pending and start a check run (delayed to when a batch's are due)."""
    from service.disclosure.checking import start_due_rechecks

    return start_due_rechecks(tenant_id)


@tenant_job
def bulk_batch(tenant_id: uuid.UUID, batch_id: str) -> int:
    """Check one batch of an uploaded bulk file."""
    from service.disclosure.bulk import run_batch

    return run_batch(uuid.UUID(batch_id))
