"""Email jobs."""

from __future__ import annotations

import uuid

from service.emails.models import EmailMessage
from service.emails.sending import deliver_message
from service.extensions import db
from workers.base import system_job


@system_job
def send_email(message_id: str) -> None:
    """Send one queued message; SMTP errors propagate so RQ retries with backoff."""
    # The row lock makes a duplicate run (the reconciler queued it again meanwhile) wait and then see "sent".
    message = db.session.get(EmailMessage, uuid.UUID(message_id), with_for_update=True)
    if message is None:
        return  # deleted meanwhile: nothing to send
    deliver_message(message)
