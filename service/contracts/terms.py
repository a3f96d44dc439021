"""The structured terms of a contract (contract-terms.md): validation and the fair defaults.

:func:`load_terms` turns a terms document (parsed JSON) into the complete terms: every field present,
every left-out field at its fair default, money as ``Decimal`` and dates as ``date``. Anything that is
not exactly the documented type, and any field the format does not know, is refused with its dotted
path (``payment.days``, ``deliverables[0].quantity``), so a typo never silently becomes a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields

from service.contracts.derived import fill_derived_values
from service.contracts.legal_constants import LegalConstantError
from service.contracts.terms_schema import TermsSchema
from service.errors import Unprocessable


class TermsError(Unprocessable):
    """Terms that cannot be used; ``errors`` maps each dotted field path to what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("The contract terms are not valid; fix the fields listed in errors.", errors)


_SCHEMA = TermsSchema()


def load_terms(data: Any, *, on: date | None = None, ignore_unknown: bool = False) -> dict[str, Any]:
    """Validate a terms document and return the complete terms with every fair default filled in.

    :param data: the parsed JSON of one terms document (or terms this function returned before).
    :param on: the date whose legal constants pick date-dependent defaults; by default the contract's
        ``meta.effective_date``, or today.
    :param ignore_unknown: drop fields the format does not know instead of refusing them. The terms
        format itself says unknown fields are ignored (contract-terms.md §1), so interchange such as
        ``fairpact lint-terms`` uses this; the API keeps refusing them, so a typo never passes silently.
    :raises TermsError: with the problems per dotted field path.
    """
    if ignore_unknown:
        data = known_fields_only(data)
    try:
        terms = _SCHEMA.load(data)
    except ValidationError as exc:
        raise TermsError(flatten_errors(exc.messages)) from exc
    problems = _cross_field_problems(terms)
    if problems:
        raise TermsError(problems)
    try:
        fill_derived_values(terms, on=effective_date(terms, on))
    except LegalConstantError as exc:
        raise TermsError({"meta.effective_date": [f"No fair defaults are known for this date. {exc}"]}) from exc
    return terms


def known_fields_only(data: Any, schema: Schema | None = None) -> Any:
    """``data`` without the keys the terms format does not know, at every level (sections, deliverables)."""
    schema = schema or _SCHEMA
    if not isinstance(data, Mapping):
        return data
    kept: dict[str, Any] = {}
    for key, value in data.items():
        field = schema.load_fields.get(key)
        if field is None:
            continue
        kept[key] = _known_in_field(field, value)
    return kept


def _known_in_field(field: fields.Field, value: Any) -> Any:
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        return known_fields_only(value, field.schema)
    if isinstance(field, fields.List) and isinstance(value, list):
        return [_known_in_field(field.inner, item) for item in value]
    return value


def effective_date(terms: Mapping[str, Any], on: date | None = None) -> date:
    """The date a contract is judged on: the one asked for, else its effective date, else today (UTC)."""
    return on or terms["meta"]["effective_date"] or datetime.now(UTC).date()


def terms_fields() -> dict[str, fields.Field]:
    """Every dotted path of the format (sections and fields) with its field, e.g. ``payment.days``.

    The fairness rule packs are checked against this when they load.
    """
    return dict(_fields_of(_SCHEMA, ""))


def terms_to_json(terms: Mapping[str, Any]) -> dict[str, Any]:
    """Complete terms as plain JSON values (for storage or an API response); ``load_terms`` reads them back."""
    return {key: _jsonable(value) for key, value in terms.items()}


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error dict as ``{"payment.days": [...], "deliverables[0].quantity": [...]}``."""
    if not isinstance(messages, Mapping):
        return {prefix or "terms": list(messages) if isinstance(messages, list) else [str(messages)]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        for path, errors in flatten_errors(value, _join(prefix, key)).items():
            flat.setdefault(path, []).extend(errors)
    return flat


def _join(prefix: str, key: Any) -> str:
    if key == "_schema":
        return prefix
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def _cross_field_problems(terms: Mapping[str, Any]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    meta = terms["meta"]
    if meta["contract_type"] == "influencer" and terms["compensation"]["fee_net"] is None:
        problems["compensation.fee_net"] = [
            "Required for influencer contracts: state the net fee (0 for exposure-, product- or commission-only deals)."
        ]
    if meta["effective_date"] and meta["end_date"] and meta["end_date"] < meta["effective_date"]:
        problems["meta.end_date"] = ["Must not be before meta.effective_date."]
    precedence = meta["language_precedence"]
    if isinstance(precedence, str) and precedence not in meta["languages"]:
        problems["meta.language_precedence"] = ["Must be one of the languages in meta.languages."]
    for index, item in enumerate(terms["deliverables"]):
        start, end = item["publish_window_start"], item["publish_window_end"]
        if start and end and end < start:
            problems[f"deliverables[{index}].publish_window_end"] = ["Must not be before publish_window_start."]
    return problems


def _fields_of(schema: Schema, prefix: str) -> list[tuple[str, fields.Field]]:
    found: list[tuple[str, fields.Field]] = []
    for name, field in schema.load_fields.items():
        found.append((f"{prefix}{name}", field))
        if isinstance(field, fields.Nested):
            found.extend(_fields_of(field.schema, f"{prefix}{name}."))
    return found


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value
