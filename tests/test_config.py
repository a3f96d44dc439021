"""Configuration comes only from the environment and is checked at start, all problems at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

from service.config import ConfigError, load_config

GOOD_PRODUCTION = {
    "FAIRPACT_ENV": "production",
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://app@db/fairpact",
    "REDIS_URL": "redis://redis:6379/0",
    "BASE_URL": "https://fairpact.example",
    "MAIL_SERVER": "smtp.example",
}


def test_production_settings_load():
    config = load_config(GOOD_PRODUCTION)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db/fairpact"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["MAIL_BACKEND"] == "smtp"
    assert config["WEBHOOK_ALLOW_LOOPBACK"] is False


def test_production_lists_every_missing_setting_at_once():
    with pytest.raises(ConfigError) as caught:
        load_config({"FAIRPACT_ENV": "production"})
    text = str(caught.value)
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_URL", "MAIL_SERVER"):
        assert name in text


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("SECRET_KEY", "short", "at least 32"),
        ("DATABASE_URL", "mysql://x/y", "postgresql"),
        ("DATABASE_URL", "sqlite:///x.db", "PostgreSQL in production"),
        ("REDIS_URL", "http://redis", "redis://"),
        ("BASE_URL", "http://fairpact.example", "https://"),
        ("SESSION_COOKIE_SECURE", "maybe", "boolean"),
        ("LOGIN_LOCKOUT_ATTEMPTS", "five", "whole number"),
        ("MAX_REQUEST_BYTES", "10", "at least"),
        ("MAIL_BACKEND", "pigeon", "smtp or outbox"),
        ("FAIRPACT_ENV", "staging", "must be one of"),
        ("YOUTUBE_API_KEY", "not a key!", "not a Google API key"),
        ("YOUTUBE_API_BASE_URL", "http://googleapis.example/youtube/v3", "https://"),
    ],
)
def test_bad_values_are_named_with_what_to_fix(name, value, complaint):
    with pytest.raises(ConfigError, match=complaint) as caught:
        load_config({**GOOD_PRODUCTION, name: value})
    assert name in str(caught.value)


def test_a_bad_credential_is_named_but_its_value_never_shown():
    with pytest.raises(ConfigError) as caught:
        load_config({**GOOD_PRODUCTION, "YOUTUBE_API_KEY": "AIza secret value with spaces"})
    assert "YOUTUBE_API_KEY" in str(caught.value)
    assert "secret value" not in str(caught.value)


def test_development_defaults_need_no_settings(tmp_path):
    config = load_config({"FAIRPACT_INSTANCE_DIR": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["REDIS_URL"] is None  # jobs run in-process
    assert config["MAIL_BACKEND"] == "outbox"
    # The generated development secret is kept, so sessions survive a restart.
    assert load_config({"FAIRPACT_INSTANCE_DIR": str(tmp_path)})["SECRET_KEY"] == config["SECRET_KEY"]


def test_the_command_line_stops_with_the_list_of_problems():
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "routes"],
        env={"FAIRPACT_ENV": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "SECRET_KEY is required in production" in result.stderr
