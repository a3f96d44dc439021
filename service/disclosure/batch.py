"""Checking a JSON Lines stream of posts: one result per good line, one clear problem per bad line.

Used by ``fairpact check-posts`` and meant for bulk uploads as well: a bad line never stops the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from service.disclosure.engine import check_post
from service.disclosure.model import CheckResult
from service.disclosure.posts import PostError, parse_post
from service.disclosure.rulebook import RuleBook, default_rule_book


@dataclass(frozen=True, slots=True)
class LineOutcome:
    line_number: int
    result: CheckResult | None = None
    problem: str | None = None


def check_lines(lines: Iterable[str], *, lang: str = "en", book: RuleBook | None = None) -> Iterator[LineOutcome]:
    """Check every non-blank line; blank lines are skipped (they are not posts)."""
    book = book or default_rule_book()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        yield _check_line(number, line, lang, book)


def _check_line(number: int, line: str, lang: str, book: RuleBook) -> LineOutcome:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return LineOutcome(number, problem=f"not valid JSON ({exc.msg} at column {exc.colno})")
    try:
        return LineOutcome(number, result=check_post(parse_post(data), lang=lang, book=book))
    except PostError as exc:
        label = f"post {data['id']!r}: " if isinstance(data, dict) and data.get("id") is not None else ""
        return LineOutcome(number, problem=f"{label}{exc}")
