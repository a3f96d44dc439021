"""The hook the member operations call when someone joins or leaves: seats follow the members."""

from __future__ import annotations

from service.billing.models import LIVE_STATUSES
from service.billing.plans import billing_enabled
from service.billing.status import find_account
from service.extensions import db
from service.jobs import defer
from tenants.context import require_tenant_id


def seats_changed() -> None:
    """Bring Stripe's seat quantity in step with the members, after this transaction commits.

    The job reads the members when it runs and sets Stripe's quantity to match (setting a quantity is
    idempotent); it carries this change's revision, so an older job never undoes a newer one.
    """
    if not billing_enabled():
        return
    account = find_account()
    if account is None or account.subscription_status not in LIVE_STATUSES:
        return
    account.seat_revision += 1
    db.session.flush()
    defer("billing.sync_seats", require_tenant_id(), account.seat_revision)
