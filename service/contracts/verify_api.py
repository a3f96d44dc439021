"""``POST /api/v1/verify``: the public verification of a PDF, for programs (the page is ``/verify``).

Public (anyone holding a contract PDF may check it; no API key), outside the documented client API, whose
operations all require a key. It stores nothing, so it is exempt from CSRF; it is rate limited because
checking a seal costs CPU. Answers: ``{result, message, sealed, unaltered, sha256, document_id, sealed_at,
contract}`` where ``contract`` (id, title, account, version) is given only for the exact sealed file on record.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from service.billing.read_only import allowed_when_read_only
from service.contracts.schemas import VerificationOut
from service.contracts.verification import verify_upload
from service.errors import AppError
from service.extensions import csrf, limiter

bp = Blueprint("verify_api", __name__, url_prefix="/api/v1")


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


@bp.post("/verify")
@allowed_when_read_only
@csrf.exempt
@limiter.limit(verify_rate_limit)
def verify() -> ResponseReturnValue:
    allow_larger_upload()
    result = verify_upload(read_upload(request.files.get("file")))
    return jsonify(VerificationOut().dump(result)), 200
