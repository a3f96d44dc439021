"""The fairness linter: every rule in force for a contract, evaluated against its complete terms."""

from __future__ import annotations

from datetime import date
from typing import Any

from service.contracts.fairness.checks import rule_context
from service.contracts.fairness.findings import LintResult
from service.contracts.fairness.messages import normalise_locale
from service.contracts.fairness.rulebook import rule_book
from service.contracts.terms import effective_date, load_terms


def lint_terms(terms: Any, *, locale: str = "en", on: date | None = None, ignore_unknown: bool = False) -> LintResult:
    """Check a contract's terms against the fairness rules and say whether they are fair.

    :param terms: a terms document (left-out fields take their fair defaults), or complete terms.
    :param locale: the language of messages and fixes: ``en`` or ``de``.
    :param on: the date the contract is judged on; by default its ``meta.effective_date``, else today.
    :param ignore_unknown: see :func:`load_terms` (interchange ignores unknown fields, the API refuses them).
    :raises TermsError: when the terms are not valid (with the problems per field).
    :raises NoRulesInForce: when no rule pack covers the contract type on that date.
    """
    language = normalise_locale(locale)
    complete = load_terms(terms, on=on, ignore_unknown=ignore_unknown)
    judged_on = effective_date(complete, on)
    rules, packs = rule_book().rules_for(complete["meta"]["contract_type"], judged_on)
    ctx = rule_context(complete, judged_on)
    findings = [finding for rule in rules if (finding := rule.evaluate(ctx, language)) is not None]
    return LintResult.of(findings, packs)
