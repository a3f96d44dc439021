"""Email jobs."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from service.emails.models import EmailMessage
from service.emails.sending import deliver_message
from service.extensions import db
from service.jobs import defer
from service.models import utcnow
from workers.base import system_job


@system_job
def send_email(message_id: str) -> None:
    """Send one queued message; SMTP errors propagate so RQ retries with backoff."""
    # The row lock makes a duplicate run (a sweep re-enqueued it meanwhile) wait and then see "sent".
    message = db.session.get(EmailMessage, uuid.UUID(message_id), with_for_update=True)
    if message is None:
        return  # deleted meanwhile: nothing to send
    deliver_message(message)


@system_job
def sweep_unsent() -> int:
    """Re-queue messages still unsent after 10 minutes (e.g. Redis lost the job)."""
    cutoff = utcnow() - timedelta(minutes=10)
    stale = (
        db.session.execute(
            select(EmailMessage.id).where(EmailMessage.status == "queued", EmailMessage.created_at < cutoff).limit(500)
        )
        .scalars()
        .all()
    )
    for message_id in stale:
        defer("emails.send", message_id, job_id=f"email-{message_id}")
    return len(stale)
