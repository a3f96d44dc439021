"""Plans, read from the operator's YAML file (service/billing/plans.yaml by default) and validated at start.

Plans are data: names, Stripe price ids, included seats and usage, agency clients and features live in
the file, so changing a price or an allowance is a configuration change, not a release. A mistake in
the file stops the app with every problem listed (as service.config does for the environment).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, current_app

from service.config import ConfigError

# What is metered: each kind is counted once per reference and reported to its Stripe Billing Meter.
USAGE_KINDS = ("disclosure_check", "sealed_contract")
DEVELOPMENT_PLAN_KEY = "development"
TRIAL_PLAN_KEY = "trial"


@dataclass(frozen=True)
class SeatAllowance:
    included: int | None  # None: unlimited
    hard_limit: bool


@dataclass(frozen=True)
class UsageAllowance:
    included: int | None  # None: unlimited
    overage: bool  # True: usage beyond `included` is billed through the meter instead of refused

    @property
    def limit(self) -> int | None:
        """The count at which new work is refused, or None when there is no such count."""
        return None if self.overage else self.included


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    seats: SeatAllowance
    usage: Mapping[str, UsageAllowance]
    agency_clients: int | None  # None: unlimited
    features: frozenset[str]
    seat_price: str | None = None  # the licensed per-seat price; its quantity is the seat count
    metered_prices: tuple[str, ...] = ()
    trial_days: int = 0

    @property
    def purchasable(self) -> bool:
        return self.seat_price is not None

    def billed_seats(self, members: int) -> int:
        """The subscription quantity for ``members`` people: never below the included seats."""
        return max(members, self.seats.included or 0, 1)


@dataclass(frozen=True)
class Meter:
    kind: str
    event_name: str
    meter_id: str | None


@dataclass(frozen=True)
class Catalogue:
    meters: Mapping[str, Meter]
    trial: Plan
    plans: Mapping[str, Plan]  # the purchasable plans, in the file's order
    _by_price: Mapping[str, str] = field(default_factory=dict)

    def plan(self, key: str) -> Plan | None:
        if key == TRIAL_PLAN_KEY:
            return self.trial
        return self.plans.get(key)

    def plan_for_price(self, price_id: str) -> Plan | None:
        """The plan whose seat price a subscription carries."""
        key = self._by_price.get(price_id)
        return self.plans[key] if key else None


UNLIMITED = UsageAllowance(included=None, overage=False)

# Billing switched off (no STRIPE_SECRET_KEY): every tenant works without limits, as in the demo.
DEVELOPMENT_PLAN = Plan(
    key=DEVELOPMENT_PLAN_KEY,
    name="Development (billing off)",
    seats=SeatAllowance(included=None, hard_limit=False),
    usage={kind: UNLIMITED for kind in USAGE_KINDS},
    agency_clients=None,
    features=frozenset({"*"}),
)


def has_feature(plan: Plan, feature: str) -> bool:
    return "*" in plan.features or feature in plan.features


# --- reading and validating the file -------------------------------------------------------------


class _Problems(list[str]):
    def need(self, condition: bool, message: str) -> bool:
        if not condition:
            self.append(message)
        return condition


def _count(value: Any, where: str, problems: _Problems, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{where} must be a whole number of at least 0{' or null' if allow_none else ''}")
        return 0
    return value


def _mapping(value: Any, where: str, problems: _Problems) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    problems.append(f"{where} must be a mapping")
    return {}


def _seats(raw: Any, where: str, problems: _Problems) -> SeatAllowance:
    seats = _mapping(raw, f"{where}.seats", problems)
    hard_limit = seats.get("hard_limit", False)
    problems.need(isinstance(hard_limit, bool), f"{where}.seats.hard_limit must be true or false")
    included = _count(seats.get("included"), f"{where}.seats.included", problems)
    problems.need(included != 0, f"{where}.seats.included must be at least 1")
    return SeatAllowance(included=included, hard_limit=bool(hard_limit))


def _usage(raw: Any, where: str, problems: _Problems) -> dict[str, UsageAllowance]:
    usage = _mapping(raw, f"{where}.usage", problems)
    unknown = sorted(set(usage) - set(USAGE_KINDS))
    problems.need(not unknown, f"{where}.usage has unknown kinds {unknown}; known: {', '.join(USAGE_KINDS)}")
    allowances = {}
    for kind in USAGE_KINDS:
        entry = _mapping(usage.get(kind), f"{where}.usage.{kind}", problems)
        overage = entry.get("overage", False)
        problems.need(isinstance(overage, bool), f"{where}.usage.{kind}.overage must be true or false")
        included = _count(entry.get("included"), f"{where}.usage.{kind}.included", problems, allow_none=True)
        allowances[kind] = UsageAllowance(included=included, overage=bool(overage))
    return allowances


def _features(raw: Any, where: str, problems: _Problems) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(f, str) and f for f in raw):
        problems.append(f"{where}.features must be a list of names")
        return frozenset()
    return frozenset(raw)


def _prices(raw: Any, where: str, problems: _Problems) -> tuple[str | None, tuple[str, ...]]:
    prices = _mapping(raw, f"{where}.prices", problems)
    unknown = sorted(set(prices) - {"seats", *USAGE_KINDS})
    problems.need(not unknown, f"{where}.prices has unknown entries {unknown}")
    for name, price in prices.items():
        problems.need(
            isinstance(price, str) and price.startswith("price_"), f"{where}.prices.{name} must be a price_... id"
        )
    seat_price = prices.get("seats")
    problems.need(seat_price is not None, f"{where}.prices.seats is required (the per-seat price)")
    metered = tuple(str(prices[kind]) for kind in USAGE_KINDS if kind in prices)
    return (str(seat_price) if seat_price else None), metered


def _plan(key: str, raw: Any, where: str, problems: _Problems, *, purchasable: bool) -> Plan:
    entry = _mapping(raw, where, problems)
    name = entry.get("name")
    problems.need(isinstance(name, str) and bool(name), f"{where}.name is required")
    seat_price, metered = _prices(entry.get("prices"), where, problems) if purchasable else (None, ())
    trial_days = _count(entry.get("days", 0), f"{where}.days", problems) or 0
    return Plan(
        key=key,
        name=str(name),
        seats=_seats(entry.get("seats"), where, problems),
        usage=_usage(entry.get("usage"), where, problems),
        agency_clients=_count(entry.get("agency_clients"), f"{where}.agency_clients", problems, allow_none=True),
        features=_features(entry.get("features", []), where, problems),
        seat_price=seat_price,
        metered_prices=metered,
        trial_days=trial_days,
    )


def _meters(raw: Any, problems: _Problems) -> dict[str, Meter]:
    meters = _mapping(raw, "meters", problems)
    found = {}
    for kind in USAGE_KINDS:
        entry = _mapping(meters.get(kind), f"meters.{kind}", problems)
        event_name = entry.get("event_name")
        problems.need(isinstance(event_name, str) and bool(event_name), f"meters.{kind}.event_name is required")
        meter_id = entry.get("meter_id")
        problems.need(
            meter_id is None or (isinstance(meter_id, str) and meter_id.startswith("mtr_")),
            f"meters.{kind}.meter_id must be a mtr_... id or null",
        )
        found[kind] = Meter(kind=kind, event_name=str(event_name), meter_id=meter_id)
    return found


def _prices_of(plans: Mapping[str, Plan], problems: _Problems) -> dict[str, str]:
    """Seat price -> plan key; a price shared by two plans would make a subscription's plan ambiguous."""
    by_price: dict[str, str] = {}
    seen: set[str] = set()
    for plan in plans.values():
        for price in (plan.seat_price, *plan.metered_prices):
            if price is None:
                continue
            problems.need(price not in seen, f"plans.{plan.key}: price {price} is used twice")
            seen.add(price)
        if plan.seat_price:
            by_price[plan.seat_price] = plan.key
    return by_price


def parse_catalogue(document: Any, source: str = "plans") -> Catalogue:
    """Validate a parsed plans document; raise ConfigError naming every problem."""
    problems = _Problems()
    root = _mapping(document, source, problems)
    meters = _meters(root.get("meters"), problems)
    trial = _plan(TRIAL_PLAN_KEY, root.get("trial"), "trial", problems, purchasable=False)
    problems.need(trial.trial_days > 0, "trial.days must be at least 1")
    raw_plans = _mapping(root.get("plans"), "plans", problems)
    problems.need(bool(raw_plans), "plans must list at least one plan")
    plans = {}
    for key, raw in raw_plans.items():
        if problems.need(
            isinstance(key, str) and key not in (TRIAL_PLAN_KEY, DEVELOPMENT_PLAN_KEY), f"plans: {key!r} is reserved"
        ):
            plans[key] = _plan(key, raw, f"plans.{key}", problems, purchasable=True)
    by_price = _prices_of(plans, problems)
    if problems:
        raise ConfigError([f"{source}: {p}" for p in problems])
    return Catalogue(meters=meters, trial=trial, plans=plans, _by_price=by_price)


def load_catalogue(path: str | Path) -> Catalogue:
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError([f"BILLING_PLANS_FILE {path}: cannot be read as YAML ({exc})"]) from exc
    return parse_catalogue(document, source=str(path))


EXTENSION_KEY = "fairpact_billing_catalogue"


def install_catalogue(app: Flask) -> None:
    """Load the plans once at start; with billing off there is nothing to load."""
    if app.config.get("BILLING_ENABLED"):
        app.extensions[EXTENSION_KEY] = load_catalogue(app.config["BILLING_PLANS_FILE"])


def catalogue() -> Catalogue:
    found = current_app.extensions.get(EXTENSION_KEY)
    if found is None:
        raise RuntimeError("billing is switched off: there is no plan catalogue (check billing_enabled() first)")
    return found


def billing_enabled() -> bool:
    return bool(current_app.config.get("BILLING_ENABLED"))


def purchasable_plans() -> Iterator[Plan]:
    yield from catalogue().plans.values()
