"""The fairness linter: versioned rule packs (``packs/*.yaml``) evaluated against contract terms.

Other code calls :func:`lint_terms` and reads the :class:`LintResult`; the rules themselves are data.
"""

from service.contracts.fairness.findings import SEVERITIES, Finding, LintResult
from service.contracts.fairness.linter import lint_terms
from service.contracts.fairness.rulebook import NoRulesInForce, RulePackError, load_rule_book, rule_book

__all__ = [
    "SEVERITIES",
    "Finding",
    "LintResult",
    "NoRulesInForce",
    "RulePackError",
    "lint_terms",
    "load_rule_book",
    "rule_book",
]
