"""``fairpact check-posts [PATH|-]``: check posts given as JSON Lines (see docs in design.md)."""

from __future__ import annotations

import json
from typing import TextIO

import click

from service.disclosure.batch import check_lines
from service.disclosure.model import LANGUAGES


@click.command("check-posts")
@click.argument("source", metavar="[PATH|-]", default="-", type=click.File("r", encoding="utf-8"))
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Language of the findings.")
def check_posts_command(source: TextIO, lang: str) -> None:
    """Check posts (JSON Lines, disclosure-rules §12) and print one JSON line per post.

    A malformed line is reported on stderr with its line number; the other lines are still checked and the
    exit status is 1 at the end.
    """
    bad_lines = 0
    for outcome in check_lines(source, lang=lang):
        if outcome.result is not None:
            click.echo(json.dumps(outcome.result.as_dict(), ensure_ascii=False))
        else:
            bad_lines += 1
            click.echo(f"line {outcome.line_number}: {outcome.problem}", err=True)
    if bad_lines:
        click.echo(f"{bad_lines} line(s) could not be checked", err=True)
        raise click.exceptions.Exit(1)
