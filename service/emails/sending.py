"""Delivering one stored message: over SMTP, or into the development outbox folder."""

from __future__ import annotations

import email.policy
import smtplib
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

from service.emails.models import EmailMessage
from service.models import utcnow
from service.security import decrypt_text


def build_mime(message: EmailMessage) -> MimeMessage:
    # The SMTP policy folds long headers the modern way (no stray leading space after unfolding).
    mime = MimeMessage(policy=email.policy.SMTP)
    mime["From"] = current_app.config["MAIL_FROM"]
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at)
    # A stable Message-ID lets receiving servers drop a duplicate if a retry re-sends it.
    mime["Message-ID"] = make_msgid(idstring=str(message.id), domain="fairpact.example")
    mime.set_content(decrypt_text(message.body_encrypted))
    return mime


def _send_smtp(mime: MimeMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_STARTTLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(mime)


def _write_outbox(message: EmailMessage, mime: MimeMessage) -> None:
    outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = message.created_at.strftime("%Y%m%dT%H%M%S")
    (outbox / f"{stamp}-{message.id}.eml").write_bytes(bytes(mime))


def deliver_message(message: EmailMessage) -> None:
    """Send ``message`` unless it was sent already (a job may run twice)."""
    if message.status == "sent":
        return
    mime = build_mime(message)
    message.attempts += 1
    if current_app.config["MAIL_BACKEND"] == "outbox":
        _write_outbox(message, mime)
    else:
        _send_smtp(mime)
    message.status = "sent"
    message.sent_at = utcnow()
    message.last_error = None
