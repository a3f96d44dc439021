"""Versioned fairness rule packs: read from YAML, checked completely, and selected by date.

A pack (``packs/*.yaml``) is data: rule ids, severity tiers with their conditions, citations, messages
and fair alternatives in English and German, the contract types and jurisdictions a rule applies to,
and effective dates. Everything a pack refers to (fields, values, checks, constants, placeholders) is
checked when the packs are first read (:func:`rule_book`), so a malformed pack fails at once with every
problem listed, instead of failing on the one contract that happens to reach the broken rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from service.contracts.fairness.checks import COMPUTED, COMPUTED_KINDS
from service.contracts.fairness.conditions import Condition, ConditionError, compile_condition
from service.contracts.fairness.context import COMPUTED_PREFIX, CONSTANT_PREFIX, RuleContext
from service.contracts.fairness.findings import SEVERITIES, Finding, severity_rank
from service.contracts.fairness.messages import Localized, placeholder_kind, placeholders, render
from service.contracts.fields import Choice, IsoDate, Text, UniqueList, choices
from service.contracts.jurisdictions import JURISDICTIONS
from service.contracts.legal_constants import LegalConstantError, legal_constant_names
from service.contracts.terms import flatten_errors, terms_fields
from service.contracts.vocabulary import CONTRACT_TYPES

PACKS_DIR = Path(__file__).parent / "packs"
RULE_ID = re.compile(r"^(FAIR|EMP|INFO|LEGAL)(-[A-Z0-9]+)+$")
# Which rule families belong to which contract type (contract-terms.md §2).
FAMILIES = {"influencer": ("FAIR", "INFO", "LEGAL"), "corporate_influencer": ("EMP",)}


class RulePackError(ValueError):
    """A rule pack that cannot be used; the message lists every problem found in it."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"Rule pack {source} is invalid:\n" + "\n".join(f"  - {p}" for p in problems))


class NoRulesInForce(LookupError):
    """No rule pack covers this contract type on the date the contract is judged on."""


# --- the YAML shape ------------------------------------------------------------------------------------------


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class LocalizedSchema(_Strict):
    en = Text(required=True, max_length=1000, validate=validate.Regexp(r"\S"))
    de = Text(required=True, max_length=1000, validate=validate.Regexp(r"\S"))

    @post_load
    def _make(self, data: dict[str, str], **kwargs: Any) -> Localized:
        return Localized(**data)


class CitationField(fields.Field):
    """A citation is usually the same in both languages (a norm); prose citations give en and de."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Localized:
        if isinstance(value, str) and value.strip():
            return Localized(en=value, de=value)
        if isinstance(value, Mapping):
            return LocalizedSchema().load(value)
        raise ValidationError("Must be a citation text, or a mapping with en and de.")


class TierSchema(_Strict):
    severity = Choice(SEVERITIES, required=True)
    when = fields.Raw(required=True)
    message = fields.Nested(LocalizedSchema, required=True)


class RuleSchema(_Strict):
    id = Text(required=True, validate=validate.Regexp(RULE_ID, error="Must look like FAIR-SOME-NAME."))
    citation = CitationField(required=True)
    jurisdictions = choices(JURISDICTIONS, load_default=None)
    applies_when = fields.Raw(load_default=None)
    effective_from = IsoDate(load_default=None)
    effective_until = IsoDate(load_default=None)
    tiers = fields.List(fields.Nested(TierSchema), required=True, validate=validate.Length(min=1))
    fix = fields.Nested(LocalizedSchema, required=True)


class PackSchema(_Strict):
    pack = Text(required=True, validate=validate.Regexp(r"^[a-z0-9_-]+$"))
    version = Text(required=True)
    contract_types = UniqueList(Choice(CONTRACT_TYPES), required=True, validate=validate.Length(min=1))
    effective_from = IsoDate(required=True)
    effective_until = IsoDate(load_default=None)
    rules = fields.List(fields.Nested(RuleSchema), required=True, validate=validate.Length(min=1))


# --- compiled rules ------------------------------------------------------------------------------------------


def _in_period(on: date, start: date, end: date | None) -> bool:
    return start <= on and (end is None or on <= end)


@dataclass(frozen=True)
class Tier:
    severity: str
    condition: Condition
    message: Localized


@dataclass(frozen=True)
class Rule:
    id: str
    pack: str
    citation: Localized
    fix: Localized
    tiers: tuple[Tier, ...]
    jurisdictions: frozenset[str] | None
    applies_when: Condition | None
    effective_from: date
    effective_until: date | None

    def in_force_on(self, on: date) -> bool:
        return _in_period(on, self.effective_from, self.effective_until)

    def applies(self, ctx: RuleContext) -> bool:
        if self.jurisdictions is not None and ctx.value("meta.jurisdiction") not in self.jurisdictions:
            return False
        return self.applies_when is None or self.applies_when.holds(ctx)

    def evaluate(self, ctx: RuleContext, locale: str) -> Finding | None:
        """The finding of the most severe matching tier (tiers are ordered so), or None."""
        if not self.applies(ctx):
            return None
        for tier in self.tiers:
            if tier.condition.holds(ctx):
                return Finding(
                    rule_id=self.id,
                    severity=tier.severity,
                    message=render(tier.message.text(locale), ctx, locale),
                    fix=render(self.fix.text(locale), ctx, locale),
                    citation=render(self.citation.text(locale), ctx, locale),
                )
        return None

    def texts(self) -> Iterator[tuple[str, str]]:
        """(where, text) of every message, fix and citation, for checking placeholders and languages."""
        for index, tier in enumerate(self.tiers):
            yield from ((f"tiers[{index}].message", text) for text in tier.message.texts())
        yield from (("fix", text) for text in self.fix.texts())
        yield from (("citation", text) for text in self.citation.texts())

    def conditions(self) -> Iterator[Condition]:
        if self.applies_when is not None:
            yield self.applies_when
        yield from (tier.condition for tier in self.tiers)


@dataclass(frozen=True)
class RulePack:
    name: str
    version: str
    source: str
    contract_types: tuple[str, ...]
    effective_from: date
    effective_until: date | None
    rules: tuple[Rule, ...]

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def in_force_on(self, on: date) -> bool:
        return _in_period(on, self.effective_from, self.effective_until)


@dataclass(frozen=True)
class RuleBook:
    packs: tuple[RulePack, ...]

    def rules_for(self, contract_type: str, on: date) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
        """The rules in force for a contract type on a date, and the labels of the packs they come from."""
        packs = [pack for pack in self.packs if contract_type in pack.contract_types and pack.in_force_on(on)]
        if not packs:
            raise NoRulesInForce(self._nothing_in_force(contract_type, on))
        rules = tuple(rule for pack in packs for rule in pack.rules if rule.in_force_on(on))
        return rules, tuple(pack.label for pack in packs)

    def all_rules(self) -> tuple[Rule, ...]:
        return tuple(rule for pack in self.packs for rule in pack.rules)

    def _nothing_in_force(self, contract_type: str, on: date) -> str:
        starts = [pack.effective_from for pack in self.packs if contract_type in pack.contract_types]
        hint = f" (the earliest starts {min(starts).isoformat()})" if starts else ""
        return f"No fairness rules for {contract_type} contracts are in force on {on.isoformat()}{hint}."


# --- loading -------------------------------------------------------------------------------------------------


def rule_book() -> RuleBook:
    """The rule book of the packs shipped with Fairpact (read and checked once per process)."""
    return load_rule_book(PACKS_DIR)


@functools.cache
def load_rule_book(directory: Path) -> RuleBook:
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise RulePackError(str(directory), ["no *.yaml rule packs in this folder"])
    packs = tuple(read_rule_pack(path) for path in paths)
    problems = list(_overlapping_rules(packs))
    if problems:
        raise RulePackError(str(directory), problems)
    return RuleBook(packs)


def read_rule_pack(path: Path) -> RulePack:
    """Read one pack file and check it completely; raises RulePackError listing every problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RulePackError(path.name, [f"not valid YAML: {exc}"]) from exc
    try:
        data = PackSchema().load(raw if raw is not None else {})
    except ValidationError as exc:
        errors = flatten_errors(exc.messages)
        raise RulePackError(path.name, [f"{where}: {' '.join(msgs)}" for where, msgs in errors.items()]) from exc
    problems: list[str] = []
    rules = tuple(
        rule
        for index, raw_rule in enumerate(data["rules"])
        if (rule := _compile_rule(raw_rule, data, f"rules[{index}] {raw_rule['id']}", problems)) is not None
    )
    problems.extend(_duplicates([rule.id for rule in rules]))
    if problems:
        raise RulePackError(path.name, problems)
    return RulePack(
        name=data["pack"],
        version=data["version"],
        source=path.name,
        contract_types=tuple(data["contract_types"]),
        effective_from=data["effective_from"],
        effective_until=data["effective_until"],
        rules=rules,
    )


def _compile_rule(raw: dict[str, Any], pack: dict[str, Any], where: str, problems: list[str]) -> Rule | None:
    found_before = len(problems)
    try:
        tiers = tuple(
            Tier(tier["severity"], compile_condition(tier["when"], f"{where}: tiers[{i}].when"), tier["message"])
            for i, tier in enumerate(raw["tiers"])
        )
        applies_when = None
        if raw["applies_when"] is not None:
            applies_when = compile_condition(raw["applies_when"], f"{where}: applies_when")
    except ConditionError as exc:
        problems.append(str(exc))
        return None
    rule = Rule(
        id=raw["id"],
        pack=pack["pack"],
        citation=raw["citation"],
        fix=raw["fix"],
        tiers=tiers,
        jurisdictions=frozenset(raw["jurisdictions"]) if raw["jurisdictions"] is not None else None,
        applies_when=applies_when,
        effective_from=raw["effective_from"] or pack["effective_from"],
        effective_until=raw["effective_until"] or pack["effective_until"],
    )
    problems.extend(f"{where}: {problem}" for problem in _rule_problems(rule, pack))
    return rule if len(problems) == found_before else None


def _rule_problems(rule: Rule, pack: dict[str, Any]) -> Iterator[str]:
    yield from _family_problems(rule, pack["contract_types"])
    yield from _period_problems(rule, pack)
    ranks = [severity_rank(tier.severity) for tier in rule.tiers]
    if ranks != sorted(ranks):
        yield "tiers must go from the most to the least severe (block, warn, info): the first match is reported"
    constants: set[str] = {ref for condition in rule.conditions() for ref in condition.constants()}
    for where, text in rule.texts():
        try:
            names = list(placeholders(text))
        except ValueError as exc:
            yield f"{where}: {exc}"
            continue
        for name in names:
            kind = placeholder_kind(name)
            if kind == "constant":
                constants.add(name.removeprefix(CONSTANT_PREFIX))
            elif kind == "computed" and name.removeprefix(COMPUTED_PREFIX) not in COMPUTED_KINDS:
                yield f"{where}: unknown computed value in placeholder {{{name}}}"
            elif kind == "field" and name not in terms_fields():
                yield f"{where}: {{{name}}} is not a field of the terms format"
    yield from _constant_problems(sorted(constants), rule.effective_from)


def _family_problems(rule: Rule, contract_types: list[str]) -> Iterator[str]:
    family = rule.id.split("-")[0]
    for contract_type in contract_types:
        if family not in FAMILIES[contract_type]:
            yield f"{family}-* rules do not belong in a pack for {contract_type} contracts"


def _period_problems(rule: Rule, pack: dict[str, Any]) -> Iterator[str]:
    if rule.effective_from < pack["effective_from"]:
        yield "effective_from is before the pack's effective_from"
    if rule.effective_until is not None and rule.effective_until < rule.effective_from:
        yield "effective_until is before effective_from"
    if pack["effective_until"] is not None and (
        rule.effective_until is None or rule.effective_until > pack["effective_until"]
    ):
        yield "effective_until is after the pack's effective_until"


def _constant_problems(references: list[str], on: date) -> Iterator[str]:
    """Every constant a rule uses must have a value on the first day the rule is in force."""
    known = legal_constant_names()
    probe = RuleContext(terms={}, on=on, computed=COMPUTED)
    for reference in references:
        if reference.split(".")[0] not in known:
            yield f"unknown legal constant {reference!r}"
            continue
        try:
            probe.constant(reference)
        except LegalConstantError as exc:
            yield f"{exc} (the rule is in force from {on.isoformat()})"
        except (KeyError, TypeError):
            yield f"legal constant {reference!r} has no such entry"


def _duplicates(ids: list[str]) -> Iterator[str]:
    for rule_id in sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1}):
        yield f"rule {rule_id} is defined more than once"


def _overlapping_rules(packs: tuple[RulePack, ...]) -> Iterator[str]:
    """The same rule id in force twice on one day would report two findings for one rule."""
    rules = [(pack, rule) for pack in packs for rule in pack.rules]
    for index, (pack, rule) in enumerate(rules):
        for other_pack, other in rules[index + 1 :]:
            if rule.id == other.id and _periods_overlap(rule, other):
                yield f"rule {rule.id} is in force in both {pack.source} and {other_pack.source} at the same time"


def _periods_overlap(first: Rule, second: Rule) -> bool:
    first_end = first.effective_until or date.max
    second_end = second.effective_until or date.max
    return first.effective_from <= second_end and second.effective_from <= first_end
