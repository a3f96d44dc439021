"""The public verification page: upload a PDF, learn whether it is an unaltered contract sealed by Fairpact."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from service.billing.read_only import allowed_when_read_only
from service.contracts.verification import verify_upload
from service.contracts.verify_api import allow_larger_upload, read_upload
from service.contracts.web.common import message
from service.errors import AppError
from service.extensions import limiter

bp = Blueprint("web_verify", __name__)


def _verify_limit() -> str:
    return "30 per minute"


@bp.get("/verify")
def verify_page() -> ResponseReturnValue:
    return render_template("contracts/verify.html", result=None)


@bp.record_once
def _larger_uploads_first(state: Any) -> None:
    # The CSRF check reads the form before any view: the larger limit for a PDF must be set before it.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _allow_larger_pdf)


def _allow_larger_pdf() -> None:
    if request.endpoint == "web_verify.verify":
        allow_larger_upload()


@bp.post("/verify")
@allowed_when_read_only
@limiter.limit(_verify_limit)
def verify() -> ResponseReturnValue:
    try:
        result = verify_upload(read_upload(request.files.get("file")))
    except AppError as failure:
        text = message(failure.message)
        return render_template("contracts/verify.html", result=None, error=text), failure.status_code
    return render_template("contracts/verify.html", result=result)
