"""Contract jobs: render the PDF that is signed, seal the final PDF, remind signers and expire.

Each takes ids, is safe to run twice (the work is recorded on the version, which the job locks first) and
lets errors propagate so RQ retries it; a job lost with Redis or with its worker is queued again by the
reconciler (``stalled_documents``). When the last retry of a seal fails, the contract says so
(``seal_status = failed``) and the operator is alerted: a contract never stays silently pending.
"""

from __future__ import annotations

import logging
import uuid

from rq import get_current_job
from sqlalchemy import ColumnElement, select

from service.contracts import production, signing
from service.contracts.models import OPEN_STATUSES, Contract
from service.extensions import db
from service.jobs import defer
from service.models import utcnow
from tenants.context import unscoped
from workers.base import system_job, tenant_job

log = logging.getLogger(__name__)


def is_last_attempt() -> bool:
    """True on the job's last try: outside RQ (in-process mode), or when RQ has no retry left."""
    job = get_current_job()
    return job is None or not job.should_retry


@tenant_job
def render(tenant_id: uuid.UUID, version_id: str) -> str:
    """Render and store the version's PDF, then email the signers whose turn it is."""
    try:
        return production.render_version_document(uuid.UUID(version_id))
    except Exception as exc:
        if is_last_attempt():
            # The job's own work is rolled back; the failure is recorded in a transaction of its own.
            db.session.rollback()
            production.record_render_failure(uuid.UUID(version_id), exc)
            db.session.commit()
        raise


@tenant_job
def seal(tenant_id: uuid.UUID, version_id: str) -> str:
    """Seal the fully signed version; after the last failed retry the contract shows ``failed``."""
    try:
        return production.seal_version_document(uuid.UUID(version_id))
    except Exception as exc:
        db.session.rollback()
        production.record_seal_failure(uuid.UUID(version_id), exc, final_attempt=is_last_attempt())
        db.session.commit()
        raise


@tenant_job
def send_reminders(tenant_id: uuid.UUID) -> int:
    return signing.send_reminders()


@tenant_job
def expire(tenant_id: uuid.UUID) -> int:
    return signing.expire_contracts()


def _tenants_with(*conditions: ColumnElement[bool]) -> list[uuid.UUID]:
    with unscoped("find the tenants with contracts waiting for a periodic job"):
        return list(db.session.execute(select(Contract.tenant_id).where(*conditions).distinct()).scalars())


@system_job
def remind_due() -> int:
    """Queue the reminder job of every tenant with contracts waiting for signatures (runs hourly)."""
    tenants = _tenants_with(Contract.status.in_([s.value for s in OPEN_STATUSES]))
    for tenant_id in tenants:
        defer("contracts.remind", tenant_id)
    return len(tenants)


@system_job
def expire_due() -> int:
    """Queue the expiry job of every tenant with an open contract past its deadline (runs hourly)."""
    tenants = _tenants_with(
        Contract.status.in_([s.value for s in OPEN_STATUSES]),
        Contract.expires_at.is_not(None),
        Contract.expires_at <= utcnow(),
    )
    for tenant_id in tenants:
        defer("contracts.expire", tenant_id)
    return len(tenants)
