"""Formatting filters for contract templates: money, numbers, dates, countries and enum labels.

They read the language from the render context (``locale``, ``lang``, ``currency``), so a clause says
``{{ terms.compensation.fee_net|money }}`` and gets "2.500,00 €" in German and "€2,500.00" in English.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Literal

import yaml
from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from jinja2 import pass_context
from jinja2.runtime import Context

from service.documents.paths import SHARED_DIR

MISSING = "\u2013"  # an en dash where a value is not stated


@cache
def enum_labels() -> dict[str, dict[str, dict[str, str]]]:
    """``{field: {value: {lang: label}}}`` from contract_templates/_shared/enums.yaml."""
    return yaml.safe_load((SHARED_DIR / "enums.yaml").read_text(encoding="utf-8"))


def _locale(context: Context) -> str:
    return str(context.get("locale") or "en_GB")


def _lang(context: Context) -> str:
    return str(context.get("lang") or "en")


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a number") from exc


@pass_context
def money(context: Context, value: Any, currency: str | None = None) -> str:
    if value is None:
        return MISSING
    return format_currency(_decimal(value), currency or context.get("currency") or "EUR", locale=_locale(context))


@pass_context
def number(context: Context, value: Any) -> str:
    if value is None:
        return MISSING
    return format_decimal(_decimal(value), locale=_locale(context))


@pass_context
def percent(context: Context, value: Any) -> str:
    """A percentage given as a number of percent (4.9 -> "4,9 %" / "4.9%")."""
    if value is None:
        return MISSING
    sign = "\u00a0%" if _lang(context) == "de" else "%"
    return format_decimal(_decimal(value), locale=_locale(context)) + sign


@pass_context
def date(context: Context, value: Any) -> str:
    """A date as words ("1. März 2026" / "1 March 2026"); accepts dates and ISO-8601 text."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, format="long", locale=_locale(context))


def utc_time(value: Any) -> str:
    """An unambiguous instant for audit records: "2026-03-01 14:03:22 UTC"."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone; audit times must be aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@pass_context
def country(context: Context, code: Any) -> str:
    if not code:
        return MISSING
    names = Locale.parse(_locale(context)).territories
    return str(names.get(str(code).upper(), code))


@pass_context
def enum(context: Context, value: Any, field: str) -> str:
    """The label of an enum value in the document's language, e.g. ``'brand_owned_social'|enum('usage.channels')``."""
    if value is None:
        return MISSING
    label = enum_labels().get(field, {}).get(str(value), {}).get(_lang(context))
    return label or str(value).replace("_", " ")


@pass_context
def words(context: Context, values: Any, style: Literal["standard", "or"] = "standard") -> str:
    """A list as a sentence: "A, B und C" / "A, B and C" (style "or" gives "A, B oder C")."""
    items = [str(item) for item in values or []]
    if not items:
        return MISSING
    return format_list(items, style=style, locale=_locale(context))


@pass_context
def quantity(context: Context, count: Any, singular: str, plural: str) -> str:
    """ "1 Tag" / "30 Tage": a number with the right noun form."""
    if count is None:
        return MISSING
    return f"{number(context, count)} {singular if count == 1 else plural}"


CONTRACT_FILTERS = {
    "money": money,
    "number": number,
    "percent": percent,
    "date": date,
    "utc_time": utc_time,
    "country": country,
    "enum": enum,
    "words": words,
    "quantity": quantity,
}
