"""Commit once at the end of a web action; roll back on any error."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from service.extensions import db

F = TypeVar("F", bound=Callable[..., Any])


def transactional(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = view(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return result

    return wrapper  # type: ignore[return-value]
