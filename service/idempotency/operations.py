"""Lookup and storage of idempotency records, always within the current tenant."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Response, current_app
from sqlalchemy import delete, select

from service.extensions import db
from service.idempotency.models import IdempotencyRecord
from service.models import utcnow
from service.security import decrypt_text, encrypt_text


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def find_record(key: str) -> IdempotencyRecord | None:
    horizon = utcnow() - timedelta(seconds=current_app.config["IDEMPOTENCY_TTL_SECONDS"])
    return db.session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.key == key, IdempotencyRecord.created_at > horizon)
    ).scalar_one_or_none()


def store_record(key: str, request_print: str, response: Response) -> None:
    # An expired record with the same key would block the unique index: replace it.
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.key == key))
    db.session.add(
        IdempotencyRecord(
            key=key,
            request_fingerprint=request_print,
            response_status=response.status_code,
            # Creation responses can carry secrets shown once (API keys, webhook secrets).
            response_body=encrypt_text(response.get_data(as_text=True)),
            response_location=response.headers.get("Location"),
        )
    )


def stored_body(record: IdempotencyRecord) -> str:
    return decrypt_text(record.response_body)
