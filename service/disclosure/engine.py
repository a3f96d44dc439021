"""Checking a post: every audience's rules, then the verdict of §11 with findings in the reader's language.

Pure Python: no Flask, no database. The CLI, the workers and the API all call ``check_post``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from service.disclosure.context import PostContext
from service.disclosure.judging import evaluate
from service.disclosure.model import LANGUAGES, CheckResult, Finding, RuleRef, Severity, Verdict
from service.disclosure.posts import Post, PostError, parse_post
from service.disclosure.rulebook import RuleBook, default_rule_book


def check_post(post: Post, *, lang: str = "en", book: RuleBook | None = None, on: date | None = None) -> CheckResult:
    """The verdict for ``post``; every audience jurisdiction must pass.

    :param lang: language of the finding texts, ``en`` or ``de``.
    :param on: the day whose rules apply (default: the post's date, else today).
    :raises PostError: when an audience jurisdiction has no rule pack.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}")
    book = book or default_rule_book()
    day = on or post.posted_on or date.today()
    ctx = PostContext(post, book, day)
    refs: list[RuleRef] = []
    for country in post.jurisdictions:
        pack = book.pack_for(country)
        if pack is None:
            raise PostError({"jurisdiction": [f"no rule pack covers {country}"]})
        refs.extend(evaluate(ctx.view(country, pack)))
    findings = _findings(_strongest_per_rule(refs, book), book, day, lang)
    return CheckResult(post.id, _verdict(findings), tuple([f.rule_id for f in findings]), tuple(findings))


def check_data(data: Any, *, lang: str = "en", book: RuleBook | None = None) -> CheckResult:
    """Parse and check one post given as decoded JSON (raises ``PostError`` on bad input)."""
    return check_post(parse_post(data), lang=lang, book=book)


def _strongest_per_rule(refs: Iterable[RuleRef], book: RuleBook) -> dict[str, Severity]:
    """One finding per rule, in first-reported order; a rule reported at both levels counts as a violation."""
    strongest: dict[str, Severity] = {}
    for ref in refs:
        severity = ref.severity or book.rules[ref.rule_id].severity
        if strongest.get(ref.rule_id) is not Severity.VIOLATION:
            strongest[ref.rule_id] = severity
    return strongest


def _findings(severities: Mapping[str, Severity], book: RuleBook, day: date, lang: str) -> list[Finding]:
    findings = []
    for rule_id, severity in severities.items():
        finding = book.finding(rule_id, severity, day, lang)
        if finding is not None:  # None: the rule was not (or no longer) in force on that day
            findings.append(finding)
    return findings


def _verdict(findings: Iterable[Finding]) -> Verdict:
    """§11: any violation-level rule -> violation; else any review-level rule -> needs_review."""
    verdict = Verdict.COMPLIANT
    for finding in findings:
        if finding.severity == Severity.VIOLATION.value:
            return Verdict.VIOLATION
        verdict = Verdict.NEEDS_REVIEW
    return verdict
