"""Billing's business rules: the Stripe customer, Checkout and the Portal, seats, and keeping the local
copy of the subscription and invoices in step with Stripe.

The local copy is always written from what Stripe says now (``retrieve``), never from a webhook's
body: events arrive late, twice or out of order, and the current state is the only safe answer.
Operations flush and never commit; views and jobs commit.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from service.audit.operations import record_event
from service.billing.gateway import CheckoutRequest, InvoiceState, Link, SubscriptionState, gateway
from service.billing.limits import billing_page_url
from service.billing.models import LIVE_STATUSES, PAST_DUE_STATUSES, BillingAccount, BillingInvoice
from service.billing.notifications import owners
from service.billing.plans import Plan, billing_enabled, catalogue
from service.billing.status import member_count, trial_end_of
from service.errors import AppError, Conflict, Unprocessable
from service.extensions import db
from service.models import utcnow
from tenants.context import require_tenant_id, unscoped
from tenants.models import Tenant

log = logging.getLogger(__name__)

# Stripe refuses a Checkout trial that ends in less than 48 hours; keep a margin.
MIN_CHECKOUT_TRIAL = timedelta(hours=49)


class BillingDisabled(AppError):
    status_code = 409
    code = "billing_disabled"


class BillingUnavailable(AppError):
    """Stripe could not be reached or refused the request; nothing was changed on our side."""

    status_code = 502
    code = "billing_provider_unavailable"


def require_billing_enabled() -> None:
    if not billing_enabled():
        raise BillingDisabled("Billing is switched off on this server (no STRIPE_SECRET_KEY); every plan is unlimited.")


def _tenant() -> Tenant:
    tenant = db.session.get(Tenant, require_tenant_id())
    assert tenant is not None
    return tenant


# --- the account and its Stripe customer ------------------------------------------------------------


def lock_account() -> BillingAccount | None:
    """The tenant's account, locked until the transaction ends, so concurrent syncs apply one at a time."""
    return db.session.execute(select(BillingAccount).with_for_update()).scalar_one_or_none()


def ensure_account() -> BillingAccount:
    account = lock_account()
    if account is not None:
        return account
    try:
        with db.session.begin_nested():
            db.session.add(BillingAccount(id=uuid.uuid4()))
    except IntegrityError:
        pass  # a concurrent request created it first; the lock below waits for it
    account = lock_account()
    assert account is not None
    return account


def _owner_email() -> str | None:
    found = owners()
    return found[0].email if found else None


def ensure_customer() -> BillingAccount:
    """The tenant's account with its Stripe customer, created once (the idempotency key is the tenant's).

    The caller commits straight after: Stripe now holds the customer, and its id must not be lost
    with a later failure of the same request.
    """
    require_billing_enabled()
    account = ensure_account()
    if account.stripe_customer_id is None:
        tenant = _tenant()
        account.stripe_customer_id = gateway().create_customer(
            tenant.id, tenant.name, _owner_email(), tenant.default_locale
        )
        record_event("billing.customer_created", target_type="billing_account", target_id=account.id)
        db.session.flush()
    return account


# --- Checkout and the Customer Portal ---------------------------------------------------------------


def _plan_to_buy(plan_key: str) -> Plan:
    plan = catalogue().plans.get(plan_key)
    if plan is None:
        known = ", ".join(catalogue().plans)
        raise Unprocessable(f"There is no plan {plan_key!r}; choose one of: {known}.", {"plan": [f"One of: {known}."]})
    return plan


def _seats_for(plan: Plan) -> int:
    members = member_count()
    seats = plan.seats
    if seats.hard_limit and seats.included is not None and members > seats.included:
        raise Unprocessable(
            f"The {plan.name} plan has {seats.included} seats and this account has {members} members. "
            "Remove members first or choose a plan with more seats.",
            {"plan": [f"Has {seats.included} seats; {members} members."]},
        )
    return plan.billed_seats(members)


def _checkout_trial_end(tenant: Tenant) -> int | None:
    """Subscribing during the trial keeps the trial: the first charge comes when it would have ended."""
    trial_end = trial_end_of(tenant)
    if trial_end - utcnow() < MIN_CHECKOUT_TRIAL:
        return None
    return int(trial_end.timestamp())


def start_checkout(plan_key: str, account: BillingAccount) -> Link:
    """A Stripe Checkout session that subscribes the tenant to ``plan_key``; the owner pays there."""
    require_billing_enabled()
    plan = _plan_to_buy(plan_key)
    if account.subscription_status in LIVE_STATUSES:
        raise Conflict(
            "This account already has a subscription; change the plan or the payment method in the Customer Portal.",
            {"plan": ["Already subscribed."]},
            code="already_subscribed",
        )
    assert account.stripe_customer_id is not None, "call ensure_customer() first"
    tenant = _tenant()
    seats = _seats_for(plan)
    config = current_app.config
    link = gateway().create_checkout_session(
        CheckoutRequest(
            customer_id=account.stripe_customer_id,
            tenant_id=tenant.id,
            plan_key=plan.key,
            seat_price=plan.seat_price or "",
            seats=seats,
            metered_prices=plan.metered_prices,
            success_url=f"{billing_page_url()}?checkout=success",
            cancel_url=f"{billing_page_url()}?checkout=cancelled",
            automatic_tax=config["BILLING_AUTOMATIC_TAX"],
            tax_id_collection=config["BILLING_TAX_ID_COLLECTION"],
            trial_end=_checkout_trial_end(tenant),
            # One key per attempt: a retried request reuses its session, a new click gets a new one.
            idempotency_key=f"fairpact-checkout-{tenant.id}-{uuid.uuid4().hex}",
        )
    )
    record_event(
        "billing.checkout_started",
        target_type="billing_account",
        target_id=account.id,
        details={"plan": plan.key, "seats": seats},
    )
    return link


def open_portal(account: BillingAccount) -> Link:
    """A Customer Portal session: change plan or seats, payment method, tax id, see invoices, cancel."""
    require_billing_enabled()
    assert account.stripe_customer_id is not None, "call ensure_customer() first"
    return gateway().create_portal_session(
        account.stripe_customer_id,
        billing_page_url(),
        current_app.config["BILLING_PORTAL_CONFIGURATION"],
        f"fairpact-portal-{account.tenant_id}-{uuid.uuid4().hex}",
    )


# --- seats ----------------------------------------------------------------------------------------------


def _seat_item(state: SubscriptionState) -> tuple[Plan | None, str | None, int]:
    for item in state.items:
        plan = catalogue().plan_for_price(item.price_id)
        if plan is not None:
            return plan, item.id, item.quantity
    return None, None, 0


def sync_seats(revision: int) -> int | None:
    """Set the subscription's quantity to the seats in use; returns the new quantity, None if unchanged."""
    account = lock_account()
    if account is None or account.stripe_subscription_id is None or revision < account.seat_revision:
        return None
    state = gateway().retrieve_subscription(account.stripe_subscription_id)
    apply_subscription_state(account, state)
    plan, item_id, quantity = _seat_item(state)
    if plan is None or item_id is None or state.status not in LIVE_STATUSES:
        return None
    wanted = plan.billed_seats(member_count())
    if wanted == quantity:
        return None
    # A fresh key per call: setting a quantity is idempotent by itself, and Stripe would replay a saved 500.
    gateway().set_seat_quantity(item_id, wanted, f"fairpact-seats-{account.id}-r{revision}-{uuid.uuid4().hex[:12]}")
    account.seats = wanted
    record_event(
        "billing.seats_changed",
        target_type="billing_account",
        target_id=account.id,
        details={"from": quantity, "to": wanted},
    )
    return wanted


# --- the local copy of Stripe's state -------------------------------------------------------------------


def _adopts(account: BillingAccount, state: SubscriptionState) -> bool:
    """Whether ``state`` is the tenant's subscription now: an ended old one never replaces the current one."""
    if state.id == account.stripe_subscription_id or account.stripe_subscription_id is None:
        return True
    # Another subscription of the same customer (subscribed again after cancelling): only a live one takes over.
    if state.status in LIVE_STATUSES and account.subscription_status in LIVE_STATUSES:
        log.warning(
            "customer %s has two live subscriptions: %s and %s",
            state.customer_id,
            state.id,
            account.stripe_subscription_id,
        )
    return state.status in LIVE_STATUSES


def apply_subscription_state(account: BillingAccount, state: SubscriptionState) -> None:
    if not _adopts(account, state):
        log.info("ignoring subscription %s (%s): %s is current", state.id, state.status, account.stripe_subscription_id)
        return
    plan, item_id, quantity = _seat_item(state)
    if plan is None:
        log.error("subscription %s has no seat price of a configured plan; check BILLING_PLANS_FILE", state.id)
    before = (account.subscription_status, account.plan_key, account.stripe_subscription_id)
    seat_item = next((item for item in state.items if item.id == item_id), None)
    account.stripe_subscription_id = state.id
    account.subscription_status = state.status
    account.plan_key = plan.key if plan else None
    account.seat_item_id = item_id
    account.seats = quantity if item_id else None
    account.current_period_start = seat_item.period_start if seat_item else None
    account.current_period_end = seat_item.period_end if seat_item else None
    account.cancel_at_period_end = state.cancel_at_period_end
    account.trial_end = state.trial_end
    # The grace period counts from the first time we saw it past due, and ends with a payment.
    account.past_due_since = (account.past_due_since or utcnow()) if state.status in PAST_DUE_STATUSES else None
    account.synced_at = utcnow()
    if before != (account.subscription_status, account.plan_key, account.stripe_subscription_id):
        record_event(
            "billing.subscription_changed",
            target_type="billing_account",
            target_id=account.id,
            details={"status": state.status, "plan": account.plan_key, "previous_status": before[0]},
        )


def sync_subscription(subscription_id: str) -> BillingAccount:
    """Fetch the subscription's current state from Stripe and store it (the account is locked meanwhile)."""
    account = ensure_account()
    apply_subscription_state(account, gateway().retrieve_subscription(subscription_id))
    db.session.flush()
    return account


def store_invoice(state: InvoiceState) -> BillingInvoice:
    invoice = db.session.execute(
        select(BillingInvoice).where(BillingInvoice.stripe_invoice_id == state.id)
    ).scalar_one_or_none()
    if invoice is None:
        invoice = BillingInvoice(id=uuid.uuid4(), stripe_invoice_id=state.id)
        db.session.add(invoice)
    invoice.number, invoice.status, invoice.currency = state.number, state.status, state.currency
    invoice.total, invoice.amount_due, invoice.amount_paid = state.total, state.amount_due, state.amount_paid
    invoice.period_start, invoice.period_end, invoice.issued_at = state.period_start, state.period_end, state.created
    invoice.hosted_invoice_url, invoice.pdf_url = state.hosted_invoice_url, state.pdf_url
    db.session.flush()
    return invoice


def sync_invoice(invoice_id: str) -> InvoiceState:
    """Refresh one invoice from Stripe, then the subscription it bills (paid or failed changes its status)."""
    state = gateway().retrieve_invoice(invoice_id)
    store_invoice(state)
    if state.subscription_id:
        sync_subscription(state.subscription_id)
    return state


def refresh_invoices(customer_id: str) -> int:
    """Copy the customer's latest invoices from Stripe (after Checkout, the first one is already there)."""
    states = gateway().list_invoices(customer_id)
    for state in states:
        store_invoice(state)
    return len(states)


def invoices_query() -> Select[tuple[BillingInvoice]]:
    return select(BillingInvoice).order_by(BillingInvoice.issued_at.desc(), BillingInvoice.id)


def customer_tenant(customer_id: str | None) -> uuid.UUID | None:
    """The tenant a Stripe customer belongs to: the one lookup across tenants, by an id we created."""
    if not customer_id:
        return None
    with unscoped("map a Stripe customer in a webhook event to its tenant"):
        return db.session.execute(
            select(BillingAccount.tenant_id).where(BillingAccount.stripe_customer_id == customer_id)
        ).scalar_one_or_none()
