"""What every benchmark shares: the timing helper, its own database schema and Redis database, the app, results.

The machines are shared and noisy, so absolute times wander; each benchmark measures a baseline in the
same run, interleaved with what it measures where it can, and the ratio is the number to compare.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
ADMIN_URL = os.environ.get("BENCH_DATABASE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 (a throwaway schema)


# --- timing --------------------------------------------------------------------------------------


@dataclass
class Timing:
    median_ms: float
    p10_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    samples: int

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ms = sorted(s * 1000 for s in seconds)
        centiles = statistics.quantiles(ms, n=100, method="inclusive")
        return cls(
            round(statistics.median(ms), 3),
            round(centiles[9], 3),
            round(centiles[89], 3),
            round(centiles[94], 3),
            round(centiles[98], 3),
            len(ms),
        )


def interleaved(
    measured: Callable[[], Any], baseline: Callable[[], Any], rounds: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Alternate the two (and which goes first), so drift on a busy machine hits both alike."""
    for _ in range(warmup):
        measured()
        baseline()
    times: dict[str, list[float]] = {"measured": [], "baseline": []}
    for n in range(rounds):
        order = [("measured", measured), ("baseline", baseline)]
        for name, func in order if n % 2 == 0 else reversed(order):
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return times["measured"], times["baseline"]


def count_round_trips(engine: Any, call: Callable[[], Any]) -> int:
    """How many times ``call`` waits for PostgreSQL: the ReadyForQuery messages in libpq's protocol trace.

    Every statement, BEGIN, COMMIT and pool ping ends with one, so this is the number of round trips.
    The pool is emptied first so the traced connection is a fresh one; one untimed call opens it.
    """
    import tempfile

    from psycopg import pq
    from sqlalchemy import event

    engine.dispose()
    with tempfile.TemporaryFile(mode="w+") as trace:

        def start_tracing(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

        event.listen(engine, "connect", start_tracing)
        try:
            call()
            trace.seek(0, os.SEEK_END)
            start = trace.tell()
            call()
            trace.seek(start)
            return _ready_for_query(trace.read())
        finally:
            event.remove(engine, "connect", start_tracing)
            engine.dispose()


def count_raw_round_trips(connection: psycopg.Connection[Any], call: Callable[[], Any]) -> int:
    """The same count for a plain psycopg connection (the raw baselines)."""
    import tempfile

    from psycopg import pq

    with tempfile.TemporaryFile(mode="w+") as trace:
        connection.pgconn.trace(trace.fileno())
        connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            call()
        finally:
            connection.pgconn.untrace()
        trace.seek(0)
        return _ready_for_query(trace.read())


def _ready_for_query(trace: str) -> int:
    return sum(1 for line in trace.splitlines() if line.startswith("B\t") and "\tReadyForQuery\t" in line)


# --- an own schema for each benchmark ------------------------------------------------------------


def prepare_schema(role: str) -> str:
    """A fresh schema owned by an ordinary role (no superuser, no BYPASSRLS), like production's app role.

    Returns the role's plain ``postgresql://`` URL; the schema has the role's name, so it is the role's
    search path without any setting.
    """
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
            conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE')
        conn.execute(f'DROP SCHEMA IF EXISTS "{role}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{role}" AUTHORIZATION "{role}"')
        host, port, dbname = conn.info.host, conn.info.port, conn.info.dbname
    return f"postgresql://{role}@{host}:{port}/{dbname}"


def drop_schema(role: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{role}" CASCADE')


def sqlalchemy_url(database_url: str) -> str:
    return database_url.replace("postgresql://", "postgresql+psycopg://", 1)


def app_env(database_url: str, redis_url: str, instance_dir: str) -> dict[str, str]:
    """The app's settings for a benchmark: its own schema and Redis database, mail into the outbox."""
    return {
        "FAIRPACT_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": sqlalchemy_url(database_url),
        "REDIS_URL": redis_url,
        "MAIL_BACKEND": "outbox",
        "FAIRPACT_INSTANCE_DIR": instance_dir,
    }


def build_app(env: dict[str, str]) -> Any:
    """The real app on the benchmark's schema, migrated to the head revision."""
    from flask_migrate import upgrade

    from service.app import create_app

    app = create_app(env=env)
    with app.app_context():
        upgrade()
    return app


def issue_key(app: Any, tenant_id: Any, role: Any = None) -> str:
    """A viewer API key of ``tenant_id`` (the way an integration reads data)."""
    from service.api_keys.operations import issue_api_key
    from service.extensions import db
    from tenants.access import Principal, PrincipalKind
    from tenants.context import tenant_scope
    from tenants.roles import Role

    actor = Principal(kind=PrincipalKind.SYSTEM, id=None, label="bench", tenant_id=tenant_id, role=Role.OWNER)
    with app.app_context():
        with tenant_scope(tenant_id):
            secret = issue_api_key("bench", role or Role.VIEWER, actor=actor).secret
            db.session.flush()  # inside the scope, so the key's audit event gets this tenant
        db.session.commit()
    return secret


# --- results -------------------------------------------------------------------------------------


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}


def write_result(prefix: str, payload: dict[str, Any]) -> Path:
    """``bench/results/<prefix>-<stamp>.json``; the summary table reads the newest file of each prefix."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{prefix}-{stamp()}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def shown(path: Path) -> str:
    return str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
