"""Metered usage: counted once in the database, reported to Stripe Billing Meters by a batched job.

A capability calls ``record_usage(kind, reference_id, client_id)`` when the work is done (a check
ran, a contract was sealed), in the same transaction as the work. The record is unique per
reference, so recording twice counts once. The reporting job sends each pending record as one
meter event whose identifier is derived from the record; a retry after a failure sends the same
identifier (Stripe's dedup key for meter events), so Stripe bills it once. Reconciliation compares,
per day, what was counted with what was reported (and with Stripe's meter total where a meter id is known).
"""

from __future__ import annotations

import csv
import io
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from service.billing.gateway import BillingProviderError, gateway
from service.billing.models import UsageRecord
from service.billing.plans import USAGE_KINDS, billing_enabled, catalogue
from service.billing.status import BillingStatus, Period, billing_status, find_account
from service.extensions import db
from service.faults import pause_point
from service.jobs import DeferredJob
from service.models import utcnow
from tenants.context import require_tenant_id, unscoped
from tenants.models import Client

log = logging.getLogger(__name__)

REPORT_BATCH_SIZE = 100
REFERENCE_MAX_LENGTH = 100  # usage_records.reference_id


# --- counting -------------------------------------------------------------------------------------


def _find_usage(kind: str, reference: str) -> UsageRecord | None:
    return db.session.execute(
        select(UsageRecord).where(UsageRecord.kind == kind, UsageRecord.reference_id == reference)
    ).scalar_one_or_none()


def _billable(status: BillingStatus) -> bool:
    """Usage is billed only under a subscription; trial and development usage is counted, never billed."""
    return status.enabled and status.has_subscription and status.has_customer


def _checked_reference(kind: str, reference_id: str | uuid.UUID) -> str:
    if kind not in USAGE_KINDS:
        raise ValueError(f"unknown usage kind {kind!r}; known: {', '.join(USAGE_KINDS)}")
    reference = str(reference_id)
    if not 0 < len(reference) <= REFERENCE_MAX_LENGTH:
        raise ValueError(f"a usage reference is 1 to {REFERENCE_MAX_LENGTH} characters, got {len(reference)}")
    return reference


def record_usages(kind: str, units: Sequence[tuple[str | uuid.UUID, uuid.UUID | None]]) -> None:
    """Count one unit of ``kind`` per ``(reference_id, client_id)`` in one INSERT; references counted before
    (a job that runs twice) are skipped by the unique key, so each still counts once."""
    if not units:
        return
    tenant_id, now = require_tenant_id(), utcnow()
    status = "pending" if _billable(billing_status()) else "not_billable"
    rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": tenant_id,
            "kind": kind,
            "reference_id": _checked_reference(kind, reference),
            "client_id": client_id,
            "occurred_at": now,
            "report_status": status,
            "report_attempts": 0,
        }
        for reference, client_id in units
    ]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(UsageRecord).on_conflict_do_nothing(index_elements=["tenant_id", "kind", "reference_id"])
    db.session.execute(statement, rows)


def record_usage(kind: str, reference_id: str | uuid.UUID, client_id: uuid.UUID | None = None) -> UsageRecord:
    """Count one unit of ``kind`` for the current tenant, once per ``reference_id`` however often called."""
    reference = _checked_reference(kind, reference_id)
    existing = _find_usage(kind, reference)
    if existing is not None:
        return existing
    record = UsageRecord(
        id=uuid.uuid4(),
        kind=kind,
        reference_id=reference,
        client_id=client_id,
        occurred_at=utcnow(),
        report_status="pending" if _billable(billing_status()) else "not_billable",
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        # A concurrent request recorded the same reference first: theirs is the one count.
        raced = _find_usage(kind, reference)
        if raced is None:
            raise
        return raced
    return record


# --- what the billing page and the API show ---------------------------------------------------------


@dataclass(frozen=True)
class UsageLine:
    kind: str
    used: int
    included: int | None
    overage: bool
    limit: int | None

    @property
    def remaining(self) -> int | None:
        return None if self.included is None else max(self.included - self.used, 0)


@dataclass(frozen=True)
class ClientUsage:
    client_id: uuid.UUID | None
    client_name: str | None
    counts: dict[str, int]


def usage_lines(status: BillingStatus, period: Period) -> list[UsageLine]:
    query = (
        select(UsageRecord.kind, func.count())
        .where(UsageRecord.occurred_at >= period.start, UsageRecord.occurred_at < period.end)
        .group_by(UsageRecord.kind)
    )
    counts: dict[str, int] = {kind: count for kind, count in db.session.execute(query)}
    return [
        UsageLine(
            kind=kind,
            used=counts.get(kind, 0),
            included=status.plan.usage[kind].included,
            overage=status.plan.usage[kind].overage,
            limit=status.plan.usage[kind].limit,
        )
        for kind in USAGE_KINDS
    ]


def usage_by_client(period: Period) -> list[ClientUsage]:
    """An agency's usage per client brand (work for no particular client comes last)."""
    names = {c.id: c.name for c in db.session.execute(select(Client)).scalars()}
    query = (
        select(UsageRecord.client_id, UsageRecord.kind, func.count())
        .where(UsageRecord.occurred_at >= period.start, UsageRecord.occurred_at < period.end)
        .group_by(UsageRecord.client_id, UsageRecord.kind)
    )
    found: dict[uuid.UUID | None, dict[str, int]] = {}
    for client_id, kind, count in db.session.execute(query):
        found.setdefault(client_id, dict.fromkeys(USAGE_KINDS, 0))[kind] = count
    rows = [ClientUsage(cid, names.get(cid) if cid else None, counts) for cid, counts in found.items()]
    return sorted(rows, key=lambda row: (row.client_name is None, (row.client_name or "").lower()))


def usage_csv(period: Period, rows: Iterable[ClientUsage]) -> str:
    """Usage per client for re-billing: one line per client and kind, in a spreadsheet-safe form."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period_start", "period_end", "client_id", "client", "kind", "count"])
    for row in rows:
        for kind in USAGE_KINDS:
            writer.writerow(
                [
                    period.start.date().isoformat(),
                    period.end.date().isoformat(),
                    str(row.client_id) if row.client_id else "",
                    _spreadsheet_safe(row.client_name or ""),
                    kind,
                    row.counts.get(kind, 0),
                ]
            )
    return out.getvalue()


def _spreadsheet_safe(text: str) -> str:
    """A client name starting with = + - @ would run as a formula in a spreadsheet; quote it as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- reporting to Stripe ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportOutcome:
    reported: int
    rejected: int
    more_waiting: bool


def _pending_batch() -> list[UsageRecord]:
    # SKIP LOCKED: two report jobs of one tenant (a retry and a sweep) take different records.
    query = (
        select(UsageRecord)
        .where(UsageRecord.report_status == "pending")
        .order_by(UsageRecord.occurred_at, UsageRecord.id)
        .limit(REPORT_BATCH_SIZE)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.execute(query).scalars())


def _report_one(record: UsageRecord, customer_id: str) -> bool:
    """Send one record; False when Stripe refused it for good. Transient failures propagate."""
    record.report_attempts += 1
    try:
        gateway().report_meter_event(
            catalogue().meters[record.kind].event_name,
            customer_id,
            record.meter_identifier,
            record.occurred_at,
            idempotency_key=f"{record.meter_identifier}-attempt-{record.report_attempts}",
        )
    except BillingProviderError as error:
        record.last_error = str(error)
        if error.transient:
            raise
        record.report_status = "rejected"
        log.error("Stripe rejected usage %s (%s) for good: %s", record.id, record.kind, error)
        return False
    record.report_status, record.reported_at, record.last_error = "reported", utcnow(), None
    return True


def report_pending_usage() -> ReportOutcome:
    """Send the current tenant's pending usage to Stripe, oldest first, one batch.

    A transient Stripe failure stops the batch with the error; the records sent before it are marked
    reported (flushed), so the caller can keep that progress and let the retry send the rest.
    """
    account = find_account()
    if not billing_enabled() or account is None or account.stripe_customer_id is None:
        return ReportOutcome(0, 0, more_waiting=False)
    batch = _pending_batch()
    reported = rejected = 0
    try:
        for record in batch:
            if _report_one(record, account.stripe_customer_id):
                reported += 1
                pause_point("billing.report_usage")
            else:
                rejected += 1
    finally:
        db.session.flush()
    return ReportOutcome(reported, rejected, more_waiting=len(batch) == REPORT_BATCH_SIZE)


def usage_report_jobs() -> list[DeferredJob]:
    """A report job for every tenant with usage waiting (a source of the reconciler, which runs every minute:
    this is how usage reaches Stripe, batched per tenant, and how a report lost with its worker is sent).

    Without a fixed id: each run reports again even while RQ's retry of a failed report waits, and two
    overlapping reports are harmless (records are taken with SKIP LOCKED and sent under their own
    identifier, Stripe's dedup key, so nothing is billed twice).
    """
    if not billing_enabled():
        return []
    return [DeferredJob("billing.report_usage", (str(tenant_id),)) for tenant_id in tenants_with_pending_usage()]


def tenants_with_pending_usage() -> list[uuid.UUID]:
    # The sweep looks across tenants only to find whose usage waits; each report job runs in its tenant.
    with unscoped("find the tenants whose usage waits to be reported to Stripe"):
        return list(
            db.session.execute(
                select(UsageRecord.tenant_id).where(UsageRecord.report_status == "pending").distinct()
            ).scalars()
        )


# --- reconciliation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    kind: str
    counted: int
    reported: int
    stripe_total: int | None  # None: no meter id configured, so Stripe's side was not asked

    @property
    def matches(self) -> bool:
        return self.counted == self.reported and self.stripe_total in (None, self.reported)


def _billable_counts(period: Period) -> dict[str, tuple[int, int]]:
    """Per kind: (billable records counted, records Stripe accepted) that occurred in the period."""
    query = (
        select(UsageRecord.kind, UsageRecord.report_status, func.count())
        .where(UsageRecord.occurred_at >= period.start, UsageRecord.occurred_at < period.end)
        .where(UsageRecord.report_status != "not_billable")
        .group_by(UsageRecord.kind, UsageRecord.report_status)
    )
    totals = {kind: [0, 0] for kind in USAGE_KINDS}
    for kind, status, count in db.session.execute(query):
        totals[kind][0] += count
        if status == "reported":
            totals[kind][1] += count
    return {kind: (counted, reported) for kind, (counted, reported) in totals.items()}


def reconcile_usage(period: Period) -> list[Reconciliation]:
    """Compare counted with reported usage for a closed period (Stripe aggregates with some delay)."""
    account = find_account()
    customer_id = account.stripe_customer_id if account else None
    results = []
    for kind, (counted, reported) in _billable_counts(period).items():
        meter_id = catalogue().meters[kind].meter_id
        stripe_total = None
        if meter_id and customer_id:
            stripe_total = gateway().meter_total(meter_id, customer_id, period.start, period.end)
        result = Reconciliation(kind, counted, reported, stripe_total)
        if not result.matches:
            log.warning(
                "usage mismatch for tenant %s, %s %s..%s: counted %s, reported %s, Stripe's meter %s",
                account.tenant_id if account else "?",
                kind,
                period.start.isoformat(),
                period.end.isoformat(),
                counted,
                reported,
                stripe_total,
            )
        results.append(result)
    return results


def previous_day(now: datetime) -> Period:
    end = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return Period(end - timedelta(days=1), end)


def tenants_with_customers() -> list[uuid.UUID]:
    from service.billing.models import BillingAccount

    with unscoped("find the tenants that have a Stripe customer, to reconcile their usage"):
        return list(
            db.session.execute(
                select(BillingAccount.tenant_id).where(BillingAccount.stripe_customer_id.is_not(None))
            ).scalars()
        )
