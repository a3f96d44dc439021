"""``fairpact lint-terms``: the fairness linter for batches of contract terms, as JSON Lines.

Each input line is ``{"id": ..., "terms": {...}}`` (other keys, such as a test case's ``expected``, are
ignored); each output line is ``{"id", "fair", "findings"}``. A bad line is reported on stderr with its
number and does not stop the others; the exit status is 1 if any line was bad.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import click

from service.contracts.fairness import NoRulesInForce, lint_terms
from service.contracts.terms import TermsError


@dataclass(frozen=True)
class BadLine:
    number: int
    problem: str

    def report(self) -> str:
        return f"line {self.number}: {self.problem}"


@click.command("lint-terms")
@click.argument("source", type=click.File("rb"), default="-")
@click.option(
    "--lang",
    type=click.Choice(["en", "de"]),
    default="en",
    show_default=True,
    help="Language of the findings' messages and fixes.",
)
def lint_terms_command(source: IO[bytes], lang: str) -> None:
    """Check contract terms (JSON Lines from SOURCE, or stdin) against the fairness rules."""
    stdout = sys.stdout.buffer  # bytes: the output is UTF-8 whatever the locale of the terminal
    bad_lines = 0
    for outcome in lint_lines(source, lang):
        if isinstance(outcome, BadLine):
            bad_lines += 1
            click.echo(outcome.report(), err=True)
            continue
        stdout.write(json.dumps(outcome, ensure_ascii=False).encode("utf-8") + b"\n")
        stdout.flush()
    if bad_lines:
        click.echo(f"{bad_lines} line(s) could not be checked.", err=True)
        sys.exit(1)


def lint_lines(lines: Iterable[bytes], locale: str) -> Iterator[dict[str, Any] | BadLine]:
    """One result (or one BadLine) per non-blank input line, in input order."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            document_id, terms = _parse_line(raw, first=number == 1)
        except _LineError as exc:
            yield BadLine(number, str(exc))
            continue
        try:
            # The terms format says unknown fields are ignored (contract-terms.md §1).
            result = lint_terms(terms, locale=locale, ignore_unknown=True)
        except (TermsError, NoRulesInForce) as exc:
            yield BadLine(number, _label(document_id) + _describe_failure(exc))
            continue
        yield {"id": document_id, **result.as_dict()}


class _LineError(ValueError):
    pass


def _parse_line(raw: bytes, *, first: bool) -> tuple[Any, Any]:
    try:
        text = raw.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError as exc:
        raise _LineError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _LineError(f"not valid JSON: {exc.msg} (column {exc.colno})") from exc
    if not isinstance(document, dict):
        raise _LineError('expected a JSON object {"id": ..., "terms": {...}}')
    document_id = document.get("id")
    if isinstance(document_id, bool) or not isinstance(document_id, str | int):
        raise _LineError('"id" is missing or not a string or integer')
    if "terms" not in document:
        raise _LineError(f'{_label(document_id)}"terms" is missing')
    return document_id, document["terms"]


def _label(document_id: Any) -> str:
    return f"id {json.dumps(document_id, ensure_ascii=False)}: "


def _describe_failure(error: TermsError | NoRulesInForce) -> str:
    if isinstance(error, NoRulesInForce):
        return str(error)
    details = "; ".join(f"{path}: {' '.join(messages)}" for path, messages in sorted(error.errors.items()))
    return f"invalid terms: {details}"
