"""Composing outgoing email. Messages are stored (encrypted) and sent by the ``emails.send`` job."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from service.emails.models import EmailMessage
from service.extensions import db
from service.jobs import RECONCILE_BATCH, DeferredJob, defer
from service.security import encrypt_text


def email_job_id(message_id: uuid.UUID) -> str:
    return f"email-{message_id}"


def unsent_messages(cutoff: datetime) -> list[DeferredJob]:
    """The send jobs of messages still unsent since before ``cutoff`` (a source of the reconciler)."""
    stale = db.session.execute(
        select(EmailMessage.id)
        .where(EmailMessage.status == "queued", EmailMessage.created_at <= cutoff)
        .order_by(EmailMessage.created_at)
        .limit(RECONCILE_BATCH)
    ).scalars()
    return [DeferredJob("emails.send", (str(message_id),), email_job_id(message_id)) for message_id in stale]


def queue_email(to: str, subject: str, body: str, tenant_id: uuid.UUID | None = None) -> EmailMessage:
    message = EmailMessage(to_address=to, subject=subject, body_encrypted=encrypt_text(body), tenant_id=tenant_id)
    db.session.add(message)
    db.session.flush()
    defer("emails.send", message.id, job_id=email_job_id(message.id))
    return message


def queue_templated_email(
    to: str, template: str, locale: str, tenant_id: uuid.UUID | None = None, **context: object
) -> EmailMessage:
    """Render ``emails/<template>.txt`` in the recipient's language; its first line is the subject."""
    with force_locale(locale):
        rendered = render_template(f"emails/{template}.txt", **context)
    subject, _, body = rendered.strip().partition("\n")
    return queue_email(to, subject.strip(), body.strip() + "\n", tenant_id=tenant_id)
