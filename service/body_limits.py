"""Per-view request body limits: a view marked ``@larger_body(limit)`` may receive more than MAX_REQUEST_BYTES.

Flask 3.1 lets a request carry its own limit, but it must be set before anything reads the body, and the
CSRF check (a ``before_request`` hook) parses the form of every web POST. So the limit is applied by a hook
that runs first of all, looking the view up by its endpoint; the view itself stays an ordinary view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "_fairpact_body_limit"


def larger_body(limit: Callable[[], int]) -> Callable[[F], F]:
    """Mark a view (place it right under the route decorator): ``limit()`` is its largest body in bytes."""

    def mark(view: F) -> F:
        setattr(view, _ATTRIBUTE, limit)
        return view

    return mark


def _apply_view_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, _ATTRIBUTE, None)
    if limit is not None:
        request.max_content_length = limit()


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _apply_view_limit)
