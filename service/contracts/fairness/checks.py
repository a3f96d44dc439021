"""Named predicates and computed values for rules that need more than comparing a field with a value.

A rule pack names a check (``check: kill_fee_absent``) or a computed value (``computed.total_fee_amount``);
these registries map the names to functions, and a pack naming anything not registered here does not
load. Each function is small and says in its name what it establishes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from service.contracts.derived import total_fee
from service.contracts.fairness.context import RuleContext
from service.contracts.jurisdictions import jurisdiction


@dataclass(frozen=True)
class Check:
    name: str
    function: Callable[..., bool]
    parameters: frozenset[str]

    def __call__(self, ctx: RuleContext, params: dict[str, Any]) -> bool:
        return self.function(ctx, **params)


CHECKS: dict[str, Check] = {}
COMPUTED: dict[str, Callable[[RuleContext], Any]] = {}
# What kind of value each computed name gives, so that packs are type-checked against it like fields.
COMPUTED_KINDS: dict[str, str] = {}


def check(function: Callable[..., bool]) -> Callable[..., bool]:
    """Register a predicate under its function name; its keyword-only arguments are the pack's ``params``."""
    signature = inspect.signature(function)
    keyword_only = {name for name, p in signature.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    CHECKS[function.__name__] = Check(function.__name__, function, frozenset(keyword_only))
    return function


def computed(kind: str) -> Callable[[Callable[[RuleContext], Any]], Callable[[RuleContext], Any]]:
    """Register a value derived from the terms, readable as ``computed.<name>`` in conditions and messages."""

    def register(function: Callable[[RuleContext], Any]) -> Callable[[RuleContext], Any]:
        COMPUTED[function.__name__] = function
        COMPUTED_KINDS[function.__name__] = kind
        return function

    return register


def rule_context(terms: Mapping[str, Any], on: date) -> RuleContext:
    """The context rules are evaluated in, with every registered computed value available."""
    return RuleContext(terms=terms, on=on, computed=COMPUTED)


# --- computed values -----------------------------------------------------------------------------------------


@computed("number")
def total_fee_amount(ctx: RuleContext) -> Decimal:
    return total_fee(ctx.terms)


# --- checks --------------------------------------------------------------------------------------------------


@check
def deliverables_unspecified(ctx: RuleContext) -> bool:
    """No deliverable at all, or one whose quantity is left open."""
    items = ctx.value("deliverables")
    return not items or any(item["quantity"] is None for item in items)


@check
def disclosure_label_not_allowed(ctx: RuleContext) -> bool:
    """The label is not on the jurisdiction's allow-list; False where no list has been researched yet."""
    allowed = jurisdiction(ctx.value("meta.jurisdiction")).label_allowed(ctx.value("disclosure.label") or "")
    return allowed is False


@check
def penalty_exceeds_share_of_total_fee(ctx: RuleContext, *, max_pct: Decimal) -> bool:
    """The penalty per breach is more than ``max_pct`` percent of the total fee."""
    penalty = ctx.value("liability.penalty_per_breach")
    return bool(penalty * 100 > Decimal(max_pct) * total_fee(ctx.terms))


@check
def kill_fee_absent(ctx: RuleContext) -> bool:
    """The brand may end the deal without owing anything at any stage."""
    schedule = ctx.value("cancellation.kill_fee_pct")
    if not ctx.value("cancellation.brand_may_cancel") or schedule is None:
        return True
    return all(share == 0 for share in schedule.values())


@check
def forum_abroad_for_creator(ctx: RuleContext) -> bool:
    """Disputes go to courts of a country other than the creator's (both countries known)."""
    forum, home = ctx.value("law.forum_country"), ctx.value("parties.creator.country")
    return forum is not None and home is not None and forum != home


@check
def rights_used_in_germany(ctx: RuleContext) -> bool:
    """Usage rights are granted for Germany: named in the territory, or the brand's own market if none is named."""
    if ctx.value("usage.license_type") == "none":
        return False
    territory = ctx.value("usage.territory")
    if territory is None:
        return bool(ctx.value("parties.brand.country") == "DE")
    return "DE" in territory


@check
def resident_abroad_licensing_into_germany(ctx: RuleContext) -> bool:
    """A creator taxed outside Germany licenses rights used in Germany (withholding tax may be due)."""
    resident = ctx.value("parties.creator.tax_resident")
    return resident is not None and resident != "DE" and rights_used_in_germany(ctx)
