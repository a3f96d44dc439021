"""The small condition language of the rule packs, compiled and type-checked when a pack loads.

A condition is one of::

    {field: payment.days, gt: 30}                  # compare a terms field (or computed.<name>) with a value
    {field: payment.days, gt: {constant: EU_MAX_PAYMENT_DAYS_UNLESS_EXPRESSLY_AGREED}}
    {check: kill_fee_absent, params: {...}}        # a named predicate from checks.py
    {all: [...]}, {any: [...]}, {not: {...}}

Operators: ``eq``, ``ne``, ``in``, ``not_in``, ``gt``, ``ge``, ``lt``, ``le``, ``is_null``, ``blank``,
``contains``, ``empty``. A null value never meets a numeric threshold (contract-terms.md §1): a rule
that fires on null says so with ``is_null``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from marshmallow import fields

from service.contracts.fairness.checks import CHECKS, COMPUTED_KINDS
from service.contracts.fairness.context import COMPUTED_PREFIX, RuleContext
from service.contracts.fields import Choice, Flag, Number, WholeNumber
from service.contracts.terms import terms_fields


class Condition(Protocol):
    def holds(self, ctx: RuleContext) -> bool: ...

    def constants(self) -> Iterator[str]: ...


@dataclass(frozen=True)
class Constant:
    reference: str

    def resolve(self, ctx: RuleContext) -> Any:
        return ctx.constant(self.reference)


@dataclass(frozen=True)
class Literal:
    value: Any

    def resolve(self, ctx: RuleContext) -> Any:
        return self.value


Operand = Constant | Literal


def _same(actual: Any, expected: Any) -> bool:
    # In Python True == 1; a rule testing a flag must not match a count (and the reverse).
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


def _threshold(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda actual, expected: actual is not None and compare(actual, expected)


def _blank(actual: Any) -> bool:
    return actual is None or (isinstance(actual, str) and not actual.strip())


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": _same,
    "ne": lambda actual, expected: not _same(actual, expected),
    "in": lambda actual, expected: any(_same(actual, item) for item in expected),
    "not_in": lambda actual, expected: not any(_same(actual, item) for item in expected),
    "gt": _threshold(operator.gt),
    "ge": _threshold(operator.ge),
    "lt": _threshold(operator.lt),
    "le": _threshold(operator.le),
    "is_null": lambda actual, expected: (actual is None) is expected,
    "blank": lambda actual, expected: _blank(actual) is expected,
    "contains": lambda actual, expected: actual is not None and any(_same(item, expected) for item in actual),
    "empty": lambda actual, expected: (not actual) is expected,
}


@dataclass(frozen=True)
class FieldTest:
    path: str
    op: str
    operand: Operand

    def holds(self, ctx: RuleContext) -> bool:
        return OPERATORS[self.op](ctx.value(self.path), self.operand.resolve(ctx))

    def constants(self) -> Iterator[str]:
        if isinstance(self.operand, Constant):
            yield self.operand.reference


@dataclass(frozen=True)
class CheckCall:
    name: str
    params: Mapping[str, Operand]

    def holds(self, ctx: RuleContext) -> bool:
        return CHECKS[self.name](ctx, {key: value.resolve(ctx) for key, value in self.params.items()})

    def constants(self) -> Iterator[str]:
        yield from (value.reference for value in self.params.values() if isinstance(value, Constant))


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, ctx: RuleContext) -> bool:
        return all(part.holds(ctx) for part in self.parts)

    def constants(self) -> Iterator[str]:
        for part in self.parts:
            yield from part.constants()


@dataclass(frozen=True)
class AnyOf(AllOf):
    def holds(self, ctx: RuleContext) -> bool:
        return any(part.holds(ctx) for part in self.parts)


@dataclass(frozen=True)
class Not:
    part: Condition

    def holds(self, ctx: RuleContext) -> bool:
        return not self.part.holds(ctx)

    def constants(self) -> Iterator[str]:
        return self.part.constants()


class ConditionError(ValueError):
    """A condition in a rule pack that cannot be evaluated; the message names where and why."""


def compile_condition(raw: Any, where: str) -> Condition:
    """Turn the YAML of a condition into an evaluable object, refusing anything malformed."""
    if not isinstance(raw, Mapping) or not raw:
        raise ConditionError(f"{where}: a condition must be a mapping such as {{field: ..., eq: ...}}")
    if set(raw) == {"all"} or set(raw) == {"any"}:
        return _compile_group(raw, where)
    if set(raw) == {"not"}:
        return Not(compile_condition(raw["not"], f"{where}.not"))
    if "check" in raw:
        return _compile_check(raw, where)
    if "field" in raw:
        return _compile_field_test(raw, where)
    raise ConditionError(f"{where}: expected field, check, all, any or not; got {', '.join(map(str, raw))}")


def _compile_group(raw: Mapping[str, Any], where: str) -> Condition:
    kind = "all" if "all" in raw else "any"
    items = raw[kind]
    if not isinstance(items, list) or not items:
        raise ConditionError(f"{where}.{kind}: must be a non-empty list of conditions")
    parts = tuple(compile_condition(item, f"{where}.{kind}[{index}]") for index, item in enumerate(items))
    return AllOf(parts) if kind == "all" else AnyOf(parts)


def _compile_check(raw: Mapping[str, Any], where: str) -> Condition:
    if set(raw) - {"check", "params"}:
        raise ConditionError(f"{where}: a check takes only 'check' and 'params'")
    name, params = raw["check"], raw.get("params") or {}
    if name not in CHECKS:
        raise ConditionError(f"{where}: unknown check {name!r} (known: {', '.join(sorted(CHECKS))})")
    if not isinstance(params, Mapping) or set(params) != CHECKS[name].parameters:
        expected = ", ".join(sorted(CHECKS[name].parameters)) or "none"
        raise ConditionError(f"{where}: check {name!r} takes the params {expected}; got {dict(params)!r}")
    return CheckCall(name, {key: _operand(value, f"{where}.params.{key}") for key, value in params.items()})


def _compile_field_test(raw: Mapping[str, Any], where: str) -> Condition:
    ops = [key for key in raw if key != "field"]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise ConditionError(f"{where}: name exactly one operator of {', '.join(OPERATORS)}; got {ops}")
    path, op = raw["field"], ops[0]
    kind, allowed = _kind_of(path, where)
    operand = _operand(raw[op], f"{where}.{op}")
    _check_operand(op, operand, kind, allowed, where)
    return FieldTest(path, op, operand)


def _operand(raw: Any, where: str) -> Operand:
    if isinstance(raw, Mapping):
        if set(raw) != {"constant"} or not isinstance(raw["constant"], str):
            raise ConditionError(f"{where}: a mapping value must be {{constant: NAME}}")
        return Constant(raw["constant"])
    if raw is None:
        raise ConditionError(f"{where}: compare with null through is_null: true")
    return Literal(Decimal(str(raw)) if isinstance(raw, float) else raw)


def _kind_of(path: Any, where: str) -> tuple[str, tuple[str, ...]]:
    """The kind of value a path holds (flag, number, choice, choices, list, text, date, object)."""
    if isinstance(path, str) and path.startswith(COMPUTED_PREFIX):
        name = path.removeprefix(COMPUTED_PREFIX)
        if name not in COMPUTED_KINDS:
            raise ConditionError(f"{where}: unknown computed value {name!r}")
        return COMPUTED_KINDS[name], ()
    field = terms_fields().get(path) if isinstance(path, str) else None
    if field is None:
        raise ConditionError(f"{where}: {path!r} is not a field of the terms format")
    return _field_kind(field)


def _field_kind(field: fields.Field) -> tuple[str, tuple[str, ...]]:
    if isinstance(field, Flag):
        return "flag", ()
    if isinstance(field, WholeNumber | Number):
        return "number", ()
    if isinstance(field, Choice):
        return "choice", field.choices
    if isinstance(field, fields.List):
        inner = field.inner
        return ("choices", inner.choices) if isinstance(inner, Choice) else ("list", ())
    if isinstance(field, fields.Nested):
        return "object", ()
    return "text", ()


_BOOLEAN_OPERATORS = ("is_null", "blank", "empty")
_ORDERING_OPERATORS = ("gt", "ge", "lt", "le")


def _check_operand(op: str, operand: Operand, kind: str, allowed: tuple[str, ...], where: str) -> None:
    if op in _BOOLEAN_OPERATORS:
        _require(isinstance(operand, Literal) and isinstance(operand.value, bool), f"{where}: {op} takes true/false")
        _require(op != "empty" or kind in ("list", "choices"), f"{where}: empty applies to lists only")
        _require(op != "blank" or kind == "text", f"{where}: blank applies to text only")
        return
    if op in _ORDERING_OPERATORS:
        _require(kind == "number", f"{where}: {op} compares numbers, but the field holds {kind}")
        _require(isinstance(operand, Constant) or _is_number(operand.value), f"{where}: {op} needs a number")
        return
    if op == "contains":
        _require(kind in ("list", "choices"), f"{where}: contains applies to lists only")
        _check_values([operand], "choice" if kind == "choices" else "text", allowed, where)
        return
    values = operand.value if op in ("in", "not_in") and isinstance(operand, Literal) else [operand]
    _require(isinstance(values, Sequence) and not isinstance(values, str), f"{where}: {op} takes a list")
    _check_values(values, kind, allowed, where)


def _check_values(values: Sequence[Any], kind: str, allowed: tuple[str, ...], where: str) -> None:
    for value in values:
        if isinstance(value, Constant):
            _require(kind == "number", f"{where}: only numbers can be compared with a constant")
            continue
        item = value.value if isinstance(value, Literal) else value
        if kind == "flag":
            _require(isinstance(item, bool), f"{where}: the field is true/false, got {item!r}")
        elif kind == "number":
            _require(_is_number(item), f"{where}: the field is a number, got {item!r}")
        elif kind == "choice":
            _require(item in allowed, f"{where}: {item!r} is not one of {', '.join(allowed)}")
        else:
            _require(isinstance(item, str), f"{where}: expected text, got {item!r}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _require(ok: bool, problem: str) -> None:
    if not ok:
        raise ConditionError(problem)
