"""Requests the OpenAPI document does not describe are refused before the view reads them.

* A body in a media type its operation does not take is a 415. webargs reads a JSON body only when the
  request says it is JSON, so a body sent as text/plain or as a form was read as "no fields": a PATCH answered
  200 having changed nothing, and a send went ahead without its options.
* A query parameter its operation does not document is a 422, like an unknown field in a body. Ignoring it
  answered a misspelt filter (``?stauts=violation``) with every row, and hid query arguments that the views
  read but the document left out.

Both are checked right after the caller is authenticated (a stranger learns nothing but 401). The document is
the one the API serves, so these rules cannot drift from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask, current_app, request

from service.errors import AppError, Unprocessable

_RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class DocumentedRequest:
    body_types: frozenset[str]  # empty: the operation documents no body
    query: frozenset[str]


def _documented_requests(app: Flask) -> dict[tuple[str, str], DocumentedRequest]:
    """(path template, METHOD) -> what its operation documents about the request."""
    spec = app.extensions["fairpact_api"].spec.to_dict()
    found = {}
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            parameters = [*shared, *operation.get("parameters", [])]
            found[(path, method.upper())] = DocumentedRequest(
                body_types=frozenset(operation.get("requestBody", {}).get("content", {})),
                query=frozenset(p["name"] for p in parameters if p.get("in") == "query"),
            )
    return found


def _documented() -> DocumentedRequest | None:
    if request.url_rule is None:
        return None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    table = app.extensions.get("fairpact_documented_requests")
    if table is None:
        table = app.extensions["fairpact_documented_requests"] = _documented_requests(app)
    template = _RULE_PARAMETER.sub(r"{\1}", request.url_rule.rule)
    return table.get((template, request.method))


def refuse_undocumented_request() -> None:
    documented = _documented()
    if documented is None:
        return
    _refuse_unknown_query(documented)
    _refuse_undocumented_body_type(documented)


def _refuse_unknown_query(documented: DocumentedRequest) -> None:
    unknown = sorted(set(request.args) - documented.query)
    if unknown:
        known = ", ".join(sorted(documented.query)) or "none"
        raise Unprocessable(
            f"Unknown query parameter {', '.join(unknown)}; this operation takes: {known}.",
            {"query": {name: ["Unknown field."] for name in unknown}},
        )


def _refuse_undocumented_body_type(documented: DocumentedRequest) -> None:
    has_body = request.content_length or request.headers.get("Transfer-Encoding")
    if not has_body or not documented.body_types or request.mimetype in documented.body_types:
        return
    wanted = " or ".join(sorted(documented.body_types))
    raise UnsupportedMediaType(
        f"Send the request body as {wanted} (with that Content-Type header).",
        {"Content-Type": [f"Use {wanted}, not {request.mimetype or 'none'}."]},
    )
