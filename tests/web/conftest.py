"""Fixtures of the web page tests: the compiled German catalogue, and a second app in development mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import test_env
from tests.support.mailbox import Mailbox
from tests.web.catalogue import compile_catalogue


@pytest.fixture(scope="session", autouse=True)
def german_catalogue() -> None:
    compile_catalogue()


@pytest.fixture
def development_app(database_url: str, mailbox: Mailbox, tmp_path: Path) -> Iterator[Flask]:
    """The app as ``make run`` configures it: development, emails written to an outbox folder."""
    from service.app import create_app
    from service.extensions import db

    env = test_env(
        database_url,
        mailbox.port,
        FAIRPACT_ENV="development",
        MAIL_BACKEND="outbox",
        FAIRPACT_INSTANCE_DIR=str(tmp_path),
    )
    app = create_app(env=env)
    yield app
    with app.app_context():
        db.engine.dispose()
