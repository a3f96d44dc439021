"""Plan limits, checked where the work is requested, before anything is done.

``require_within_plan(kind)`` is what a capability calls before it starts metered work (a disclosure
check, sealing a contract) or adds a seat or a client: past the plan's limit it raises a 402
``plan_limit_reached`` that says which limit, how much is used, and how to upgrade. Limits count
what is already recorded; two requests racing for the last unit may both pass, which costs one
unit and never loses work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from service.billing.models import UsageRecord
from service.billing.plans import USAGE_KINDS, has_feature
from service.billing.status import PAST_DUE, BillingStatus, Period, billing_status, member_count
from service.errors import AppError
from service.extensions import db
from service.invitations.models import Invitation, InvitationKind
from service.models import utcnow
from tenants.models import Client

SEAT = "seat"
AGENCY_CLIENT = "agency_client"
LIMIT_KINDS = (*USAGE_KINDS, SEAT, AGENCY_CLIENT)

# How each limit is named in messages and as the key of ``errors``.
LIMIT_NAMES = {
    "disclosure_check": ("disclosure_checks", "disclosure checks per billing period"),
    "sealed_contract": ("sealed_contracts", "sealed contracts per billing period"),
    SEAT: ("seats", "seats (members and pending invitations)"),
    AGENCY_CLIENT: ("agency_clients", "client brands"),
}


class PlanLimitReached(AppError):
    status_code = 402
    code = "plan_limit_reached"


class AccountReadOnly(AppError):
    """Past due beyond the grace period, or no subscription after the trial: reads work, writes do not."""

    status_code = 402


def billing_page_url() -> str:
    return f"{current_app.config['BASE_URL']}/settings/billing"


def _limit_reached(
    kind: str, status: BillingStatus, limit: int, used: int, renews: datetime | None, units: int = 1
) -> PlanLimitReached:
    key, what = LIMIT_NAMES[kind]
    wanted = f" and this request needs {units}" if units > 1 else ""
    message = (
        f"Your {status.plan.name} plan includes {limit} {what} and {used} are in use{wanted}. "
        f"An owner can upgrade the plan on the billing page: {billing_page_url()}"
    )
    if renews is not None:
        message += f" (the allowance renews on {renews.date().isoformat()})"
    errors: dict[str, Any] = {key: [f"Limit of {limit} reached ({used} in use)."]}
    return PlanLimitReached(message + ".", errors)


def usage_count(kind: str, period: Period) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(UsageRecord)
        .where(UsageRecord.kind == kind, UsageRecord.occurred_at >= period.start, UsageRecord.occurred_at < period.end)
    ).scalar_one()


def seats_in_use() -> int:
    """Members plus pending user invitations: each will take a seat once accepted."""
    now = utcnow()
    pending = db.session.execute(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.kind == InvitationKind.USER.value,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    ).scalar_one()
    return member_count() + pending


def active_clients() -> int:
    return db.session.execute(select(func.count()).select_from(Client).where(Client.archived.is_(False))).scalar_one()


def _check_usage(kind: str, status: BillingStatus, units: int) -> None:
    limit = status.plan.usage[kind].limit
    if limit is None:
        return
    used = usage_count(kind, status.period)
    if used + units > limit:
        raise _limit_reached(kind, status, limit, used, status.period.end, units)


def _check_seats(status: BillingStatus) -> None:
    seats = status.plan.seats
    if not seats.hard_limit or seats.included is None:
        return
    used = seats_in_use()
    if used >= seats.included:
        raise _limit_reached(SEAT, status, seats.included, used, None)


def _check_clients(status: BillingStatus) -> None:
    limit = status.plan.agency_clients
    if limit is None:
        return
    used = active_clients()
    if used >= limit:
        raise _limit_reached(AGENCY_CLIENT, status, limit, used, None)


def require_within_plan(kind: str, units: int = 1) -> None:
    """Refuse (402 plan_limit_reached) ``units`` more of ``kind`` when they would pass the plan's limit.

    ``kind``: "disclosure_check" or "sealed_contract" (per billing period), "seat" or "agency_client".
    ``units`` counts for usage kinds: a batch of 500 checks needs room for 500, not for one.
    """
    if kind not in LIMIT_KINDS:
        raise ValueError(f"unknown limit kind {kind!r}; known: {', '.join(LIMIT_KINDS)}")
    status = billing_status()
    if kind in USAGE_KINDS:
        _check_usage(kind, status, units)
    elif kind == SEAT:
        _check_seats(status)
    else:
        _check_clients(status)


def plan_has_feature(feature: str) -> bool:
    """Whether the current tenant's plan lists ``feature`` (the plans file names them; development has all)."""
    return has_feature(billing_status().plan, feature)


def read_only_error(status: BillingStatus) -> AccountReadOnly:
    """The refusal of a write while the account may only read (the same words for the API and the pages)."""
    assert status.read_only_code is not None
    if status.read_only_code == PAST_DUE:
        since = status.grace_ends_at.date().isoformat() if status.grace_ends_at else "now"
        message = (
            f"The subscription is past due and the grace period ended on {since}, so this account is read-only: "
            "everything stays readable and exportable, and nothing is deleted. An owner can update the payment "
            f"method on the billing page to restore full access: {billing_page_url()}"
        )
    else:
        message = (
            "This account has no active subscription (the trial or the subscription has ended), so it is read-only: "
            "everything stays readable and exportable, and nothing is deleted. An owner can choose a plan on the "
            f"billing page: {billing_page_url()}"
        )
    return AccountReadOnly(message, {"subscription": [status.status]}, code=status.read_only_code)


def require_writable() -> None:
    """For work outside a request (or a route that checks by itself): refuse when the account may only read."""
    status = billing_status()
    if not status.writable:
        raise read_only_error(status)
