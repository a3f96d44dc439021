"""Values of the terms that follow from other values.

Some fair defaults depend on the rest of the document (the disclosure label on the jurisdiction, the
forum on the creator's country) or on the date (benchmarks kept as dated legal constants), and two tax
flags are always computed. The terms schema marks such fields with :data:`DERIVED`; after validation
:func:`fill_derived_values` replaces every marker that was not overwritten by an explicit value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from service.contracts.jurisdictions import jurisdiction
from service.contracts.legal_constants import legal_constant, legal_constants_version


class _Derived:
    """Marks a left-out field whose default is computed after the whole document is read."""

    def __repr__(self) -> str:
        return "<derived default>"


DERIVED: Any = _Derived()

# Legal forms on whose fees no artists' social levy is due (corporations and limited partnerships).
_KSK_EXEMPT_LEGAL_FORMS = ("corporation", "limited_partnership")
# An agency commissioning creators itself is a typical user of creative work under the KSVG, for whom
# the de-minimis of businesses advertising for themselves does not apply.
_KSK_TYPICAL_USER_ROLES = ("agency_as_principal",)


def total_fee(terms: Mapping[str, Any]) -> Decimal:
    """Net fee plus the separately priced usage, whitelisting and exclusivity fees."""
    pay = terms["compensation"]
    parts = (pay["fee_net"], pay["usage_fee"], pay["whitelisting_fee"], pay["exclusivity_fee"])
    return sum((part for part in parts if part is not None), Decimal(0))


def ksk_levy_applies(terms: Mapping[str, Any], on: date) -> bool:
    """Whether the brand owes the artists' social levy (KSK) on this contract's fees."""
    brand, creator = terms["parties"]["brand"], terms["parties"]["creator"]
    if brand["country"] != "DE" or creator["legal_form"] in _KSK_EXEMPT_LEGAL_FORMS:
        return False
    if brand["role"] in _KSK_TYPICAL_USER_ROLES:
        return True
    # This contract's fees count towards the brand's yearly sum, so the sum is at least the total fee.
    yearly_sum = max(terms["tax"]["ksk_year_fee_sum"] or Decimal(0), total_fee(terms))
    return bool(yearly_sum > legal_constant("DE_KSK_DEMINIMIS_EUR", on=on))


def reverse_charge_applies(terms: Mapping[str, Any]) -> bool:
    """A creator abroad working for a German business: the brand pays the VAT itself (§13b UStG)."""
    brand_country = terms["parties"]["brand"]["country"]
    creator_country = terms["parties"]["creator"]["country"]
    return brand_country == "DE" and creator_country is not None and creator_country != "DE"


def fill_derived_values(terms: dict[str, Any], *, on: date) -> None:
    """Replace every :data:`DERIVED` marker with its value and compute the tax flags (in place)."""
    for path, resolve in _DEFAULTS:
        section, key = _locate(terms, path)
        if section[key] is DERIVED:
            section[key] = resolve(terms, on)
    terms["tax"]["ksk_applicable"] = ksk_levy_applies(terms, on)
    terms["tax"]["reverse_charge"] = reverse_charge_applies(terms)


def _locate(terms: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    *sections, key = path.split(".")
    node = terms
    for name in sections:
        node = node[name]
    return node, key


def _language_precedence(terms: Mapping[str, Any], on: date) -> str | None:
    languages = terms["meta"]["languages"]
    if len(languages) == 1:
        return str(languages[0])
    return jurisdiction(terms["meta"]["jurisdiction"]).language_precedence


def _creator_country(terms: Mapping[str, Any], on: date) -> str | None:
    country: str | None = terms["parties"]["creator"]["country"]
    return country


def _kill_fee_benchmark(terms: Mapping[str, Any], on: date) -> dict[str, Decimal]:
    return dict(legal_constant("BENCH_KILL_FEE_PCT", on=on))


def _paid_media_days(terms: Mapping[str, Any], on: date) -> int:
    # Paid usage, once granted, runs for a short first period by default; none when it is not granted.
    return 30 if terms["usage"]["paid_media_allowed"] else 0


_Resolver = Callable[[Mapping[str, Any], date], Any]

_DEFAULTS: tuple[tuple[str, _Resolver], ...] = (
    ("meta.language_precedence", _language_precedence),
    ("meta.legal_constants_version", lambda terms, on: legal_constants_version()),
    ("parties.creator.tax_resident", _creator_country),
    ("law.governing_law", _creator_country),
    ("law.forum_country", _creator_country),
    ("signature.guardian_signature", lambda terms, on: terms["parties"]["creator"]["is_minor"]),
    ("approval.review_days", lambda terms, on: int(legal_constant("BENCH_REVIEW_BUSINESS_DAYS", on=on))),
    ("disclosure.label", lambda terms, on: jurisdiction(terms["meta"]["jurisdiction"]).default_label),
    ("usage.duration_months", lambda terms, on: int(legal_constant("BENCH_USAGE_MAX_MONTHS_DEFAULT", on=on))),
    ("usage.paid_media_duration_days", _paid_media_days),
    ("cancellation.kill_fee_pct", _kill_fee_benchmark),
    ("liability.creator_cap", lambda terms, on: total_fee(terms)),
    ("emp.disclosure.format", lambda terms, on: jurisdiction(terms["meta"]["jurisdiction"]).employment_disclosure),
)
