"""Where a tenant stands: its plan, its billing period, and whether it may still write.

Everything here is computed from the stored account (itself a copy of Stripe's current state) and
the clock, so every request and job of the tenant agrees on the answer without asking Stripe.
"""

from __future__ import annotations

import calendar
import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from service.billing.models import LIVE_STATUSES, PAST_DUE_STATUSES, BillingAccount
from service.billing.plans import DEVELOPMENT_PLAN, Plan, billing_enabled, catalogue
from service.extensions import db
from service.models import utcnow
from tenants.context import require_tenant_id
from tenants.models import Membership, Tenant

log = logging.getLogger(__name__)

# The codes of a 402 answer when the account may only read.
PAST_DUE = "subscription_past_due"
SUBSCRIPTION_REQUIRED = "subscription_required"


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class BillingStatus:
    enabled: bool
    plan: Plan
    # development, trial, trial_ended, or the subscription's Stripe status (active, past_due, canceled...)
    status: str
    period: Period
    read_only_code: str | None = None
    trial_ends_at: datetime | None = None
    grace_ends_at: datetime | None = None
    cancel_at_period_end: bool = False
    seats: int | None = None
    has_customer: bool = False
    has_subscription: bool = False

    @property
    def writable(self) -> bool:
        return self.read_only_code is None


def calendar_month(moment: datetime, months_back: int = 0) -> Period:
    year, month = moment.year, moment.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    start = datetime(year, month, 1, tzinfo=UTC)
    days = calendar.monthrange(year, month)[1]
    return Period(start, start + timedelta(days=days))


def billing_period(account: BillingAccount | None, now: datetime) -> Period:
    """The subscription's current period; the calendar month when there is none (or it has run out)."""
    if account is not None and account.current_period_start and account.current_period_end:
        period = Period(account.current_period_start, account.current_period_end)
        if period.contains(now):
            return period
    return calendar_month(now)


def find_account() -> BillingAccount | None:
    return db.session.execute(select(BillingAccount)).scalar_one_or_none()


def member_count() -> int:
    return db.session.execute(select(func.count()).select_from(Membership)).scalar_one()


def _tenant() -> Tenant:
    tenant = db.session.get(Tenant, require_tenant_id())
    assert tenant is not None
    return tenant


def trial_end_of(tenant: Tenant) -> datetime:
    return tenant.created_at + timedelta(days=catalogue().trial.trial_days)


def _subscribed_plan(account: BillingAccount) -> Plan:
    plan = catalogue().plan(account.plan_key) if account.plan_key else None
    if plan is not None:
        return plan
    # A paying customer is never limited by the operator's missing plan entry; the sync logged it.
    return dataclasses.replace(DEVELOPMENT_PLAN, key="unknown", name="Unknown plan")


def _subscribed_status(account: BillingAccount, now: datetime) -> BillingStatus:
    status = account.subscription_status or "active"
    grace_ends_at = read_only = None
    if status in PAST_DUE_STATUSES:
        since = account.past_due_since or now
        grace_ends_at = since + timedelta(days=current_app.config["BILLING_GRACE_DAYS"])
        read_only = PAST_DUE if now >= grace_ends_at else None
    return BillingStatus(
        enabled=True,
        plan=_subscribed_plan(account),
        status=status,
        period=billing_period(account, now),
        read_only_code=read_only,
        trial_ends_at=account.trial_end,
        grace_ends_at=grace_ends_at,
        cancel_at_period_end=account.cancel_at_period_end,
        seats=account.seats,
        has_customer=account.stripe_customer_id is not None,
        has_subscription=True,
    )


def _unsubscribed_status(account: BillingAccount | None, now: datetime) -> BillingStatus:
    """No live subscription: the trial while it runs, then read-only until the owner subscribes."""
    trial_ends_at = trial_end_of(_tenant())
    if now < trial_ends_at:
        status, read_only = "trial", None
    else:
        ended = account.subscription_status if account and account.subscription_status else None
        status, read_only = ended or "trial_ended", SUBSCRIPTION_REQUIRED
    return BillingStatus(
        enabled=True,
        plan=catalogue().trial,
        status=status,
        period=billing_period(None, now),
        read_only_code=read_only,
        trial_ends_at=trial_ends_at,
        has_customer=account is not None and account.stripe_customer_id is not None,
    )


def billing_status(now: datetime | None = None) -> BillingStatus:
    """The current tenant's plan and access; with billing off, the unlimited development plan."""
    now = now or utcnow()
    if not billing_enabled():
        return BillingStatus(enabled=False, plan=DEVELOPMENT_PLAN, status="development", period=calendar_month(now))
    account = find_account()
    if account is not None and account.subscription_status in LIVE_STATUSES:
        return _subscribed_status(account, now)
    return _unsubscribed_status(account, now)
