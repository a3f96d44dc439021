"""The one module that talks to Stripe (and the only one that imports ``stripe``).

It takes a ``StripeClient`` (built from STRIPE_SECRET_KEY, or handed in by the tests with their own
HTTP client) and answers in plain dataclasses, so the rest of the billing code never depends on
the SDK's objects. Every create call carries an idempotency key chosen by the caller, so a retried
request never creates a second customer, session or meter event. Stripe's failures come back as
``BillingProviderError``, marked transient when trying again later can help.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from flask import Flask, current_app
from stripe import StripeClient
from stripe._base_address import BaseAddresses
from stripe.params import CustomerCreateParams
from stripe.params.billing_portal import SessionCreateParams as PortalSessionCreateParams
from stripe.params.checkout import SessionCreateParams as CheckoutSessionCreateParams

CLIENT_KEY = "fairpact_stripe_client"
# Network retries inside one call (same idempotency key); the jobs' own retries come on top.
PRODUCTION_NETWORK_RETRIES = 2


class BillingProviderError(Exception):
    """Stripe refused or could not be reached. ``transient``: the same request may succeed later."""

    def __init__(self, message: str, *, transient: bool, http_status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.http_status = http_status


class WebhookSignatureInvalid(Exception):
    """The body is not signed with our endpoint secret, or the signature is too old (a replay)."""


@dataclass(frozen=True)
class Link:
    id: str
    url: str


@dataclass(frozen=True)
class SubscriptionItemState:
    id: str
    price_id: str
    quantity: int
    period_start: datetime | None
    period_end: datetime | None


@dataclass(frozen=True)
class SubscriptionState:
    id: str
    customer_id: str
    status: str
    items: tuple[SubscriptionItemState, ...]
    cancel_at_period_end: bool
    trial_end: datetime | None


@dataclass(frozen=True)
class InvoiceState:
    id: str
    customer_id: str | None
    subscription_id: str | None
    number: str | None
    status: str
    currency: str
    total: int
    amount_due: int
    amount_paid: int
    period_start: datetime | None
    period_end: datetime | None
    created: datetime
    hosted_invoice_url: str | None
    pdf_url: str | None


@dataclass(frozen=True)
class ReceivedEvent:
    """What the webhook receiver keeps of a verified event: enough to find the object again."""

    id: str
    type: str
    created: datetime
    object_id: str | None
    customer_id: str | None
    subscription_id: str | None


@dataclass(frozen=True)
class CheckoutRequest:
    customer_id: str
    tenant_id: uuid.UUID
    plan_key: str
    seat_price: str
    seats: int
    metered_prices: tuple[str, ...]
    success_url: str
    cancel_url: str
    automatic_tax: bool
    tax_id_collection: bool
    trial_end: int | None  # unix time: the subscription's trial ends with the tenant's own trial
    idempotency_key: str


def _time(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None


def _id_of(value: Any) -> str | None:
    """An expandable field (an id, or the object when expanded, as an object or a dict) as its id."""
    if value is None or isinstance(value, str):
        return value
    found = value.get("id") if isinstance(value, dict) else value.id
    return str(found) if found else None


# Refusals about the request itself: sending it again cannot help. Anything else (network, 5xx, rate
# limits, a revoked or wrong key) may pass later, so it is worth retrying rather than giving up.
PERMANENT_ERRORS = (stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError)


def _provider_error(error: stripe.StripeError) -> BillingProviderError:
    status = error.http_status
    message = f"Stripe answered {status or 'nothing'}: {error.user_message or type(error).__name__}"
    return BillingProviderError(message[:500], transient=not isinstance(error, PERMANENT_ERRORS), http_status=status)


class StripeGateway:
    def __init__(self, client: StripeClient):
        self._client = client

    def create_customer(self, tenant_id: uuid.UUID, name: str, email: str | None, locale: str) -> str:
        """Stripe's customer for a tenant; the key makes a retry return the first one, not a second."""
        params: CustomerCreateParams = {
            "name": name,
            "preferred_locales": [locale],
            "metadata": {"tenant_id": str(tenant_id)},
        }
        if email:
            params["email"] = email
        try:
            customer = self._client.v1.customers.create(params, {"idempotency_key": f"fairpact-customer-{tenant_id}"})
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        return customer.id

    def create_checkout_session(self, request: CheckoutRequest) -> Link:
        try:
            session = self._client.v1.checkout.sessions.create(
                self._checkout_params(request), {"idempotency_key": request.idempotency_key}
            )
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        if not session.url:
            raise BillingProviderError("Stripe created a Checkout session without a URL", transient=False)
        return Link(id=session.id, url=session.url)

    @staticmethod
    def _checkout_params(request: CheckoutRequest) -> CheckoutSessionCreateParams:
        metadata = {"tenant_id": str(request.tenant_id), "plan": request.plan_key}
        params: CheckoutSessionCreateParams = {
            "mode": "subscription",
            "customer": request.customer_id,
            "client_reference_id": str(request.tenant_id),
            "line_items": [{"price": request.seat_price, "quantity": request.seats}],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "automatic_tax": {"enabled": request.automatic_tax},
            "tax_id_collection": {"enabled": request.tax_id_collection},
        }
        for price in request.metered_prices:
            # Metered prices take no quantity: the meter events decide what is billed.
            params["line_items"].append({"price": price})
        if request.automatic_tax or request.tax_id_collection:
            # Tax needs the buyer's address and a tax id needs the business name, saved on our customer.
            params["customer_update"] = {"address": "auto", "name": "auto"}
        if request.trial_end is not None:
            params["subscription_data"]["trial_end"] = request.trial_end
        return params

    def create_portal_session(
        self, customer_id: str, return_url: str, configuration: str | None, idempotency_key: str
    ) -> Link:
        params: PortalSessionCreateParams = {"customer": customer_id, "return_url": return_url}
        if configuration:
            params["configuration"] = configuration
        try:
            session = self._client.v1.billing_portal.sessions.create(params, {"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        return Link(id=session.id, url=session.url)

    def retrieve_subscription(self, subscription_id: str) -> SubscriptionState:
        try:
            subscription = self._client.v1.subscriptions.retrieve(subscription_id)
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        items = tuple(
            SubscriptionItemState(
                id=item.id,
                price_id=item.price.id,
                quantity=item.quantity or 0,
                period_start=_time(item.current_period_start),
                period_end=_time(item.current_period_end),
            )
            for item in subscription.items.data
        )
        return SubscriptionState(
            id=subscription.id,
            customer_id=_id_of(subscription.customer) or "",
            status=subscription.status,
            items=items,
            cancel_at_period_end=bool(subscription.cancel_at_period_end),
            trial_end=_time(subscription.trial_end),
        )

    def set_seat_quantity(self, item_id: str, quantity: int, idempotency_key: str) -> None:
        """Change the seats; Stripe prorates the difference onto the next invoice."""
        try:
            self._client.v1.subscription_items.update(
                item_id,
                {"quantity": quantity, "proration_behavior": "create_prorations"},
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise _provider_error(error) from error

    def retrieve_invoice(self, invoice_id: str) -> InvoiceState:
        try:
            invoice = self._client.v1.invoices.retrieve(invoice_id)
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        return _invoice_state(invoice)

    def report_meter_event(
        self, event_name: str, customer_id: str, identifier: str, occurred_at: datetime, idempotency_key: str
    ) -> None:
        """One unit of usage. ``identifier`` is Stripe's dedup key for the event and never changes on retries;
        the idempotency key is per attempt, because Stripe replays a saved 500 for a reused key."""
        try:
            self._client.v1.billing.meter_events.create(
                {
                    "event_name": event_name,
                    "identifier": identifier,
                    "timestamp": int(occurred_at.timestamp()),
                    "payload": {"stripe_customer_id": customer_id, "value": "1"},
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise _provider_error(error) from error

    def meter_total(self, meter_id: str, customer_id: str, start: datetime, end: datetime) -> int:
        """What Stripe's meter has aggregated for the customer between two minute-aligned times."""
        try:
            summaries = self._client.v1.billing.meters.event_summaries.list(
                meter_id,
                {"customer": customer_id, "start_time": int(start.timestamp()), "end_time": int(end.timestamp())},
            )
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        return round(sum(summary.aggregated_value for summary in summaries.auto_paging_iter()))

    def list_invoices(self, customer_id: str, limit: int = 24) -> list[InvoiceState]:
        """The customer's latest invoices, newest first."""
        try:
            invoices = self._client.v1.invoices.list({"customer": customer_id, "limit": limit})
        except stripe.StripeError as error:
            raise _provider_error(error) from error
        return [_invoice_state(invoice) for invoice in invoices.data]


def _invoice_subscription(invoice: stripe.Invoice) -> str | None:
    details = invoice.parent.subscription_details if invoice.parent else None
    return _id_of(details.subscription) if details else None


def _invoice_state(invoice: stripe.Invoice) -> InvoiceState:
    return InvoiceState(
        id=invoice.id or "",
        customer_id=_id_of(invoice.customer),
        subscription_id=_invoice_subscription(invoice),
        number=invoice.number,
        status=invoice.status or "draft",
        currency=invoice.currency,
        total=invoice.total,
        amount_due=invoice.amount_due,
        amount_paid=invoice.amount_paid,
        period_start=_time(invoice.period_start),
        period_end=_time(invoice.period_end),
        created=_time(invoice.created) or datetime.now(UTC),
        hosted_invoice_url=invoice.hosted_invoice_url,
        pdf_url=invoice.invoice_pdf,
    )


# --- webhooks -------------------------------------------------------------------------------------


def verify_webhook(payload: bytes, signature: str | None, secret: str | None, tolerance: int) -> ReceivedEvent:
    """Check the ``Stripe-Signature`` header with the SDK and keep the event's references."""
    if not secret:
        raise WebhookSignatureInvalid("no webhook secret is configured, so no signature can be valid")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureInvalid(str(error)) from error
    except ValueError as error:  # signed, but not a Stripe event (not JSON, or a thin v2 notification)
        raise WebhookSignatureInvalid(f"not a Stripe event: {error}") from error
    return _received(event)


def _received(event: stripe.Event) -> ReceivedEvent:
    obj = event.data.object.to_dict()  # the typed object (Session, Invoice...) as plain data
    object_type = obj.get("object")
    subscription = obj.get("id") if object_type == "subscription" else obj.get("subscription")
    if object_type == "invoice" and subscription is None:
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        subscription = details.get("subscription")
    customer = obj.get("id") if object_type == "customer" else obj.get("customer")
    return ReceivedEvent(
        id=event.id,
        type=event.type,
        created=_time(event.created) or datetime.now(UTC),
        object_id=_id_of(obj.get("id")),
        customer_id=_id_of(customer),
        subscription_id=_id_of(subscription),
    )


# --- the client -----------------------------------------------------------------------------------


def install_stripe_client(app: Flask, client: StripeClient) -> None:
    """Use ``client`` for this app's Stripe calls (the tests pass one with their own HTTP client)."""
    app.extensions[CLIENT_KEY] = client


def gateway() -> StripeGateway:
    app = current_app
    client = app.extensions.get(CLIENT_KEY)
    if client is None:
        secret_key = app.config.get("STRIPE_SECRET_KEY")
        if not secret_key:
            raise RuntimeError("billing is switched off: STRIPE_SECRET_KEY is not set")
        api_base = app.config.get("STRIPE_API_BASE")  # the tests' fake Stripe; never set in production
        addresses = BaseAddresses(api=api_base) if api_base else None
        client = StripeClient(secret_key, max_network_retries=PRODUCTION_NETWORK_RETRIES, base_addresses=addresses)
        app.extensions[CLIENT_KEY] = client
    return StripeGateway(client)
