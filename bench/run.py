"""``make bench``: what the tenancy and job layers cost, as ratios against raw baselines.

Two measurements, each against a baseline measured in the same run, interleaved sample by sample
(the machines are shared and noisy, so absolute times wander; the ratio is what to compare):

1. clients list: ``GET /api/v1/clients?per_page=100`` through the Flask test client, for a tenant
   with 1,000 clients among 10 such tenants, against the same two SQL statements (count and page)
   sent with psycopg directly and dumped with ``json``. A middle row times the ORM query with
   tenant scoping and the marshmallow dump, without HTTP, API key check or Flask.
2. job dispatch: ``defer()`` of N jobs, one commit that hands them to RQ, against N plain
   ``Queue.enqueue`` calls on the same Redis.

It uses its own PostgreSQL role and schema (BENCH_DATABASE_ROLE, default fairpact_bench_run) and its
own Redis database (BENCH_REDIS_URL, default db 11), never the tests' ones, and drops both at the end.
Results are printed as a table and written as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import psycopg
from flask import Flask
from redis import Redis
from rq import Queue
from sqlalchemy import insert

from bench.common import (
    Timing,
    app_env,
    build_app,
    count_raw_round_trips,
    count_round_trips,
    drop_schema,
    interleaved,
    issue_key,
    machine,
    prepare_schema,
    shown,
    write_result,
)

ROLE = os.environ.get("BENCH_DATABASE_ROLE", "fairpact_bench_run")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")

TENANTS = 10
CLIENTS_PER_TENANT = 1000
PAGE_SIZE = 100
JOB_KIND = "emails.send"


@dataclass
class Result:
    name: str
    what: str
    measured: Timing
    baseline: Timing
    round_trips: int | None = None  # to PostgreSQL, per call of the measured and of the baseline
    baseline_round_trips: int | None = None

    @property
    def ratio(self) -> float:
        return round(self.measured.median_ms / self.baseline.median_ms, 2)


# --- the database and app under test -------------------------------------------------------------


def seed_tenants(app: Flask) -> tuple[uuid.UUID, str]:
    """TENANTS agencies with CLIENTS_PER_TENANT clients each; returns the measured tenant and a viewer key."""
    from service.accounts.models import User
    from service.extensions import db
    from tenants.context import tenant_scope
    from tenants.models import Client, TenantKind
    from tenants.operations import create_tenant

    with app.app_context():
        tenant_ids = []
        for n in range(TENANTS):
            owner = User(email=f"owner{n}@bench.example", name=f"Owner {n}")
            db.session.add(owner)
            tenant = create_tenant(f"Bench Agency {n}", TenantKind.AGENCY, owner)
            rows = [{"tenant_id": tenant.id, "name": f"Client {n}-{i:04d}"} for i in range(CLIENTS_PER_TENANT)]
            with tenant_scope(tenant.id):
                db.session.execute(insert(Client), rows)
            tenant_ids.append(tenant.id)
        db.session.commit()
    measured = tenant_ids[TENANTS // 2]  # in the middle, so neither end of an index is favoured
    return measured, issue_key(app, measured)


# --- 1. the tenant-scoped list endpoint ----------------------------------------------------------

RAW_COUNT = "SELECT count(*) FROM clients WHERE tenant_id = %s"
RAW_PAGE = "SELECT id, name, archived, created_at FROM clients WHERE tenant_id = %s ORDER BY name, id LIMIT %s OFFSET 0"


def raw_list(conn: psycopg.Connection[Any], tenant_id: uuid.UUID) -> dict[str, Any]:
    """The same statements without Flask, the ORM or the scoping hooks; RLS still needs the tenant setting."""
    with conn.transaction():
        conn.execute("SELECT set_config('fairpact.tenant_id', %s, true)", (str(tenant_id),))
        row = conn.execute(RAW_COUNT, (tenant_id,)).fetchone()
        rows = conn.execute(RAW_PAGE, (tenant_id, PAGE_SIZE)).fetchall()
    items = [{"id": str(r[0]), "name": r[1], "archived": r[2], "created_at": r[3].isoformat()} for r in rows]
    return json.loads(json.dumps({"items": items, "page": 1, "per_page": PAGE_SIZE, "total": row[0] if row else 0}))


def orm_list(app: Flask, tenant_id: uuid.UUID) -> dict[str, Any]:
    from service.api import page_of, paginate
    from service.extensions import db
    from service.tenancy.schemas import ClientOut
    from tenants.access import Principal, PrincipalKind
    from tenants.context import tenant_scope
    from tenants.operations import visible_clients_query
    from tenants.roles import Role

    principal = Principal(kind=PrincipalKind.API_KEY, id=None, label="bench", tenant_id=tenant_id, role=Role.VIEWER)
    with app.app_context(), tenant_scope(tenant_id):
        page = paginate(visible_clients_query(principal), page=1, per_page=PAGE_SIZE)
        body = page_of(ClientOut)().dump(page)
        db.session.commit()
    return json.loads(json.dumps(body))


def bench_clients_list(app: Flask, database_url: str, rounds: int) -> list[Result]:
    tenant_id, secret = seed_tenants(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}

    def endpoint() -> dict[str, Any]:
        response = client.get(f"/api/v1/clients?per_page={PAGE_SIZE}", headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/v1/clients answered {response.status_code}: {response.get_data(True)}")
        return response.get_json()

    with psycopg.connect(database_url) as conn:
        expected = raw_list(conn, tenant_id)
        # Measure the same thing three ways: check first that all three return the same page.
        for name, body in (("endpoint", endpoint()), ("ORM", orm_list(app, tenant_id))):
            if [i["id"] for i in body["items"]] != [i["id"] for i in expected["items"]] or body["total"] != 1000:
                raise RuntimeError(f"the {name} page differs from the raw SQL page")
        with app.app_context():
            from service.extensions import db

            trips = count_round_trips(db.engine, endpoint)
        raw_trips = count_raw_round_trips(conn, lambda: raw_list(conn, tenant_id))
        warmup = max(10, rounds // 10)
        ep, raw1 = interleaved(endpoint, lambda: raw_list(conn, tenant_id), rounds, warmup)
        orm, raw2 = interleaved(lambda: orm_list(app, tenant_id), lambda: raw_list(conn, tenant_id), rounds, warmup)
    what = f"{PAGE_SIZE} of {CLIENTS_PER_TENANT} clients, {TENANTS} tenants"
    return [
        Result("GET /api/v1/clients (test client)", what, Timing.of(ep), Timing.of(raw1), trips, raw_trips),
        Result("ORM + scoping + schema dump", what, Timing.of(orm), Timing.of(raw2)),
    ]


# --- 2. job dispatch -----------------------------------------------------------------------------


def bench_job_dispatch(app: Flask, jobs: int, rounds: int) -> Result:
    from service.extensions import db
    from service.jobs import defer, redis_connection
    from workers.kinds import JOB_KINDS

    kind = JOB_KINDS[JOB_KIND]
    with app.app_context():
        redis = redis_connection()
    assert redis is not None
    queue = Queue(kind.queue, connection=redis)

    def through_defer() -> None:
        ids = [str(uuid.uuid4()) for _ in range(jobs)]
        with app.app_context():
            start = time.perf_counter()
            for message_id in ids:
                defer(JOB_KIND, message_id, job_id=f"email-{message_id}")
            db.session.commit()
            timed.append(time.perf_counter() - start)
        _check_and_empty(queue, jobs)

    def plain_enqueue() -> None:
        ids = [str(uuid.uuid4()) for _ in range(jobs)]
        start = time.perf_counter()
        for message_id in ids:
            queue.enqueue(kind.path, message_id)
        timed_baseline.append(time.perf_counter() - start)
        _check_and_empty(queue, jobs)

    # Time only the dispatch itself: making ids and emptying the queue stay outside the clock.
    timed: list[float] = []
    timed_baseline: list[float] = []
    warmup = 3
    interleaved(through_defer, plain_enqueue, rounds, warmup)
    return Result(
        f"defer() x {jobs} + commit",
        f"{jobs} jobs vs {jobs} plain Queue.enqueue",
        Timing.of(timed[warmup:]),
        Timing.of(timed_baseline[warmup:]),
    )


def _check_and_empty(queue: Queue, expected: int) -> None:
    if queue.count != expected:
        raise RuntimeError(f"expected {expected} jobs on queue {queue.name}, found {queue.count}")
    queue.empty()


# --- report --------------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    header = ("benchmark", "median", "p90", "baseline median", "ratio")
    rows = [
        (
            r.name,
            f"{r.measured.median_ms:.3f} ms",
            f"{r.measured.p90_ms:.3f} ms",
            f"{r.baseline.median_ms:.3f} ms",
            f"{r.ratio:.2f}x",
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    for r in results:
        trips = f"; round trips to PostgreSQL {r.round_trips} vs {r.baseline_round_trips}" if r.round_trips else ""
        print(f"  {r.name}: {r.what}{trips}")


def machine_info(database_url: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn:
        postgres = conn.execute("SHOW server_version").fetchone()
    redis_info = Redis.from_url(REDIS_URL).info("server")
    return {**machine(), "postgres": postgres[0] if postgres else None, "redis": redis_info.get("redis_version")}


@contextmanager
def bench_environment() -> Iterator[tuple[Flask, str]]:
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    database_url = prepare_schema(ROLE)
    try:
        with tempfile.TemporaryDirectory(prefix="fairpact-bench-") as instance_dir:
            app = build_app(app_env(database_url, REDIS_URL, instance_dir))
            yield app, database_url
            with app.app_context():
                from service.extensions import db

                db.engine.dispose()
    finally:
        drop_schema(ROLE)
        redis.flushdb()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="samples of each list variant (default 300)")
    parser.add_argument("--jobs", type=int, default=100, help="jobs per dispatch batch (default 100)")
    parser.add_argument("--batches", type=int, default=30, help="dispatch batches of each variant (default 30)")
    args = parser.parse_args(argv)

    with bench_environment() as (app, database_url):
        results = bench_clients_list(app, database_url, args.requests)
        results.append(bench_job_dispatch(app, args.jobs, args.batches))
        where = machine_info(database_url)
    print_table(results)
    payload = {
        "machine": where,
        "params": vars(args),
        "results": [{**asdict(r), "ratio": r.ratio} for r in results],
    }
    print(f"\nwritten to {shown(write_result('bench', payload))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
