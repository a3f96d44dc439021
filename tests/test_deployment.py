"""The production setup: compose.yaml, the Dockerfile and gunicorn.conf.py.

Docker cannot run on the test machines, so compose.yaml is checked as data (its services, the
probes, and that its production environment passes the app's own configuration check), and the
web process is started under gunicorn with gunicorn.conf.py against the test database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.config import load_config
from tests import conftest

ROOT = Path(__file__).resolve().parent.parent
# What an operator would put in .env for compose.yaml's required variables.
OPERATOR_ENV = {
    "SECRET_KEY": "x" * 48,
    "BASE_URL": "https://fairpact.example.com",
    "POSTGRES_PASSWORD": "pg-secret",
    "OWNER_DB_PASSWORD": "owner-secret",
    "APP_DB_PASSWORD": "app-secret",
    "MAIL_SERVER": "smtp.example.com",
}
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?::(?P<op>[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} substitution."""

    def replace(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op == "?":
            raise KeyError(f"compose would refuse to start: {arg}")
        return arg or ""

    return _VARIABLE.sub(replace, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _environment(service: dict[str, Any]) -> dict[str, str]:
    return {key: _interpolate(str(value), OPERATOR_ENV) for key, value in service["environment"].items()}


def _command(service: dict[str, Any]) -> str:
    return " ".join(service["command"])


def test_compose_runs_postgres_redis_a_migration_web_and_worker(compose):
    services = compose["services"]

    assert set(services) >= {"postgres", "redis", "migrate", "web", "worker"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert _command(services["migrate"]) == "flask --app wsgi db upgrade"
    assert _command(services["web"]) == "gunicorn -c gunicorn.conf.py wsgi:app"
    assert _command(services["worker"]) == "fairpact worker"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_web_healthcheck_asks_for_readiness(compose):
    probe = " ".join(compose["services"]["web"]["healthcheck"]["test"])

    assert "/readyz" in probe
    assert "/healthz" in (ROOT / "Dockerfile").read_text()


@pytest.mark.parametrize("name", ["migrate", "web", "worker"])
def test_each_app_service_gets_a_production_config_the_app_accepts(compose, name):
    env = _environment(compose["services"][name])

    config = load_config(env)

    assert config["FAIRPACT_ENV"] == "production"
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["REDIS_URL"] == "redis://redis:6379/0"
    assert config["MAIL_BACKEND"] == "smtp"


def test_only_migrations_connect_as_the_table_owner(compose):
    services = compose["services"]

    assert "//fairpact_owner:" in _environment(services["migrate"])["DATABASE_URL"]
    for name in ("web", "worker"):
        assert "//fairpact_app:" in _environment(services[name])["DATABASE_URL"]
    roles = compose["configs"]["postgres-roles"]["content"]
    assert re.search(r"CREATE ROLE fairpact_app .*NOSUPERUSER NOBYPASSRLS", roles)


def test_compose_refuses_to_start_without_a_secret_key(compose):
    with pytest.raises(KeyError, match="SECRET_KEY"):
        _interpolate(compose["services"]["web"]["environment"]["SECRET_KEY"], {})


def test_the_image_installs_the_pdf_libraries_the_makefile_installs():
    makefile = (ROOT / "Makefile").read_text()
    packages = re.search(r"^PDF_PACKAGES := (.+)$", makefile, re.MULTILINE)
    assert packages is not None

    dockerfile = (ROOT / "Dockerfile").read_text()

    assert all(package in dockerfile for package in packages[1].split())
    assert dockerfile.startswith("#") and "FROM python:3.11-slim-bookworm" in dockerfile


def _wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 20) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local http URL)
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_gunicorn_serves_the_app_with_the_shipped_config(app, database_url, mailbox):
    port = conftest.free_port()
    env = {
        **os.environ,
        **conftest.test_env(database_url, mailbox.port),
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port} --workers 1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/healthz", process) == 200
        assert _wait_for(f"http://127.0.0.1:{port}/readyz", process) == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
