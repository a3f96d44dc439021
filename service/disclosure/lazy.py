"""A lock-free ``cached_property`` for per-post objects.

``functools.cached_property`` takes a lock on every first access in Python 3.11, which made it the largest
single cost of checking a post. The engine's objects live in one thread for one post, so no lock is needed:
the value is computed once and stored in the instance ``__dict__``, where later lookups find it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

S = TypeVar("S")
T = TypeVar("T")


class lazy(Generic[S, T]):
    def __init__(self, compute: Callable[[S], T]):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: Any = None) -> lazy[S, T]: ...

    @overload
    def __get__(self, instance: S, owner: Any = None) -> T: ...

    def __get__(self, instance: S | None, owner: Any = None) -> T | lazy[S, T]:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value
