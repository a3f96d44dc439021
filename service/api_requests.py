"""Requests the OpenAPI document does not describe are refused before the view runs.

webargs reads a JSON body only when the request says it is JSON; a body sent as text/plain or as a form was
silently read as "no fields", so a PATCH answered 200 having changed nothing and a send went ahead without its
options. An operation's documented request body content types are therefore the only ones it accepts (415),
checked right after the caller is authenticated (a stranger learns nothing but 401). The document is the one
the API serves, so this rule can never drift from it.
"""

from __future__ import annotations

import re

from flask import Flask, current_app, request

from service.errors import AppError

_RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"


def _body_types_by_operation(app: Flask) -> dict[tuple[str, str], frozenset[str]]:
    """(path template, METHOD) -> the media types its request body is documented in."""
    spec = app.extensions["fairpact_api"].spec.to_dict()
    found = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content") if isinstance(operation, dict) else None
            if content:
                found[(path, method.upper())] = frozenset(content)
    return found


def _documented_body_types() -> frozenset[str] | None:
    if request.url_rule is None:
        return None
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    table = app.extensions.get("fairpact_api_body_types")
    if table is None:
        table = app.extensions["fairpact_api_body_types"] = _body_types_by_operation(app)
    template = _RULE_PARAMETER.sub(r"{\1}", request.url_rule.rule)
    return table.get((template, request.method))


def refuse_undocumented_body_type() -> None:
    """A body in a media type its operation does not take is a 415, not an empty request."""
    if not request.path.startswith("/api/") or not (request.content_length or request.headers.get("Transfer-Encoding")):
        return
    accepted = _documented_body_types()
    if accepted is None or request.mimetype in accepted:
        return
    wanted = " or ".join(sorted(accepted))
    raise UnsupportedMediaType(
        f"Send the request body as {wanted} (with that Content-Type header).",
        {"Content-Type": [f"Use {wanted}, not {request.mimetype or 'none'}."]},
    )
