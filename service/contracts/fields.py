"""Strict marshmallow field types for contract terms and the data files beside them.

Terms arrive as JSON written by people and scripts, and a lenient parser would turn mistakes into
legally relevant values (``"5"`` days, ``1`` meaning yes). So every field accepts exactly one JSON
type. The Python value a field produces (``int``, ``Decimal``, ``date``) is accepted as well, so that
loading already loaded terms gives the same terms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import list_currencies
from marshmallow import fields, validate

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _describe(value: Any) -> str:
    """Name the JSON type of a rejected value, so the message says what was sent."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


class Flag(fields.Field):
    """A JSON boolean: ``true`` or ``false``, never 1, 0 or "yes"."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise self.make_error("invalid", got=_describe(value))

    default_error_messages = {"invalid": "Must be true or false, got {got}."}


class WholeNumber(fields.Field):
    """A JSON integer (``5``, not ``5.0``, ``"5"`` or ``true``)."""

    default_error_messages = {"invalid": "Must be a whole number, got {got}."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid", got=_describe(value))
        return value


class Number(fields.Field):
    """A JSON number, kept as an exact ``Decimal`` (``4.9`` must not become 4.8999…)."""

    default_error_messages = {
        "invalid": "Must be a number, got {got}.",
        "places": "Must have at most {places} decimal places, got {value}.",
    }

    def __init__(self, *, places: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.places = places

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise self.make_error("invalid", got=_describe(value))
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("invalid", got=_describe(value))
        number = Decimal(str(value))
        if not number.is_finite():
            raise self.make_error("invalid", got=_describe(value))
        if self.places is not None and -number.as_tuple().exponent > self.places:  # type: ignore[operator]
            raise self.make_error("places", places=self.places, value=value)
        return number


def money(**kwargs: Any) -> Number:
    """An amount in major units of the contract currency: ``2500`` or ``2500.5``, never negative."""
    return Number(places=2, validate=validate.Range(min=0), **kwargs)


def percent(**kwargs: Any) -> Number:
    return Number(validate=validate.Range(min=0, max=100), **kwargs)


def count(minimum: int = 0, **kwargs: Any) -> WholeNumber:
    """A non-negative whole number of days, months, rounds or items."""
    return WholeNumber(validate=validate.Range(min=minimum), **kwargs)


class IsoDate(fields.Field):
    """A calendar date written ``YYYY-MM-DD``."""

    default_error_messages = {"invalid": "Must be a date written YYYY-MM-DD, got {got}."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.make_error("invalid", got=_describe(value))


class Text(fields.Field):
    """A JSON string that PostgreSQL can store (no NUL characters), of bounded length."""

    default_error_messages = {
        "invalid": "Must be text, got {got}.",
        "unstorable": "Must not contain NUL characters.",
        "too_long": "Must be at most {limit} characters long.",
    }

    def __init__(self, *, max_length: int = 500, **kwargs: Any):
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid", got=_describe(value))
        if "\x00" in value:
            raise self.make_error("unstorable")
        if len(value) > self.max_length:
            raise self.make_error("too_long", limit=self.max_length)
        return value


class Choice(fields.Field):
    """One value of a fixed, lower_snake_case vocabulary (or the codes of a jurisdiction list)."""

    default_error_messages = {"invalid": "Must be one of {choices}, got {got}."}

    def __init__(self, choices: Iterable[str], **kwargs: Any):
        super().__init__(**kwargs)
        self.choices = tuple(choices)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str) and value in self.choices:
            return value
        raise self.make_error("invalid", choices=", ".join(self.choices), got=_describe(value))


class CountryCode(fields.Field):
    """An ISO 3166-1 alpha-2 country code such as ``DE`` or ``GB``."""

    default_error_messages = {
        "invalid": "Must be an ISO 3166-1 alpha-2 country code such as DE or GB, got {got}.",
        "uk": "The country code of the United Kingdom is GB (UK is only the jurisdiction's name).",
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if value == "UK":
            raise self.make_error("uk")
        if isinstance(value, str) and _COUNTRY.match(value):
            return value
        raise self.make_error("invalid", got=_describe(value))


class CurrencyCode(fields.Field):
    """An ISO 4217 currency code known to the CLDR data Babel ships (``EUR``, ``USD``, ``GBP``…)."""

    default_error_messages = {"invalid": "Must be an ISO 4217 currency code such as EUR, got {got}."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str) and value in list_currencies():
            return value
        raise self.make_error("invalid", got=_describe(value))


class UniqueList(fields.List):
    """A JSON list whose items are validated by ``inner`` and may not repeat."""

    default_error_messages = {"duplicate": "Must not list {item!r} twice."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, tuple):
            value = list(value)
        items = super()._deserialize(value, attr, data, **kwargs)
        seen: list[Any] = []
        for item in items:
            if item in seen:
                raise self.make_error("duplicate", item=item)
            seen.append(item)
        return items


def choices(values: Iterable[str], **kwargs: Any) -> UniqueList:
    return UniqueList(Choice(values), **kwargs)
