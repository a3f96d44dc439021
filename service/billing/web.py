"""The billing page for owners: plan, seats, usage against the plan, invoices, Checkout and the Portal.

Agencies also see usage per client brand for a month, and download it as CSV for re-billing.
Checkout and the Portal are Stripe's pages: the buttons here post a form, and the answer redirects
the browser there (303), so the Stripe session is created only on purpose, never by a link preview.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.billing import operations as ops
from service.billing.gateway import BillingProviderError, Link
from service.billing.limits import seats_in_use
from service.billing.models import BillingAccount
from service.billing.plans import billing_enabled, purchasable_plans
from service.billing.read_only import allowed_when_read_only
from service.billing.schemas import MONTH
from service.billing.status import billing_status, find_account
from service.billing.summary import is_agency, months_back, usage_report
from service.billing.usage import usage_by_client, usage_csv
from service.errors import AppError
from service.extensions import db
from service.web.forms import ConfirmForm
from service.web.pages import form_expired, staff_required
from service.web.transaction import transactional
from tenants.roles import Role

bp = Blueprint("web_billing", __name__)

KIND_LABELS = {"disclosure_check": _l("Disclosure checks"), "sealed_contract": _l("Sealed contracts")}
STATUS_LABELS = {
    "development": _l("Development: billing is switched off"),
    "trial": _l("Trial"),
    "trial_ended": _l("Trial ended"),
    "trialing": _l("Subscribed (trial period)"),
    "active": _l("Active"),
    "past_due": _l("Past due"),
    "unpaid": _l("Unpaid"),
    "canceled": _l("Cancelled"),
    "incomplete": _l("Payment not completed"),
    "incomplete_expired": _l("Payment not completed"),
    "paused": _l("Paused"),
}
# The operations' refusals, in the reader's language (their codes are stable, their English may change).
REFUSALS = {
    "billing_disabled": _l("Billing is switched off on this server; every plan is unlimited."),
    "already_subscribed": _l("This account already has a subscription. Change the plan in the Customer Portal."),
    "billing_provider_unavailable": _l("Stripe could not be reached; nothing was changed. Try again in a minute."),
}


def _month_arg() -> str | None:
    month = request.args.get("month", "").strip()
    return month if MONTH.match(month) else None


def render_billing(error: str | None = None, status_code: int = 200) -> Any:
    status = billing_status()
    account = find_account() if status.enabled else None
    page = render_template(
        "billing/index.html",
        status=status,
        status_label=STATUS_LABELS.get(status.status, status.status),
        seats_in_use=seats_in_use(),
        report=usage_report(),
        client_report=usage_report(_month_arg()) if is_agency() else None,
        month=_month_arg(),
        months=months_back(),
        kind_labels=KIND_LABELS,
        plans=list(purchasable_plans()) if billing_enabled() else [],
        invoices=list(db.session.execute(ops.invoices_query().limit(24)).scalars()),
        has_customer=account is not None and account.stripe_customer_id is not None,
        checkout=request.args.get("checkout"),
        error=error,
    )
    return page, status_code


def _refused(failure: AppError) -> Any:
    db.session.rollback()
    message = REFUSALS.get(failure.code or "")
    return render_billing(error=str(message) if message else failure.message, status_code=failure.status_code)


@bp.get("/settings/billing")
@staff_required(Role.OWNER)
def billing() -> ResponseReturnValue:
    return render_billing()


def _stripe_link(start: Callable[[BillingAccount], Link]) -> ResponseReturnValue:
    """Create the customer (committed at once: Stripe holds it now), then the session; redirect there."""
    if not ConfirmForm().validate_on_submit():
        form_expired()
    try:
        ops.require_billing_enabled()
        account = ops.ensure_customer()
        db.session.commit()
        link = start(account)
    except BillingProviderError:
        return _refused(ops.BillingUnavailable("Stripe could not be reached."))
    except AppError as failure:
        return _refused(failure)
    return redirect(link.url, code=303)


@bp.post("/settings/billing/checkout")
@allowed_when_read_only
@staff_required(Role.OWNER)
@transactional
def checkout() -> ResponseReturnValue:
    plan = request.form.get("plan", "")
    return _stripe_link(lambda account: ops.start_checkout(plan, account))


@bp.post("/settings/billing/portal")
@allowed_when_read_only
@staff_required(Role.OWNER)
@transactional
def portal() -> ResponseReturnValue:
    return _stripe_link(ops.open_portal)


@bp.get("/settings/billing/usage.csv")
@staff_required(Role.OWNER)
def usage_export() -> ResponseReturnValue:
    month = request.args.get("month", "").strip()
    if month and not MONTH.match(month):
        abort(400, description=_("Choose a month in the form YYYY-MM."))
    report = usage_report(month or None)
    body = usage_csv(report.period, usage_by_client(report.period))
    name = f"fairpact-usage-{report.period.start.strftime('%Y-%m-%d')}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


INVOICE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "paid": _l("Paid"),
    "uncollectible": _l("Uncollectible"),
    "void": _l("Void"),
}
# Stripe's amounts are in the smallest unit; these currencies have none below the whole unit.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)


@bp.app_template_global()
def invoice_status_label(status: str) -> str:
    label = INVOICE_STATUS_LABELS.get(status)
    return str(label) if label is not None else status


@bp.app_template_global()
def money(amount: int, currency: str) -> str:
    units = amount if currency.lower() in ZERO_DECIMAL_CURRENCIES else amount / 100
    return format_currency(units, currency.upper())


@bp.app_template_global()
def billing_flash_for(checkout: str | None) -> str | None:
    """The note shown when Stripe sends the owner back from Checkout."""
    if checkout == "success":
        return _("Thank you! Your subscription starts as soon as Stripe confirms the payment (usually seconds).")
    if checkout == "cancelled":
        return _("Checkout was cancelled; nothing was charged.")
    return None
