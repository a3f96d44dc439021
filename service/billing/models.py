"""Billing records: a tenant's Stripe account and subscription, its metered usage, its invoices, and
the Stripe events received (so a repeated delivery has a single effect)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.models import UTCDateTime, created_at, tenant_row_id, utcnow, uuid_pk
from tenants.scoping import TenantOwned, tenant_keys

# Subscription statuses (Stripe's words) in which the tenant has a paid plan.
LIVE_STATUSES = frozenset({"active", "trialing", "past_due", "unpaid"})
PAST_DUE_STATUSES = frozenset({"past_due", "unpaid"})


class BillingAccount(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One per tenant: its Stripe customer and the last known state of its subscription.

    Written from Stripe's current state (fetched, never taken from a webhook's body), so events that
    arrive late or out of order cannot roll it back.
    """

    __tablename__ = "billing_accounts"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id"),
        # Webhooks name the customer; finding its tenant is the one cross-tenant lookup.
        Index("ix_billing_accounts_stripe_customer", "stripe_customer_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    subscription_status: Mapped[str | None] = mapped_column(String(32))
    plan_key: Mapped[str | None] = mapped_column(String(64))
    seat_item_id: Mapped[str | None] = mapped_column(String(255))
    seats: Mapped[int | None] = mapped_column(Integer)
    current_period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, nullable=False)
    trial_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the subscription was first seen past due; the grace period counts from here.
    past_due_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped with every membership change; a seat-sync job older than the latest change does nothing.
    seat_revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class UsageRecord(TenantOwned, db.Model):  # type: ignore[name-defined]
    """One unit of metered work (a disclosure check, a sealed contract), counted once per reference.

    ``report_status``: pending (to send to Stripe), reported, not_billable (no subscription when it
    happened: counted for the limits, never billed) or rejected (Stripe refused it for good).
    """

    __tablename__ = "usage_records"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "kind", "reference_id"),
        # No ON DELETE: usage is billing history, and a client with usage is archived, never deleted.
        ForeignKeyConstraint(["tenant_id", "client_id"], ["clients.tenant_id", "clients.id"]),
        Index("ix_usage_records_tenant_period", "tenant_id", "kind", "occurred_at"),
        Index("ix_usage_records_pending", "report_status", "tenant_id"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    reference_id: Mapped[str] = mapped_column(String(100), nullable=False)
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    report_status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    report_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def meter_identifier(self) -> str:
        """The meter event's identifier: the same on every retry, so Stripe counts it once."""
        return f"fairpact-usage-{self.id}"


class BillingInvoice(TenantOwned, db.Model):  # type: ignore[name-defined]
    """A copy of a Stripe invoice, refreshed from Stripe when an invoice event arrives."""

    __tablename__ = "billing_invoices"
    __table_args__ = tenant_keys(
        UniqueConstraint("tenant_id", "stripe_invoice_id"),
        Index("ix_billing_invoices_tenant_issued", "tenant_id", "issued_at"),
    )

    id: Mapped[uuid.UUID] = tenant_row_id()
    stripe_invoice_id: Mapped[str] = mapped_column(String(255), nullable=False)
    number: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    currency: Mapped[str] = mapped_column(String(8), nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)  # in the currency's smallest unit
    amount_due: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_paid: Mapped[int] = mapped_column(Integer, nullable=False)
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    hosted_invoice_url: Mapped[str | None] = mapped_column(String(2000))
    pdf_url: Mapped[str | None] = mapped_column(String(2000))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class StripeEvent(db.Model):  # type: ignore[name-defined]
    """A Stripe webhook event, stored when it arrives and processed by a worker.

    Not tenant-owned: the tenant is known only after the worker has matched the customer. The row
    keeps what the worker needs to find the object (never the body: it may hold personal data).
    """

    __tablename__ = "stripe_events"

    id: Mapped[uuid.UUID] = uuid_pk()
    stripe_event_id: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    type: Mapped[str] = mapped_column(String(100), nullable=False)
    stripe_created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    object_id: Mapped[str | None] = mapped_column(String(255))
    customer_id: Mapped[str | None] = mapped_column(String(255))
    subscription_id: Mapped[str | None] = mapped_column(String(255))
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("tenants.id", ondelete="SET NULL"))
    # received, processed, ignored (a type we do not handle), unmatched (no tenant has the customer),
    # or failed (Stripe refused for good, see last_error)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="received")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = created_at()
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
