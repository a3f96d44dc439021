"""REST operations on the account's billing: subscription, usage, invoices, Checkout and the Portal.

Billing is the owner's business, so every operation needs the owner role. Stripe's webhook receiver
is not part of this API (Stripe calls it, signed): see service/billing/webhook.py.
"""

from __future__ import annotations

from typing import Any

from service.api import ApiView, PageArgs, api_blueprint, idempotent, page_of, paginate, require_role
from service.billing import operations as ops
from service.billing.gateway import BillingProviderError
from service.billing.models import BillingAccount
from service.billing.read_only import allowed_when_read_only
from service.billing.schemas import (
    CheckoutSessionIn,
    EmptyIn,
    InvoiceOut,
    SessionLinkOut,
    SubscriptionOut,
    UsageArgs,
    UsageOut,
)
from service.billing.summary import subscription_summary, usage_dict, usage_report
from service.extensions import db
from tenants.roles import Role

blp = api_blueprint(
    "billing",
    "/billing",
    "The account's plan, seats, usage and invoices, and links to Stripe Checkout and the Customer Portal. "
    "Past a plan's limit, operations answer 402 with code `plan_limit_reached`; a past-due account (after the "
    "grace period) or one without a subscription after its trial answers every write with 402 and code "
    "`subscription_past_due` or `subscription_required`, while reads and exports keep working.",
)


def _unavailable(error: BillingProviderError) -> ops.BillingUnavailable:
    return ops.BillingUnavailable(
        "Stripe could not be reached or refused the request; nothing was changed. Try again in a minute.",
        {"stripe": [str(error)]},
    )


@blp.route("/subscription")
class Subscription(ApiView):
    @require_role(Role.OWNER)
    @blp.response(200, SubscriptionOut)
    def get(self) -> Any:
        """The plan, status, seats and current billing period"""
        return subscription_summary()


@blp.route("/usage")
class Usage(ApiView):
    @require_role(Role.OWNER)
    @blp.arguments(UsageArgs, location="query")
    @blp.response(200, UsageOut)
    def get(self, args: dict) -> Any:
        """Usage in a period against the plan (agencies: per client brand too)"""
        return usage_dict(usage_report(args.get("month")))


@blp.route("/invoices")
class Invoices(ApiView):
    @require_role(Role.OWNER)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(InvoiceOut))
    def get(self, args: dict) -> Any:
        """List invoices (copies of Stripe's, newest first)"""
        return paginate(ops.invoices_query(), **args)


def _customer_account() -> BillingAccount:
    """The account with its Stripe customer, committed at once: Stripe holds the customer from now on,
    and a later failure of this request must not lose its id."""
    try:
        account = ops.ensure_customer()
    except BillingProviderError as error:
        raise _unavailable(error) from error
    db.session.commit()
    return account


@blp.route("/checkout-session")
class CheckoutSession(ApiView):
    @allowed_when_read_only
    @require_role(Role.OWNER)
    @idempotent
    @blp.arguments(CheckoutSessionIn)
    @blp.response(201, SessionLinkOut)
    def post(self, data: dict) -> Any:
        """Start Stripe Checkout for a plan (send the owner's browser to the returned URL)"""
        ops.require_billing_enabled()
        account = _customer_account()
        try:
            return ops.start_checkout(data["plan"], account)
        except BillingProviderError as error:
            raise _unavailable(error) from error


@blp.route("/portal-session")
class PortalSession(ApiView):
    @allowed_when_read_only
    @require_role(Role.OWNER)
    @idempotent
    @blp.arguments(EmptyIn)
    @blp.response(201, SessionLinkOut)
    def post(self, data: dict) -> Any:
        """Open the Stripe Customer Portal: plan and seats, payment method, tax id, invoices, cancelling"""
        ops.require_billing_enabled()
        account = _customer_account()
        try:
            return ops.open_portal(account)
        except BillingProviderError as error:
            raise _unavailable(error) from error
