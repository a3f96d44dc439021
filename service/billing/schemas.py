"""Request and response shapes of the billing API."""

from __future__ import annotations

import re

import marshmallow as ma

from service.api import InputSchema, OutputSchema, StrictBoolean

# Years from 2000 on: Fairpact has no older billing, and datetime cannot hold year 0 or the month after 9999-12.
MONTH = re.compile(r"^2\d{3}-(0[1-9]|1[0-2])$")


class SeatAllowanceOut(OutputSchema):
    included = ma.fields.Integer(
        allow_none=True, metadata={"description": "Seats the plan bills at least; null: no limit"}
    )
    hard_limit = StrictBoolean(metadata={"description": "True: no more members than included seats"})


class UsageAllowanceOut(OutputSchema):
    kind = ma.fields.String(required=True)
    included = ma.fields.Integer(allow_none=True, metadata={"description": "Units per billing period; null: unlimited"})
    overage = StrictBoolean(metadata={"description": "True: units beyond `included` are billed, not refused"})


class PlanOut(OutputSchema):
    key = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    seats = ma.fields.Nested(SeatAllowanceOut, required=True)
    usage = ma.fields.List(ma.fields.Nested(UsageAllowanceOut), required=True)
    agency_clients = ma.fields.Integer(allow_none=True, metadata={"description": "Client brands; null: no limit"})
    features = ma.fields.List(ma.fields.String(), required=True)


class SubscriptionOut(OutputSchema):
    billing_enabled = StrictBoolean(required=True)
    status = ma.fields.String(
        required=True,
        metadata={"description": "development, trial, trial_ended, or Stripe's status (active, past_due, canceled…)"},
    )
    access = ma.fields.String(required=True, metadata={"description": "full, or read_only"})
    read_only_reason = ma.fields.String(
        allow_none=True, metadata={"description": "subscription_past_due or subscription_required"}
    )
    plan = ma.fields.Nested(PlanOut, required=True)
    seats_in_use = ma.fields.Integer(required=True, metadata={"description": "Members and pending invitations"})
    seats_billed = ma.fields.Integer(allow_none=True, metadata={"description": "The subscription's quantity"})
    period_start = ma.fields.DateTime(required=True)
    period_end = ma.fields.DateTime(required=True)
    trial_ends_at = ma.fields.DateTime(allow_none=True)
    grace_ends_at = ma.fields.DateTime(allow_none=True, metadata={"description": "Past due: read-only from then"})
    cancel_at_period_end = StrictBoolean(required=True)
    plans_available = ma.fields.List(ma.fields.Nested(PlanOut), required=True)


class UsageArgs(InputSchema):
    class Meta:
        unknown = ma.EXCLUDE

    month = ma.fields.String(
        validate=ma.validate.Regexp(MONTH, error="Use the form YYYY-MM, with a year from 2000 on."),
        metadata={"description": "A calendar month (YYYY-MM); default: the current billing period"},
    )


class UsageLineOut(OutputSchema):
    kind = ma.fields.String(required=True)
    used = ma.fields.Integer(required=True)
    included = ma.fields.Integer(allow_none=True)
    remaining = ma.fields.Integer(allow_none=True)
    limit = ma.fields.Integer(allow_none=True, metadata={"description": "The count at which work is refused"})
    overage = StrictBoolean(required=True)


class ClientUsageOut(OutputSchema):
    client_id = ma.fields.UUID(allow_none=True, metadata={"description": "null: work for no particular client"})
    client_name = ma.fields.String(allow_none=True)
    disclosure_check = ma.fields.Integer(required=True)
    sealed_contract = ma.fields.Integer(required=True)


class UsageOut(OutputSchema):
    period_start = ma.fields.DateTime(required=True)
    period_end = ma.fields.DateTime(required=True)
    meters = ma.fields.List(ma.fields.Nested(UsageLineOut), required=True)
    by_client = ma.fields.List(
        ma.fields.Nested(ClientUsageOut), required=True, metadata={"description": "Agencies: usage per client brand"}
    )


class InvoiceOut(OutputSchema):
    id = ma.fields.UUID(required=True)
    number = ma.fields.String(allow_none=True)
    status = ma.fields.String(required=True, metadata={"description": "Stripe's: draft, open, paid, void…"})
    currency = ma.fields.String(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "In the currency's smallest unit"})
    amount_due = ma.fields.Integer(required=True)
    amount_paid = ma.fields.Integer(required=True)
    period_start = ma.fields.DateTime(allow_none=True)
    period_end = ma.fields.DateTime(allow_none=True)
    issued_at = ma.fields.DateTime(required=True)
    hosted_invoice_url = ma.fields.String(allow_none=True)
    pdf_url = ma.fields.String(allow_none=True)


class CheckoutSessionIn(InputSchema):
    plan = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))


class SessionLinkOut(OutputSchema):
    url = ma.fields.String(required=True, metadata={"description": "Send the owner's browser here"})


class EmptyIn(InputSchema):
    """No fields: the session is for the calling key's account."""
