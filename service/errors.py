"""One error shape for every failure: ``{"code", "status", "message", "errors"}``.

``code`` is a stable machine-readable word (``not_found``, ``validation_failed``,
``plan_limit_reached``), ``status`` the HTTP status number, ``message`` a sentence saying what to do,
``errors`` the problems per field (empty when there are none).

API paths answer JSON; the web pages answer an HTML page carrying the same message. A 500 never
shows internals: the traceback goes to the log, the client gets a reference id to quote.
"""

from __future__ import annotations

import logging
import re
import uuid
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)


class AppError(Exception):
    """A business-rule failure with a status a client can act on.

    Subclasses may set ``code`` to a specific word; by default it follows from the status.
    """

    status_code = 400
    code: str | None = None

    def __init__(
        self,
        message: str,
        errors: dict[str, Any] | None = None,
        status_code: int | None = None,
        code: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code


class NotFound(AppError):
    status_code = 404


class Forbidden(AppError):
    status_code = 403


class Conflict(AppError):
    status_code = 409


class Unprocessable(AppError):
    status_code = 422


# Codes for statuses whose phrase is not the clearest word for a client to branch on.
_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    422: "validation_failed",
    423: "locked",
    429: "rate_limited",
    500: "internal_error",
}


def default_code(status_code: int) -> str:
    if status_code in _CODES:
        return _CODES[status_code]
    return re.sub(r"[^a-z0-9]+", "_", HTTPStatus(status_code).phrase.lower()).strip("_")


def error_body(
    status_code: int, message: str | None = None, errors: dict[str, Any] | None = None, code: str | None = None
) -> dict[str, Any]:
    return {
        "code": code or default_code(status_code),
        "status": status_code,
        "message": message or HTTPStatus(status_code).phrase,
        "errors": errors or {},
    }


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status_code: int,
    message: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: Any = None,
    code: str | None = None,
) -> tuple[Response | str, int, Any]:
    body = error_body(status_code, message, errors, code)
    if is_api_request() or request.accept_mimetypes.best == "application/json":
        return jsonify(body), status_code, headers or {}
    return render_template("errors/error.html", error=body), status_code, headers or {}


def _http_error_message(error: HTTPException) -> tuple[str | None, dict[str, Any]]:
    """Take the message and per-field errors that webargs, flask-smorest or abort() attached."""
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors") or {}
    message = data.get("message")
    if errors and not message:
        message = "The request has invalid fields; see errors for what to fix."
    if not message and error.description and error.code != 500:
        message = error.description
    return message, errors


def handle_http_exception(error: HTTPException) -> tuple[Response | str, int, Any]:
    status_code = error.code or 500
    if status_code >= 500:
        return handle_unexpected(error)
    message, errors = _http_error_message(error)
    # Keep headers such as Allow (405) and Retry-After (429), drop the HTML content type.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    headers.extend(((getattr(error, "data", None) or {}).get("headers") or {}).items())
    return error_response(status_code, message, errors, headers)


def handle_app_error(error: AppError) -> tuple[Response | str, int, Any]:
    return error_response(error.status_code, error.message, error.errors, code=error.code)


def handle_unexpected(error: Exception) -> tuple[Response | str, int, Any]:
    original = getattr(error, "original_exception", None) or error
    if isinstance(error, InternalServerError) and original is error:
        original = error
    reference = uuid.uuid4().hex[:12]
    log.error("unhandled error (reference %s) on %s %s", reference, request.method, request.path, exc_info=original)
    message = f"Something went wrong on our side. Nothing you sent was lost; quote reference {reference}."
    return error_response(500, message)


def handle_backend_unavailable(error: Exception) -> tuple[Response | str, int, Any]:
    """The database or Redis cannot be reached: a temporary condition, so 503 and a hint to retry."""
    log.warning("backend unavailable on %s %s: %s", request.method, request.path, type(error).__name__)
    message = "The service is briefly unavailable; nothing you sent was stored. Retry in a few seconds."
    return error_response(503, message, headers={"Retry-After": "5"}, code="service_unavailable")


def register_error_handlers(app: Flask) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import DisconnectionError, OperationalError

    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(AppError, handle_app_error)
    for unavailable in (OperationalError, DisconnectionError, RedisConnectionError, RedisTimeoutError):
        app.register_error_handler(unavailable, handle_backend_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
