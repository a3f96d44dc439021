"""Shared fixtures: a real PostgreSQL schema (migrated once), real Redis, a real SMTP server.

The app connects as ``fairpact_test``, an ordinary role that owns its schema: with FORCE ROW LEVEL
SECURITY the policies bind it, so the tests exercise the database wall as production does.
Every test commits for real; afterwards its rows are truncated and its Redis database flushed.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask
from redis import Redis
from rq import SimpleWorker

from tests.support.mailbox import Mailbox, start_smtp_server

ADMIN_DATABASE_URL = os.environ.get("TEST_DATABASE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
APP_ROLE = os.environ.get("TEST_DATABASE_ROLE", "fairpact_test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Role, Redis database and instance folder can be changed so that two checkouts can run their suites at once.
INSTANCE_DIR = os.environ.get("TEST_INSTANCE_DIR", f"/tmp/fairpact-test-instance-{APP_ROLE}")
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


def _require_services() -> None:
    problems = []
    try:
        psycopg.connect(ADMIN_DATABASE_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL at {ADMIN_DATABASE_URL} is not reachable: {exc}".strip())
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        problems.append(f"Redis at {REDIS_URL} is not reachable: {exc}")
    if problems:
        pytest.exit("The tests need the local services:\n  " + "\n  ".join(problems), returncode=3)


def _prepare_schema() -> str:
    """A fresh schema owned by the app role; its search_path ("$user") finds it automatically."""
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone()
        if not exists:
            conn.execute(f'CREATE ROLE "{APP_ROLE}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE')
        conn.execute(f'DROP SCHEMA IF EXISTS "{APP_ROLE}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{APP_ROLE}" AUTHORIZATION "{APP_ROLE}"')
        dbname, host, port = conn.info.dbname, conn.info.host, conn.info.port
    return f"postgresql+psycopg://{APP_ROLE}@{host}:{port}/{dbname}"


def test_env(database_url: str, smtp_port: int, **extra: str) -> dict[str, str]:
    return {
        "FAIRPACT_ENV": "test",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "BASE_URL": "http://fairpact.test",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_USE_STARTTLS": "false",
        "WEBHOOK_ALLOW_LOOPBACK": "true",
        "RATELIMIT_STORAGE_URI": "memory://",
        "FAIRPACT_INSTANCE_DIR": INSTANCE_DIR,
        **extra,
    }


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """Compile the .po catalogues (as `make` does), so a bare `pytest` run sees German too."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).resolve().parent.parent.glob("service/translations/*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box, stop = start_smtp_server()
    yield box
    stop()


@pytest.fixture(scope="session")
def database_url() -> str:
    _require_services()
    return _prepare_schema()


@pytest.fixture(scope="session")
def app(database_url: str, mailbox: Mailbox) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from service.app import create_app

    app = create_app(env=test_env(database_url, mailbox.port))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        from service.extensions import db

        db.engine.dispose()


@pytest.fixture
def make_app(database_url: str, mailbox: Mailbox):  # type: ignore[no-untyped-def]
    """Build another app on the same schema with some settings changed; its connections close afterwards."""
    from service.app import create_app
    from service.extensions import db

    built: list[Flask] = []

    def build(drop: tuple[str, ...] = (), **overrides: str) -> Flask:
        env = test_env(database_url, mailbox.port, **overrides)
        for name in drop:
            env.pop(name, None)
        built.append(create_app(env=env))
        return built[-1]

    yield build
    for extra in built:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    Redis.from_url(REDIS_URL).flushdb()
    if not {"app", "database_url", "mailbox"} & set(request.fixturenames):
        return
    app: Flask = request.getfixturevalue("app")
    from service.extensions import db, limiter

    with app.app_context():
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} CASCADE")
        limiter.reset()
    mailbox: Mailbox = request.getfixturevalue("mailbox")
    mailbox.clear()


@pytest.fixture
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


class Seeder:
    """Calls the factories in tests/factories.py, each inside its own app context and session."""

    def __init__(self, app: Flask):
        self._app = app

    def __getattr__(self, name: str) -> Any:
        from tests import factories

        factory = getattr(factories, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._app.app_context():
                return factory(*args, **kwargs)

        return call


@pytest.fixture
def seed(app: Flask) -> Seeder:
    return Seeder(app)


@pytest.fixture
def client(app: Flask) -> Any:
    return app.test_client()


@pytest.fixture
def redis() -> Redis:
    return Redis.from_url(REDIS_URL)


class CountingWorker(SimpleWorker):
    """RQ's in-process worker (no fork, shares the test's app), counting the jobs it executes."""

    executed = 0

    def execute_job(self, job, queue):  # type: ignore[no-untyped-def]
        self.executed += 1
        return super().execute_job(job, queue)


@pytest.fixture
def run_jobs(app: Flask, redis: Redis):  # type: ignore[no-untyped-def]
    """Run every queued job through a real RQ worker until the queues are empty; return how many ran."""
    from rq import Queue

    from workers.kinds import QUEUES

    def run(with_scheduler: bool = False, max_jobs: int | None = None) -> int:
        """``max_jobs`` stops early, to look at a state between jobs (a bulk check half done)."""
        worker = CountingWorker([Queue(q, connection=redis) for q in QUEUES], connection=redis)
        with app.app_context():
            worker.work(burst=True, with_scheduler=with_scheduler, logging_level="WARNING", max_jobs=max_jobs)
        return worker.executed

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


__all__ = ["free_port", "test_env", "threading"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright keeps an event loop running in the main thread until the session ends."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
