"""``fairpact dev-certificate``: the self-signed seal for development, so `make run` can seal contracts."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("dev-certificate")
@with_appcontext
def dev_certificate_command() -> None:
    """Create the development seal certificate in the instance folder (once) and print where it is."""
    from service.documents.sealing import ensure_dev_certificate, load_seal

    config = current_app.config
    if config["SEAL_CERT_PATH"]:
        click.echo(f"A seal certificate is configured: {config['SEAL_CERT_PATH']} (nothing to create).")
        return
    if config["FAIRPACT_ENV"] == "production":
        raise click.ClickException("Production needs a real seal: set SEAL_CERT_PATH and SEAL_KEY_PATH.")
    identity = ensure_dev_certificate(Path(config["INSTANCE_DIR"]) / "seal")
    seal = load_seal(identity)
    click.echo(f"Development seal: {seal.subject}")
    click.echo(f"  certificate: {identity.certificate_path}")
    click.echo(f"  key:         {identity.key_path}")
