"""Loading the rule packs: read the YAML, check its shape, cross-check references, compile the phrases.

Any problem stops loading with a ``RulePackError`` naming the file and every problem found, so a broken pack
is noticed when the service starts, not when the first post happens to hit the broken rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from service.disclosure.model import (
    CommonPack,
    Finding,
    JurisdictionPack,
    Outcome,
    OutcomeKind,
    Rule,
    RuleRef,
    Severity,
)
from service.disclosure.packbuilder import build_common, build_pack
from service.disclosure.schemas import RulePackError

__all__ = ["PACK_DIR", "RuleBook", "RulePackError", "default_rule_book", "load_rule_book"]

PACK_DIR = Path(__file__).resolve().parent / "packs"
COMMON_FILE = "common.yaml"


@dataclass(frozen=True)
class RuleBook:
    common: CommonPack
    packs: Mapping[str, JurisdictionPack]
    by_country: Mapping[str, JurisdictionPack]
    rules: Mapping[str, Rule]

    _findings: dict[tuple[str, Severity, int, str], Finding | None] = field(default_factory=dict, repr=False)

    @property
    def language_review(self) -> Outcome:
        """What a label in the wrong language means: the common pack's language review rule."""
        return Outcome(OutcomeKind.RULE, RuleRef(self.common.language_review_rule))

    def pack_for(self, country: str) -> JurisdictionPack | None:
        return self.by_country.get(country)

    def finding(self, rule_id: str, severity: Severity, day: date, lang: str) -> Finding | None:
        """The finding for a rule as in force on ``day``, worded in ``lang`` (made once, then reused)."""
        rule = self.rules[rule_id]
        version = rule.version_on(day)
        if version is None:
            return None
        key = (rule_id, severity, rule.versions.index(version), lang)
        if key not in self._findings:
            params = dict(version.params)
            self._findings[key] = Finding(
                rule_id=rule_id,
                severity=severity.value,
                message=rule.message[lang].format(**params),
                fix=rule.fix[lang].format(**params),
                citation=version.citation,
            )
        return self._findings[key]


def load_rule_book(directory: Path = PACK_DIR) -> RuleBook:
    common = build_common(_read(directory / COMMON_FILE), COMMON_FILE)
    packs = [
        build_pack(_read(path), path.name, common)
        for path in sorted(directory.glob("*.yaml"))
        if path.name != COMMON_FILE
    ]
    return _assemble(common, packs)


@lru_cache(maxsize=1)
def default_rule_book() -> RuleBook:
    """The packs shipped with the service, loaded once per process."""
    return load_rule_book()


def _assemble(common: CommonPack, packs: list[JurisdictionPack]) -> RuleBook:
    problems = []
    rules: dict[str, Rule] = dict(common.rules)
    by_country: dict[str, JurisdictionPack] = {}
    for pack in packs:
        for rule_id, rule in pack.rules.items():
            if rule_id in rules:
                problems.append(f"rule {rule_id} is defined in both {rules[rule_id].pack} and {pack.code}")
            rules[rule_id] = rule
        for country in pack.countries:
            if country in by_country:
                problems.append(f"country {country} is covered by both {by_country[country].code} and {pack.code}")
            by_country[country] = pack
    if problems:
        raise RulePackError("set", problems)
    return RuleBook(common, {pack.code: pack for pack in packs}, by_country, rules)


# --- reading and shape checks --------------------------------------------------------------------


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulePackError(path.name, [str(exc)]) from exc
    if not isinstance(data, dict):
        raise RulePackError(path.name, ["the file must hold a mapping at the top level"])
    return data
