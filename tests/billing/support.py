"""Helpers for the billing tests: signed webhook deliveries, a subscribed tenant, and seeded billing rows."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import stripe
from flask import Flask
from sqlalchemy import update

from service.billing import operations as ops
from service.billing.models import BillingAccount, BillingInvoice, UsageRecord
from service.extensions import db
from service.models import utcnow
from tenants.context import tenant_scope
from tests.billing.conftest import WEBHOOK_SECRET
from tests.billing.fake_stripe import FakeStripe

PRICES = {"brand": "price_test_brand_seat", "agency": "price_test_agency_seat"}


def signature(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The Stripe-Signature header, made by the SDK's own helper."""
    return {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)}


def deliver(client: Any, payload: str, **signing: Any) -> Any:
    return client.post(
        "/api/v1/billing/webhook", data=payload, headers=signature(payload, **signing), content_type="application/json"
    )


@dataclass(frozen=True)
class Subscribed:
    customer_id: str
    subscription_id: str


def subscribe(
    app: Flask, fake: FakeStripe, tenant_id: uuid.UUID, plan: str = "brand", quantity: int = 2, status: str = "active"
) -> Subscribed:
    """A tenant with a Stripe customer and a subscription, stored the way the worker stores it (from Stripe)."""
    customer_id = fake.add_customer(str(tenant_id))
    metered = ("price_test_brand_checks",) if plan == "brand" else ("price_test_agency_checks",)
    subscription_id = fake.add_subscription(customer_id, PRICES[plan], quantity, status, metered_prices=metered)
    with app.app_context(), tenant_scope(tenant_id):
        account = ops.ensure_account()
        account.stripe_customer_id = customer_id
        ops.sync_subscription(subscription_id)
        db.session.commit()
    return Subscribed(customer_id, subscription_id)


def account_of(app: Flask, tenant_id: uuid.UUID) -> dict[str, Any]:
    with app.app_context(), tenant_scope(tenant_id):
        account = db.session.query(BillingAccount).one()
        return {c.key: getattr(account, c.key) for c in BillingAccount.__mapper__.column_attrs}


def set_account(app: Flask, tenant_id: uuid.UUID, **values: Any) -> None:
    """Move the account in time (``past_due_since``) or state, as days passing would."""
    with app.app_context(), tenant_scope(tenant_id):
        db.session.execute(update(BillingAccount).values(**values))
        db.session.commit()


def grace_over(app: Flask, tenant_id: uuid.UUID, days: int = 8) -> None:
    set_account(app, tenant_id, past_due_since=utcnow() - timedelta(days=days))


def usage_rows(app: Flask, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    with app.app_context(), tenant_scope(tenant_id):
        records = db.session.query(UsageRecord).order_by(UsageRecord.occurred_at, UsageRecord.id).all()
        return [{c.key: getattr(r, c.key) for c in UsageRecord.__mapper__.column_attrs} for r in records]


def now_ts(offset_seconds: int = 0) -> int:
    return int(time.time()) + offset_seconds


def seed_billing(tenant_id: uuid.UUID, client_id: uuid.UUID, customer_id: str) -> dict[str, str]:
    """One of every billing row for ``tenant_id`` (used by the cross-tenant walker); call in an app context."""
    with tenant_scope(tenant_id):
        account = BillingAccount(
            id=uuid.uuid4(),
            stripe_customer_id=customer_id,
            stripe_subscription_id=f"sub_{customer_id}",
            subscription_status="active",
            plan_key="agency",
            seats=3,
        )
        usage = UsageRecord(
            id=uuid.uuid4(), kind="disclosure_check", reference_id=f"check-{customer_id}", client_id=client_id
        )
        invoice = BillingInvoice(
            id=uuid.uuid4(),
            stripe_invoice_id=f"in_{customer_id}",
            number=f"NR-{customer_id}",
            status="paid",
            currency="eur",
            total=4900,
            amount_due=4900,
            amount_paid=4900,
            issued_at=utcnow(),
            hosted_invoice_url=f"https://invoice.stripe.com/i/{customer_id}",
        )
        db.session.add_all([account, usage, invoice])
        db.session.flush()
        return {"billing_account_id": str(account.id), "usage_id": str(usage.id), "invoice_id": str(invoice.id)}
