"""Command-line entry points: ``fairpact <command>`` or ``flask --app wsgi <command>``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from service.config import ConfigError
from service.contracts.cli import lint_terms_command
from service.disclosure.cli import check_posts_command
from service.documents.cli import dev_certificate_command


def _create_app() -> Flask:
    from service.app import create_app

    try:
        return create_app()
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Fairpact: fair influencer agreements and tracked advertising disclosure."""


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty (for scripts and tests).")
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Run an RQ worker with its scheduler and the periodic jobs."""
    from workers.runner import run_worker

    run_worker(list(queues) or None, burst=burst)


@click.command("reconcile")
@click.option(
    "--grace",
    type=click.IntRange(min=0),
    default=None,
    help="Seconds pending work may wait for its own job first (default: RECONCILE_GRACE_SECONDS).",
)
def reconcile_command(grace: int | None) -> None:
    """Queue again the work the database says is pending and Redis lost (after a flush or a crash)."""
    import json

    from service.extensions import db
    from workers.reconcile import reconcile

    try:
        summary = reconcile(grace_seconds=grace)
        db.session.commit()
    finally:
        db.session.remove()
    click.echo(json.dumps(summary, sort_keys=True))


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the demo tenants, users and creators (safe to run again) and print the logins."""
    from service.demo import print_logins, seed_demo

    seed_demo()
    print_logins()


def register_commands(app: Flask) -> None:
    for command in (worker_command, reconcile_command, seed_demo_command):
        app.cli.add_command(command)
    app.cli.add_command(lint_terms_command)
    app.cli.add_command(dev_certificate_command)
    app.cli.add_command(check_posts_command)


if __name__ == "__main__":
    main()
