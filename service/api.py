"""The REST API's shared machinery: the Api object, the base view, pagination and idempotency."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import marshmallow as ma
from flask import Response, current_app, g, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from service.api_requests import refuse_undocumented_request
from service.errors import AppError, handle_http_exception
from service.extensions import db
from tenants.access import Principal, current_principal
from tenants.roles import Role

F = TypeVar("F", bound=Callable[..., Any])

API_PREFIX = "/api/v1"


class ErrorSchema(ma.Schema):
    """The one error shape (documentation only; service/errors.py builds the bodies)."""

    code = ma.fields.String(
        required=True, metadata={"description": "Machine-readable, e.g. not_found, validation_failed"}
    )
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status"})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong and what to do"})
    errors = ma.fields.Dict(required=True, metadata={"description": "Problems per field (location, then field)"})


class FairpactApi(Api):
    """flask-smorest's Api with our error shape (message and errors always present, headers kept)."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: Any) -> Any:
        return handle_http_exception(error)


BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "A tenant API key: `Authorization: Bearer fp_...`"}


def api_blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    return Blueprint(name, __name__, url_prefix=f"{API_PREFIX}{url_prefix}", description=description)


def _unstorable_text(value: Any) -> bool:
    """NUL characters and unpaired surrogates cannot be stored (PostgreSQL text refuses them)."""
    if not isinstance(value, str):
        return False
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def find_unstorable(data: Any, path: str = "") -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        where = f"{path}.{key}" if path else str(key)
        if _unstorable_text(value) or _unstorable_text(key):
            found[where] = ["Contains a NUL character or invalid Unicode; remove it."]
        else:
            found.update(find_unstorable(value, where))
    return found


class CleanTextMixin:
    """Refuse text that the database cannot store, with a field error instead of a 500."""

    @ma.pre_load
    def _reject_unstorable_text(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            return data  # a JSON number, string, list or null: marshmallow answers "Invalid input type."
        problems = find_unstorable(dict(data))
        if problems:
            raise ma.ValidationError(problems)
        return data


class StrictBoolean(ma.fields.Boolean):
    """true or false (or the usual words in a query string). Marshmallow would also take 0, 1 and 0.0: in JSON
    those are numbers, and a client sending one has made a mistake worth telling."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class InputSchema(CleanTextMixin, ma.Schema):
    """Request bodies: unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = ma.RAISE


class OutputSchema(ma.Schema):
    class Meta:
        ordered = True


# --- authorization -------------------------------------------------------------------------------


class Unauthenticated(AppError):
    status_code = 401


def require_role(minimum: Role) -> Callable[[F], F]:
    """Every API operation declares the least role it needs; the base view refuses a method without it."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None or principal.tenant_id is None:
                raise Unauthenticated("Send a valid API key as `Authorization: Bearer <key>`.")
            if not principal.has_role(minimum):
                raise AppError(f"This operation needs the {minimum.value} role or higher.", status_code=403)
            refuse_undocumented_request()
            return view(*args, **kwargs)

        wrapper._required_role = minimum  # type: ignore[attr-defined]
        _document_security(wrapper, minimum)
        return wrapper  # type: ignore[return-value]

    return decorate


def _document_security(view: Any, minimum: Role) -> None:
    doc = copy.deepcopy(getattr(view, "_apidoc", {}))
    manual = doc.setdefault("manual_doc", {})
    manual["security"] = [{"apiKey": []}]
    manual["description"] = (
        manual.get("description", "") + f"\n\nRequires the `{minimum.value}` role or higher."
    ).strip()
    responses = doc.setdefault("response", {}).setdefault("responses", {})
    responses.setdefault(401, []).append("UNAUTHORIZED")
    responses.setdefault(403, []).append("FORBIDDEN")
    view._apidoc = doc


def public_operation(description: str) -> Callable[[F], F]:
    """Document an operation that takes no API key (``security: []``), saying who may call it and why.

    The OpenAPI completeness test accepts an operation without the API key only when it is declared so.
    """

    def decorate(view: F) -> F:
        doc = copy.deepcopy(getattr(view, "_apidoc", {}))
        manual = doc.setdefault("manual_doc", {})
        manual["security"] = []
        manual["description"] = (manual.get("description", "") + "\n\n" + description).strip()

        # No require_role here, so the document's request rules are applied by this wrapper instead.
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            refuse_undocumented_request()
            return view(*args, **kwargs)

        checked._apidoc = doc  # type: ignore[attr-defined]
        checked._public_operation = True  # type: ignore[attr-defined]
        return cast(F, checked)

    return decorate


def principal() -> Principal:
    found = current_principal()
    assert found is not None, "require_role runs before any view body"
    return found


class ApiView(MethodView):
    """Base of every API view: role-checked methods, one commit at the end, rollback on error."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for method in ("get", "post", "put", "patch", "delete"):
            view = getattr(cls, method, None)
            if view is not None and not hasattr(view, "_required_role"):
                raise TypeError(f"{cls.__name__}.{method} must be decorated with @require_role(...)")

    def dispatch_request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().dispatch_request(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return response


# --- pagination ----------------------------------------------------------------------------------


class PageArgs(CleanTextMixin, ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(load_default=25, validate=ma.validate.Range(min=1, max=100))


_page_schemas: dict[type[ma.Schema], type[ma.Schema]] = {}


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The list envelope for ``item_schema``: items plus page, per_page and total."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema").removesuffix("Out") + "Page"
        _page_schemas[item_schema] = type(
            name,
            (OutputSchema,),
            {
                "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
                "page": ma.fields.Integer(required=True),
                "per_page": ma.fields.Integer(required=True),
                "total": ma.fields.Integer(required=True),
            },
        )
    return _page_schemas[item_schema]


def paginate(statement: Select[Any], page: int, per_page: int) -> dict[str, Any]:
    """One page of ``statement`` (a select of one entity) and the total, in one round trip: the count
    rides along as a scalar subquery of the page query."""
    count = select(func.count()).select_from(statement.order_by(None).subquery())
    paged = statement.add_columns(count.scalar_subquery().label("total"))
    rows = db.session.execute(paged.limit(per_page).offset((page - 1) * per_page)).unique().all()
    if rows:
        items, total = [row[0] for row in rows], rows[0][-1]
    else:  # past the last page (or nothing at all): the count still answers how many there are
        items, total = [], db.session.execute(count).scalar_one()
    return {"items": items, "page": page, "per_page": per_page, "total": total}


# --- idempotency ---------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": 200},
            "description": "Send a unique key (a UUID) to make retries safe: the same key and body "
            "return the first response and create nothing twice for 24 hours.",
        }
    ]
}


def idempotent(view: F) -> F:
    """Replay the stored response when a create is retried with the same Idempotency-Key.

    Apply above ``@blp.response`` so the finished response is what gets stored. The key is scoped
    to the tenant; a key reused with a different body is refused rather than guessed at.
    """
    from service.idempotency.operations import find_record, fingerprint, store_record

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = _valid_key(key)
        request_print = fingerprint(request.method, request.path, _request_content())
        existing = find_record(key)
        if existing is not None:
            return _replay(existing, request_print)
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 300:
            store_record(key, request_print, response)
            try:
                db.session.flush()
            except IntegrityError:
                # A concurrent twin committed first: drop our work and answer with its result.
                db.session.rollback()
                raced = find_record(key)
                if raced is None:
                    raise
                return _replay(raced, request_print)
        return response

    apidoc = getattr(view, "_apidoc", {})
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]
    # Beside the parsed arguments, not in manual_doc: flask-smorest's manual doc replaces the parameters list
    # wholesale, which dropped an operation's query arguments (the bulk upload's lang and client_id).
    arguments = apidoc.setdefault("arguments", {}).setdefault("parameters", [])
    arguments.extend(copy.deepcopy(IDEMPOTENCY_DOC["parameters"]))
    return wrapper  # type: ignore[return-value]


def _request_content() -> bytes:
    """What a retry must repeat: the body, or for a multipart upload its fields and files by content.

    A client builds a new multipart boundary for each attempt, so the raw bytes of a faithful retry differ.
    """
    if request.mimetype != "multipart/form-data":
        return request.get_data()
    parts = [f"field\0{name}\0{value}" for name, value in sorted(request.form.items(multi=True))]
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: (item[0], item[1].filename or "")):
        parts.append(f"file\0{name}\0{upload.filename}\0{_stream_sha256(upload.stream)}")
    return "\n".join(parts).encode()


def _stream_sha256(stream: Any) -> str:
    """The SHA-256 of an uploaded file, read in chunks and rewound for the view."""
    digest = hashlib.sha256()
    while chunk := stream.read(64 * 1024):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _valid_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 200:
        raise AppError(
            "Idempotency-Key must be 1 to 200 characters.", {IDEMPOTENCY_HEADER: ["Use a UUID."]}, status_code=400
        )
    return key


def _replay(record: Any, request_print: str) -> Response:
    if record.request_fingerprint != request_print:
        raise AppError(
            "This Idempotency-Key was already used for a different request; use a new key for new data.",
            {IDEMPOTENCY_HEADER: ["Reused with a different body or path."]},
            status_code=422,
        )
    from service.idempotency.operations import stored_body

    response = Response(stored_body(record), status=record.response_status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    if record.response_location:
        response.headers["Location"] = record.response_location
    g.idempotent_replay = True
    return response


def fingerprint_json(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
