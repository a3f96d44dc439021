"""Configuration, read only from environment variables and validated at start.

This is the one module that reads ``os.environ``. A missing or malformed setting stops the
process with a list of every problem, so an operator fixes them in one go.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a runnable service."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Fairpact cannot start, fix these settings:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass
class _Reader:
    env: Mapping[str, str]
    problems: list[str] = field(default_factory=list)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.env.get(name, "").strip()
        return value or default

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        self.problems.append(f"{name}={raw!r} is not a boolean; use true or false")
        return default

    def integer(self, name: str, default: int, minimum: int = 0) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name}={raw!r} is not a whole number")
            return default
        if value < minimum:
            self.problems.append(f"{name} must be at least {minimum}, got {value}")
        return value


def _test_only(read: _Reader, environment: str, name: str) -> str | None:
    """A setting only the test suite may use (pause points, a fake Stripe): refused anywhere else."""
    value = read.text(name)
    if value is not None and environment != "test":
        read.problems.append(f"{name} is for the test suite only (FAIRPACT_ENV=test)")
        return None
    return value


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_dir: Path) -> str:
    """A development secret that survives restarts, so demo sessions stay valid."""
    path = instance_dir / "dev-secret-key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _billing_settings(read: _Reader) -> dict[str, Any]:
    """Stripe billing: on only when STRIPE_SECRET_KEY is set; without it every tenant has an unlimited plan."""
    secret_key = read.text("STRIPE_SECRET_KEY")
    webhook_secret = read.text("STRIPE_WEBHOOK_SECRET")
    if secret_key is not None and not secret_key.startswith(("sk_", "rk_")):
        read.problems.append("STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_... or rk_...)")
    if secret_key is not None and webhook_secret is None:
        read.problems.append("STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (the whsec_... of the endpoint)")
    if webhook_secret is not None and not webhook_secret.startswith("whsec_"):
        read.problems.append("STRIPE_WEBHOOK_SECRET must be a webhook signing secret (whsec_...)")
    plans_file = Path(read.text("BILLING_PLANS_FILE", str(PROJECT_ROOT / "service" / "billing" / "plans.yaml")) or "")
    if secret_key is not None and not plans_file.is_file():
        read.problems.append(f"BILLING_PLANS_FILE={str(plans_file)!r} is not a readable file")
    return {
        "BILLING_ENABLED": secret_key is not None,
        "STRIPE_SECRET_KEY": secret_key,
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        # Seconds a signed webhook may be old before it is refused as a replay (Stripe's default is 300).
        "STRIPE_WEBHOOK_TOLERANCE_SECONDS": read.integer("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1),
        "BILLING_PLANS_FILE": str(plans_file),
        # Days a past-due tenant keeps working before the account becomes read-only.
        "BILLING_GRACE_DAYS": read.integer("BILLING_GRACE_DAYS", 7, minimum=0),
        "BILLING_AUTOMATIC_TAX": read.boolean("BILLING_AUTOMATIC_TAX", True),
        "BILLING_TAX_ID_COLLECTION": read.boolean("BILLING_TAX_ID_COLLECTION", True),
        # A Customer Portal configuration (bpc_...); empty: the account's default configuration.
        "BILLING_PORTAL_CONFIGURATION": read.text("BILLING_PORTAL_CONFIGURATION"),
    }


def _document_settings(read: _Reader, instance_dir: Path) -> dict[str, Any]:
    """Contract documents: where PDFs are stored (local disk or an S3-compatible bucket) and the seal's key material.

    Without SEAL_CERT_PATH/SEAL_KEY_PATH, development and test create a self-signed seal in the instance folder;
    production then refuses to seal with a clear error (configure a real certificate).
    """
    backend = read.text("STORAGE_BACKEND", "local")
    if backend not in ("local", "s3"):
        read.problems.append(f"STORAGE_BACKEND={backend!r} must be local or s3")
    bucket = read.text("S3_BUCKET")
    if backend == "s3" and bucket is None:
        read.problems.append("S3_BUCKET is required when STORAGE_BACKEND=s3")
    endpoint = read.text("S3_ENDPOINT_URL")
    if endpoint is not None and urlparse(endpoint).scheme not in ("http", "https"):
        read.problems.append(f"S3_ENDPOINT_URL must be an http(s):// URL, got {endpoint!r}")
    access_key, secret_key = read.text("S3_ACCESS_KEY_ID"), read.text("S3_SECRET_ACCESS_KEY")
    if (access_key is None) != (secret_key is None):
        read.problems.append("set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (instance credentials)")
    addressing = read.text("S3_ADDRESSING_STYLE", "auto")
    if addressing not in ("auto", "path", "virtual"):
        read.problems.append(f"S3_ADDRESSING_STYLE={addressing!r} must be auto, path or virtual")
    seal_cert, seal_key = read.text("SEAL_CERT_PATH"), read.text("SEAL_KEY_PATH")
    if (seal_cert is None) != (seal_key is None):
        read.problems.append("set both SEAL_CERT_PATH and SEAL_KEY_PATH (PEM files), or neither in development")
    extra_certs = [item.strip() for item in (read.text("SEAL_EXTRA_TRUSTED_CERTS") or "").split(",") if item.strip()]
    for path in [p for p in (seal_cert, seal_key, *extra_certs) if p is not None]:
        if not Path(path).is_file():
            read.problems.append(f"{path!r} (seal certificate or key) is not a readable file")
    return {
        "STORAGE_BACKEND": backend,
        "STORAGE_DIR": read.text("STORAGE_DIR", str(instance_dir / "documents")),
        "S3_BUCKET": bucket,
        "S3_PREFIX": read.text("S3_PREFIX", ""),
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": read.text("S3_REGION", "us-east-1"),
        "S3_ACCESS_KEY_ID": access_key,
        "S3_SECRET_ACCESS_KEY": secret_key,
        "S3_ADDRESSING_STYLE": addressing,
        "SEAL_CERT_PATH": seal_cert,
        "SEAL_KEY_PATH": seal_key,
        "SEAL_KEY_PASSWORD": read.text("SEAL_KEY_PASSWORD"),
        # Certificates of earlier seals that verification still accepts after the seal key was rotated.
        "SEAL_EXTRA_TRUSTED_CERTS": tuple(extra_certs),
    }


def _contract_settings(read: _Reader) -> dict[str, Any]:
    """Contract signing: how long links work, when reminders go out, who hears of a failed seal."""
    operator = read.text("OPERATOR_EMAIL")
    if operator is not None and "@" not in operator:
        read.problems.append(f"OPERATOR_EMAIL={operator!r} is not an email address")
    return {
        # Told by email (besides the error log) when a contract cannot be sealed after every retry.
        "OPERATOR_EMAIL": operator,
        "SIGNING_LINK_TTL_DAYS": read.integer("SIGNING_LINK_TTL_DAYS", 14, minimum=1),
        "DOWNLOAD_LINK_TTL_DAYS": read.integer("DOWNLOAD_LINK_TTL_DAYS", 30, minimum=1),
        "SIGNING_REMINDER_DAYS": read.integer("SIGNING_REMINDER_DAYS", 3, minimum=1),
        "SIGNING_MAX_REMINDERS": read.integer("SIGNING_MAX_REMINDERS", 3, minimum=0),
        # Largest PDF the public verification page accepts.
        "VERIFY_MAX_BYTES": read.integer("VERIFY_MAX_BYTES", 10 * 1024 * 1024, minimum=1024),
    }


def _connector_settings(read: _Reader, production: bool) -> dict[str, Any]:
    """Platform API connectors (service/disclosure/fetchers): each is used only when its credentials are set.

    A problem message names the setting, never its value: credentials must not reach a log.
    """
    youtube_key = read.text("YOUTUBE_API_KEY")
    if youtube_key is not None and not re.fullmatch(r"[A-Za-z0-9_-]{20,100}", youtube_key):
        read.problems.append("YOUTUBE_API_KEY is not a Google API key (20 to 100 letters, digits, - or _)")
    youtube_base = read.text("YOUTUBE_API_BASE_URL", "https://www.googleapis.com/youtube/v3") or ""
    scheme = urlparse(youtube_base).scheme
    if scheme not in ("http", "https") or (production and scheme != "https"):
        read.problems.append(f"YOUTUBE_API_BASE_URL={youtube_base!r} must be an https:// URL")
    return {"YOUTUBE_API_KEY": youtube_key, "YOUTUBE_API_BASE_URL": youtube_base.rstrip("/")}


def load_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment, raising ConfigError on bad values."""
    read = _Reader(os.environ if env is None else env)
    environment = read.text("FAIRPACT_ENV", "development") or "development"
    if environment not in ENVIRONMENTS:
        read.problems.append(f"FAIRPACT_ENV={environment!r} must be one of {', '.join(ENVIRONMENTS)}")
        environment = "production"
    production = environment == "production"
    instance_dir = Path(read.text("FAIRPACT_INSTANCE_DIR", str(PROJECT_ROOT / "instance")) or "instance")

    secret_key = read.text("SECRET_KEY")
    if secret_key is None and not production:
        secret_key = _instance_secret(instance_dir)
    if secret_key is None:
        read.problems.append("SECRET_KEY is required in production (at least 32 random characters)")
    elif len(secret_key) < 32:
        read.problems.append("SECRET_KEY must be at least 32 characters long")

    database_url = read.text("DATABASE_URL")
    if database_url is None and production:
        read.problems.append("DATABASE_URL is required in production (postgresql://user@host/db)")
    database_url = _normalise_database_url(database_url or f"sqlite:///{instance_dir / 'fairpact.db'}")
    scheme = urlparse(database_url).scheme
    if not scheme.startswith(("postgresql", "sqlite")):
        read.problems.append(f"DATABASE_URL must be a postgresql:// or sqlite:// URL, got scheme {scheme!r}")
    if production and scheme.startswith("sqlite"):
        read.problems.append("DATABASE_URL must point to PostgreSQL in production; SQLite is for the local demo")

    redis_url = read.text("REDIS_URL")
    if redis_url is None and production:
        read.problems.append("REDIS_URL is required in production (redis://host:6379/0)")
    if redis_url is not None and urlparse(redis_url).scheme not in ("redis", "rediss", "unix"):
        read.problems.append(f"REDIS_URL must be a redis:// or rediss:// URL, got {redis_url!r}")

    base_url = (read.text("BASE_URL", "http://127.0.0.1:5000") or "").rstrip("/")
    if production and not base_url.startswith("https://"):
        read.problems.append("BASE_URL must be an https:// URL in production (links in emails use it)")

    mail_backend = read.text("MAIL_BACKEND", "smtp" if production else "outbox")
    if mail_backend not in ("smtp", "outbox"):
        read.problems.append(f"MAIL_BACKEND={mail_backend!r} must be smtp or outbox")
    if mail_backend == "smtp" and read.text("MAIL_SERVER") is None:
        read.problems.append("MAIL_SERVER is required when MAIL_BACKEND=smtp")

    config: dict[str, Any] = {
        "FAIRPACT_ENV": environment,
        "TESTING": environment == "test",
        "SECRET_KEY": secret_key,
        "INSTANCE_DIR": str(instance_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        # Seconds between a worker's heartbeats while a job runs; a job whose worker missed two is taken as
        # abandoned (its worker died) and the reconciler queues it again.
        "WORKER_HEARTBEAT_SECONDS": read.integer("WORKER_HEARTBEAT_SECONDS", 30, minimum=1),
        # Pending work younger than this is left to the job queued with it; older work without a live job
        # is queued again by the reconciler.
        "RECONCILE_GRACE_SECONDS": read.integer("RECONCILE_GRACE_SECONDS", 60, minimum=0),
        "FAULT_PAUSE_DIR": _test_only(read, environment, "FAULT_PAUSE_DIR"),
        # Tests only: the fake Stripe of the fault tests answers on 127.0.0.1 for worker processes.
        "STRIPE_API_BASE": _test_only(read, environment, "STRIPE_API_BASE"),
        "BASE_URL": base_url,
        # Sessions: signed cookie, HTTPS-only outside local development, not readable by scripts.
        "SESSION_COOKIE_SECURE": read.boolean("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": read.integer("SESSION_LIFETIME_SECONDS", 12 * 3600, minimum=300),
        # How many reverse proxies (load balancer, ingress) stand in front of gunicorn; 0 = none.
        "PROXY_FIX_HOPS": read.integer("PROXY_FIX_HOPS", 0, minimum=0),
        "MAX_CONTENT_LENGTH": read.integer("MAX_REQUEST_BYTES", 1024 * 1024, minimum=1024),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "RATELIMIT_STORAGE_URI": read.text("RATELIMIT_STORAGE_URI", redis_url or "memory://"),
        "RATELIMIT_ENABLED": read.boolean("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": read.text("LOGIN_RATE_LIMIT", "10 per minute"),
        "LOGIN_LOCKOUT_ATTEMPTS": read.integer("LOGIN_LOCKOUT_ATTEMPTS", 5, minimum=1),
        "LOGIN_LOCKOUT_SECONDS": read.integer("LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1),
        "MAGIC_LINK_TTL_SECONDS": read.integer("MAGIC_LINK_TTL_SECONDS", 15 * 60, minimum=60),
        "INVITATION_TTL_SECONDS": read.integer("INVITATION_TTL_SECONDS", 7 * 24 * 3600, minimum=3600),
        "API_KEY_DEFAULT_TTL_DAYS": read.integer("API_KEY_DEFAULT_TTL_DAYS", 365, minimum=1),
        "IDEMPOTENCY_TTL_SECONDS": read.integer("IDEMPOTENCY_TTL_SECONDS", 24 * 3600, minimum=60),
        "PASSWORD_HASH_PROFILE": read.text("PASSWORD_HASH_PROFILE", "fast" if environment == "test" else "standard"),
        "MAIL_BACKEND": mail_backend,
        "MAIL_SERVER": read.text("MAIL_SERVER"),
        "MAIL_PORT": read.integer("MAIL_PORT", 587, minimum=1),
        "MAIL_USE_STARTTLS": read.boolean("MAIL_USE_STARTTLS", production),
        "MAIL_USERNAME": read.text("MAIL_USERNAME"),
        "MAIL_PASSWORD": read.text("MAIL_PASSWORD"),
        "MAIL_FROM": read.text("MAIL_FROM", "Fairpact <no-reply@fairpact.example>"),
        "MAIL_OUTBOX_DIR": str(instance_dir / "outbox"),
        # Only the test suite turns this on: its webhook receiver listens on 127.0.0.1.
        "WEBHOOK_ALLOW_LOOPBACK": read.boolean("WEBHOOK_ALLOW_LOOPBACK", False),
        "WEBHOOK_TIMEOUT_SECONDS": read.integer("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1),
        # Any outgoing request to a tenant-chosen URL (webhooks, post fetchers); the old name still works.
        "OUTBOUND_ALLOW_LOOPBACK": read.boolean("OUTBOUND_ALLOW_LOOPBACK", False)
        or read.boolean("WEBHOOK_ALLOW_LOOPBACK", False),
        # Fetching a post by URL (service/disclosure/fetchers): whole-request time, page size, redirects.
        "POST_FETCH_TIMEOUT_SECONDS": read.integer("POST_FETCH_TIMEOUT_SECONDS", 10, minimum=1),
        "POST_FETCH_MAX_BYTES": read.integer("POST_FETCH_MAX_BYTES", 2 * 1024 * 1024, minimum=1024),
        "POST_FETCH_MAX_REDIRECTS": read.integer("POST_FETCH_MAX_REDIRECTS", 3, minimum=0),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "service" / "translations"),
        "LANGUAGES": ("en", "de"),
        # flask-smorest: the OpenAPI document and its docs page live under the API prefix.
        "API_TITLE": "Fairpact API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
        **_billing_settings(read),
        **_document_settings(read, instance_dir),
        **_contract_settings(read),
        **_connector_settings(read, production),
    }
    if read.problems:
        raise ConfigError(read.problems)
    return config
