"""``POST /api/v1/verify``: the public verification of a PDF, for programs (the page is ``/verify``).

Public (anyone holding a contract PDF may check it; no API key): documented as a public operation
(``security: []``). It stores nothing, so it is exempt from CSRF; it is rate limited because checking a seal
costs CPU. Answers: ``{result, message, sealed, unaltered, sha256, document_id, sealed_at,
contract}`` where ``contract`` (id, title, account, version) is given only for the exact sealed file on record.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_smorest import Blueprint

from service.api import API_PREFIX, public_operation
from service.billing.read_only import allowed_when_read_only
from service.contracts.schemas import VerificationOut
from service.contracts.verification import verify_upload
from service.errors import AppError
from service.extensions import csrf, limiter

blp = Blueprint(
    "verify_api",
    __name__,
    url_prefix=API_PREFIX,
    description="Public verification of a PDF: is it an unaltered contract sealed by Fairpact, and which one.",
)

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary", "description": "The PDF to check"}},
                    "required": ["file"],
                }
            }
        },
    }
}


def verify_rate_limit() -> str:
    return "30 per minute"


def allow_larger_upload() -> None:
    """A PDF to verify may be larger than other requests (Flask 3.1 sets the limit per request)."""
    request.max_content_length = current_app.config["VERIFY_MAX_BYTES"] + 64 * 1024


def read_upload(upload: Any) -> bytes:
    """The uploaded file's bytes; missing is 400, beyond VERIFY_MAX_BYTES is 413."""
    if upload is None or not upload.filename:
        raise AppError("Send the PDF as the multipart form field 'file'.", {"file": ["Required."]}, status_code=400)
    limit = current_app.config["VERIFY_MAX_BYTES"]
    try:
        data = upload.read(limit + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: release it now
    if len(data) > limit:
        raise AppError(
            f"The file is larger than {limit // (1024 * 1024)} MB; a contract PDF is much smaller.",
            {"file": ["Too large."]},
            status_code=413,
        )
    return data


@blp.route("/verify", methods=["POST"])
@public_operation(
    "Public: no API key. Anyone holding a contract PDF may check it; nothing is stored. "
    "400 without a file, 413 beyond the size limit, 429 beyond 30 checks a minute."
)
@blp.doc(**UPLOAD_DOC)
@blp.response(200, VerificationOut)
@allowed_when_read_only
@csrf.exempt
@limiter.limit(verify_rate_limit)
def verify() -> Any:
    """Check whether a PDF is an unaltered contract sealed by Fairpact"""
    allow_larger_upload()
    return verify_upload(read_upload(request.files.get("file")))
