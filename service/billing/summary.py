"""What the billing page and the billing API show: one reading of the account, shared by both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from service.billing.limits import seats_in_use
from service.billing.plans import USAGE_KINDS, Plan, billing_enabled, purchasable_plans
from service.billing.status import BillingStatus, Period, billing_status, calendar_month
from service.billing.usage import ClientUsage, UsageLine, usage_by_client, usage_lines
from service.extensions import db
from service.models import utcnow
from tenants.context import require_tenant_id
from tenants.models import Tenant


def plan_dict(plan: Plan) -> dict[str, Any]:
    return {
        "key": plan.key,
        "name": plan.name,
        "seats": {"included": plan.seats.included, "hard_limit": plan.seats.hard_limit},
        "usage": [
            {"kind": kind, "included": plan.usage[kind].included, "overage": plan.usage[kind].overage}
            for kind in USAGE_KINDS
        ],
        "agency_clients": plan.agency_clients,
        "features": sorted(plan.features),
    }


def subscription_summary(status: BillingStatus | None = None) -> dict[str, Any]:
    status = status or billing_status()
    return {
        "billing_enabled": status.enabled,
        "status": status.status,
        "access": "full" if status.writable else "read_only",
        "read_only_reason": status.read_only_code,
        "plan": plan_dict(status.plan),
        "seats_in_use": seats_in_use(),
        "seats_billed": status.seats,
        "period_start": status.period.start,
        "period_end": status.period.end,
        "trial_ends_at": status.trial_ends_at,
        "grace_ends_at": status.grace_ends_at,
        "cancel_at_period_end": status.cancel_at_period_end,
        "plans_available": [plan_dict(p) for p in purchasable_plans()] if billing_enabled() else [],
    }


def period_of(month: str | None, status: BillingStatus) -> Period:
    """A calendar month given as YYYY-MM, or the current billing period."""
    if not month:
        return status.period
    year, number = (int(part) for part in month.split("-"))
    return calendar_month(datetime(year, number, 1, tzinfo=UTC))


@dataclass(frozen=True)
class UsageReport:
    period: Period
    lines: list[UsageLine]
    clients: list[ClientUsage]


def is_agency() -> bool:
    tenant = db.session.get(Tenant, require_tenant_id())
    return tenant is not None and tenant.is_agency


def usage_report(month: str | None = None) -> UsageReport:
    """Usage in a period against the plan; agencies also get it per client brand, for re-billing."""
    status = billing_status()
    period = period_of(month, status)
    clients = usage_by_client(period) if is_agency() else []
    return UsageReport(period, usage_lines(status, period), clients)


def usage_dict(report: UsageReport) -> dict[str, Any]:
    return {
        "period_start": report.period.start,
        "period_end": report.period.end,
        "meters": [
            {
                "kind": line.kind,
                "used": line.used,
                "included": line.included,
                "remaining": line.remaining,
                "limit": line.limit,
                "overage": line.overage,
            }
            for line in report.lines
        ],
        "by_client": [
            {
                "client_id": row.client_id,
                "client_name": row.client_name,
                **{k: row.counts.get(k, 0) for k in USAGE_KINDS},
            }
            for row in report.clients
        ],
    }


def months_back(count: int = 12) -> list[str]:
    """The last ``count`` calendar months as YYYY-MM, newest first (the CSV export's choices)."""
    now = utcnow()
    return [calendar_month(now, back).start.strftime("%Y-%m") for back in range(count)]
