"""Housekeeping: drop expired single-use tokens, idempotency records and settled Stripe events."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from service.accounts.models import MagicLink
from service.billing.events import prune_settled_events
from service.extensions import db
from service.idempotency.models import IdempotencyRecord
from service.models import utcnow
from tenants.context import unscoped
from workers.base import system_job


@system_job
def prune_expired() -> dict[str, int]:
    now = utcnow()
    links = db.session.execute(delete(MagicLink).where(MagicLink.expires_at < now - timedelta(days=1)))
    horizon = now - timedelta(seconds=current_app.config["IDEMPOTENCY_TTL_SECONDS"])
    # Housekeeping over every tenant's records; it deletes by age only and reads nothing.
    with unscoped("prune expired idempotency records of all tenants"):
        records = db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < horizon))
    return {
        "magic_links": links.rowcount,  # type: ignore[attr-defined]
        "idempotency_records": records.rowcount,  # type: ignore[attr-defined]
        "stripe_events": prune_settled_events(),
    }
