"""Legal constants (rates, thresholds, statutory periods) as dated values.

A contract is judged by the law in force on its effective date, so every constant is a list of values
with ``valid_from``/``valid_until`` dates and a source (``data/legal_constants.yaml``). Code and
templates ask :func:`legal_constant` for a value on a date instead of writing the number down.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).parent / "data" / "legal_constants.yaml"


class LegalConstantError(LookupError):
    """A constant that does not exist, or has no value on the date asked for."""


class LegalConstantsFileError(RuntimeError):
    """The data file is malformed; raised when it is first read."""


@dataclass(frozen=True)
class LegalValue:
    """One dated value of a constant, with where it comes from."""

    name: str
    value: Any
    valid_from: date
    valid_until: date | None
    source: str

    def in_force_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


@dataclass(frozen=True)
class LegalConstants:
    version: str
    values: Mapping[str, tuple[LegalValue, ...]]

    def entry(self, name: str, on: date) -> LegalValue:
        history = self.values.get(name)
        if history is None:
            raise LegalConstantError(f"Unknown legal constant {name!r}.")
        for value in history:
            if value.in_force_on(on):
                return value
        raise LegalConstantError(_no_value_message(name, on, history))


def legal_constant(name: str, *, on: date) -> Any:
    """The value of constant ``name`` in force on ``on`` (a ``Decimal``, or a mapping of them).

    :raises LegalConstantError: for an unknown name, or a date with no value (e.g. before the first one).
    """
    return legal_constant_entry(name, on=on).value


def legal_constant_entry(name: str, *, on: date) -> LegalValue:
    """Like :func:`legal_constant`, with the dates and the source (for footnotes and audit records)."""
    return load_legal_constants().entry(name, on)


def legal_constants_version() -> str:
    return load_legal_constants().version


def legal_constant_names() -> frozenset[str]:
    return frozenset(load_legal_constants().values)


@functools.cache
def load_legal_constants(path: Path = DATA_FILE) -> LegalConstants:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not isinstance(raw.get("constants"), dict) or not raw.get("version"):
        raise LegalConstantsFileError(f"{path}: needs a 'version' and a 'constants' mapping")
    values = {name: _parse_history(path, name, entry) for name, entry in raw["constants"].items()}
    return LegalConstants(version=str(raw["version"]), values=values)


def _no_value_message(name: str, on: date, history: tuple[LegalValue, ...]) -> str:
    first = history[0].valid_from
    if on < first:
        return (
            f"Legal constant {name} has no value on {on.isoformat()}: its first value applies from {first.isoformat()}."
        )
    return f"Legal constant {name} has no value in force on {on.isoformat()}."


def _parse_history(path: Path, name: str, entry: Any) -> tuple[LegalValue, ...]:
    where = f"{path.name}: {name}"
    if not isinstance(entry, dict) or not isinstance(entry.get("values"), list) or not entry["values"]:
        raise LegalConstantsFileError(f"{where}: needs a non-empty 'values' list")
    if not entry.get("unit") or not entry.get("description"):
        raise LegalConstantsFileError(f"{where}: needs a 'unit' and a 'description'")
    parsed = [_parse_value(where, name, item) for item in entry["values"]]
    return tuple(_close_periods(where, sorted(parsed, key=lambda value: value.valid_from)))


def _parse_value(where: str, name: str, item: Any) -> LegalValue:
    if not isinstance(item, dict) or set(item) - {"value", "valid_from", "valid_until", "source"}:
        raise LegalConstantsFileError(f"{where}: each value has only value, valid_from, valid_until and source")
    valid_from, valid_until = item.get("valid_from"), item.get("valid_until")
    if not isinstance(valid_from, date) or not isinstance(valid_until, date | None):
        raise LegalConstantsFileError(f"{where}: valid_from (and valid_until, if given) must be YYYY-MM-DD dates")
    if valid_until is not None and valid_until < valid_from:
        raise LegalConstantsFileError(f"{where}: valid_until {valid_until} is before valid_from {valid_from}")
    if not item.get("source"):
        raise LegalConstantsFileError(f"{where}: the value from {valid_from} has no source")
    return LegalValue(name, _exact(where, item.get("value")), valid_from, valid_until, str(item["source"]))


def _close_periods(where: str, values: list[LegalValue]) -> list[LegalValue]:
    """Give each value an end date (the day before its successor starts) and refuse overlaps."""
    closed = []
    for current, successor in zip(values, [*values[1:], None], strict=True):
        if successor is not None:
            last_day = successor.valid_from - timedelta(days=1)
            if current.valid_until is not None and current.valid_until > last_day:
                raise LegalConstantsFileError(
                    f"{where}: the value from {current.valid_from} overlaps the one from {successor.valid_from}"
                )
            current = LegalValue(
                current.name, current.value, current.valid_from, current.valid_until or last_day, current.source
            )
        closed.append(current)
    return closed


def _exact(where: str, value: Any) -> Any:
    """Numbers become Decimals (a rate of 4.9 must stay 4.9); mappings are converted item by item."""
    if isinstance(value, bool) or value is None:
        raise LegalConstantsFileError(f"{where}: a value must be a number or a mapping of numbers")
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, dict) and value:
        # Read-only: the parsed file is cached and shared by every caller.
        return types.MappingProxyType({str(key): _exact(where, item) for key, item in value.items()})
    raise LegalConstantsFileError(f"{where}: a value must be a number or a mapping of numbers")
