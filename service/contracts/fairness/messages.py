"""Rule messages in English and German, with placeholders filled from the terms.

A message names the offending value: ``"Payment is due {payment.days} days after the invoice"``.
Placeholders are terms paths, ``computed.<name>`` or ``constant.<NAME>``; they are checked when a pack
loads, and filled with numbers written the way the reader's language writes them (2,500 / 2.500).
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from service.contracts.fairness.context import COMPUTED_PREFIX, CONSTANT_PREFIX, RuleContext

LOCALES = ("en", "de")
_YES_NO = {"en": ("yes", "no"), "de": ("ja", "nein")}
_NOTHING = "—"


@dataclass(frozen=True)
class Localized:
    """One text in every supported language."""

    en: str
    de: str

    def text(self, locale: str) -> str:
        return self.en if locale == "en" else self.de

    def texts(self) -> tuple[str, ...]:
        return (self.en, self.de)


def normalise_locale(locale: str) -> str:
    """``de``, ``de_DE`` and ``de-AT`` all mean German; anything but German or English is refused."""
    language = locale.replace("-", "_").split("_")[0].lower()
    if language not in LOCALES:
        raise ValueError(f"Unsupported language {locale!r}; use one of {', '.join(LOCALES)}.")
    return language


def render(text: str, ctx: RuleContext, locale: str) -> str:
    return _Formatter(ctx, locale).format(text)


def placeholders(text: str) -> Iterator[str]:
    """The placeholder names in ``text``; raises ValueError for malformed braces or format specs."""
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"placeholder {{{name}}} may not carry a format spec or conversion")
        if not name:
            raise ValueError("empty placeholder {}")
        yield name


def placeholder_kind(name: str) -> str:
    if name.startswith(CONSTANT_PREFIX):
        return "constant"
    if name.startswith(COMPUTED_PREFIX):
        return "computed"
    return "field"


class _Formatter(string.Formatter):
    def __init__(self, ctx: RuleContext, locale: str):
        super().__init__()
        self.ctx = ctx
        self.locale = locale

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[Any, str]:
        # The whole dotted name is one terms path, not attribute access on a first value.
        return self.ctx.placeholder(field_name), field_name

    def format_field(self, value: Any, format_spec: str) -> str:
        return display(value, self.locale)


def display(value: Any, locale: str) -> str:
    """A value as it reads in a sentence of the given language."""
    if value is None:
        return _NOTHING
    if isinstance(value, bool):
        yes, no = _YES_NO[locale]
        return yes if value else no
    if isinstance(value, int | Decimal | float):
        return str(format_decimal(value, locale=locale))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {display(item, locale)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(display(item, locale) for item in value)
    return str(value)
