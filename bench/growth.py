"""``python -m bench.growth``: does a tenant's cost follow its own page, or the size of the whole table?

Two databases (schemas) in the same run, built by the migrations and filled in SQL as the app role under
row-level security (``INSERT ... SELECT generate_series``, one transaction per tenant with its
``SET LOCAL fairpact.tenant_id``):

* small: 10,000 posts (and as many finished checks) spread over 1,000 tenants;
* large: 1,000,000 posts (and checks) spread over 1,000 tenants.

In both the measured tenant has the same 1,000 posts (the size of an average tenant of the large one), so
only the rest of the table differs. Measured, through the real app (Flask test client, API key): p95 latency
of ``GET /api/v1/disclosure/posts`` walking the tenant's pages (25 a page), and of the compliance
dashboard ``GET /api/v1/disclosure/dashboard``. Requests to the two databases alternate, so noise on the
shared machine hits both. Target: large/small p95 ratio at most 1.5.

The plan of every statement those requests send is checked with EXPLAIN on the large database: a
sequential scan of a tenant-owned table is reported (it would make the cost follow the table).

Own PostgreSQL roles/schemas (fairpact_bench_growth_small, fairpact_bench_growth_large) and Redis
database (BENCH_REDIS_URL, default db 13), dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import psycopg
from sqlalchemy import event

from bench.common import (
    Timing,
    app_env,
    build_app,
    drop_schema,
    interleaved,
    issue_key,
    machine,
    prepare_schema,
    shown,
    write_result,
)

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
ROLES = {"small": "fairpact_bench_growth_small", "large": "fairpact_bench_growth_large"}
TENANTS = 1000
MEASURED_POSTS = 1000
PER_PAGE = 25
CREATORS_PER_TENANT = 5
TARGET_RATIO = 1.5
TABLES_OF_CONCERN = ("disclosure_posts", "disclosure_checks", "disclosure_campaigns", "creator_relations")

# --- filling a schema ----------------------------------------------------------------------------

INSERT_TENANTS = """
INSERT INTO tenants (id, kind, name, slug, default_locale, created_at)
SELECT gen_random_uuid(), 'brand', 'Bench Brand ' || g, 'bench-brand-' || g, 'de', now()
FROM generate_series(1, %(tenants)s) AS g
"""
INSERT_CREATORS = """
INSERT INTO creators (id, email, name, created_at)
SELECT gen_random_uuid(), 'creator' || g || '@bench.example', 'Creator ' || lpad(g::text, 6, '0'), now()
FROM generate_series(1, %(creators)s) AS g
"""
# One tenant's share, in its own transaction after SET LOCAL fairpact.tenant_id: RLS checks every row.
INSERT_TENANT_ROWS = """
WITH tenant AS (SELECT current_setting('fairpact.tenant_id')::uuid AS id),
relations AS (
    INSERT INTO creator_relations (id, tenant_id, creator_id, kind, handle, created_at)
    SELECT gen_random_uuid(), tenant.id, c.id, 'influencer', '@' || c.name, now()
    FROM tenant, (SELECT id, name FROM creators ORDER BY email OFFSET %(creator_offset)s LIMIT %(creators)s) AS c
    RETURNING id
),
numbered_relations AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM relations),
campaigns AS (
    INSERT INTO disclosure_campaigns (id, tenant_id, name, jurisdictions, platforms, created_at)
    SELECT gen_random_uuid(), tenant.id, 'Campaign ' || g, '["DE", "AT"]', '["instagram", "tiktok"]', now()
    FROM tenant, generate_series(1, 2) AS g
    RETURNING id
),
numbered_campaigns AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM campaigns),
posts AS MATERIALIZED (
    SELECT g, gen_random_uuid() AS post_id, gen_random_uuid() AS check_id,
           (ARRAY['compliant', 'compliant', 'violation', 'needs_review'])[1 + g %% 4] AS verdict
    FROM generate_series(1, %(posts)s) AS g
),
inserted_posts AS (
    INSERT INTO disclosure_posts (id, tenant_id, campaign_id, creator_relation_id, title, relationship, platform,
                                  media_type, due_on, status, latest_verdict, latest_check_id, created_at,
                                  updated_at)
    SELECT p.post_id, tenant.id, nc.id, nr.id, 'Post ' || p.g, 'paid', 'instagram', 'image',
           current_date - (p.g %% 80), p.verdict, p.verdict, p.check_id, now(), now()
    FROM posts AS p CROSS JOIN tenant
    JOIN numbered_campaigns AS nc ON nc.n = p.g %% 2
    JOIN numbered_relations AS nr ON nr.n = p.g %% %(creators)s
    RETURNING 1
)
INSERT INTO disclosure_checks (id, tenant_id, post_id, trigger, status, due_at, verdict, rule_ids, findings,
                               pack_versions, completed_at, created_at)
SELECT p.check_id, tenant.id, p.post_id, 'submission', 'done', now() - (p.g %% 80) * interval '1 day',
       p.verdict, '[]', '{}', '{}', now() - (p.g %% 80) * interval '1 day', now() - (p.g %% 80) * interval '1 day'
FROM posts AS p CROSS JOIN tenant
WHERE (SELECT count(*) FROM inserted_posts) > 0
"""


def posts_per_tenant(total: int, tenants: int, measured: int) -> list[int]:
    """The measured tenant (first) gets ``measured`` posts, the others share the rest evenly."""
    others, extra = divmod(max(total - measured, 0), tenants - 1)
    return [measured] + [others + (1 if n < extra else 0) for n in range(tenants - 1)]


FILL_CONNECTIONS = 2  # one per core: the tenants' shares are written side by side


def fill(database_url: str, total_posts: int, tenants: int = TENANTS, measured: int = MEASURED_POSTS) -> uuid.UUID:
    """Tenants, creators, relations, campaigns, posts and checks; returns the measured tenant's id."""
    with psycopg.connect(database_url) as conn:
        conn.execute(INSERT_TENANTS, {"tenants": tenants})
        conn.execute(INSERT_CREATORS, {"creators": tenants * CREATORS_PER_TENANT})
        tenant_ids = [row[0] for row in conn.execute("SELECT id FROM tenants ORDER BY slug")]
    shares = list(enumerate(zip(tenant_ids, posts_per_tenant(total_posts, tenants, measured), strict=True)))
    with ThreadPoolExecutor(FILL_CONNECTIONS) as pool:
        for done in [
            pool.submit(_fill_tenants, database_url, shares[n::FILL_CONNECTIONS]) for n in range(FILL_CONNECTIONS)
        ]:
            done.result()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # the planner's statistics, and no autovacuum starting mid-measurement
    return tenant_ids[0]


def _fill_tenants(database_url: str, shares: list[tuple[int, tuple[Any, int]]]) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute("SET synchronous_commit = off")  # a throwaway schema: no need to wait for each flush
        conn.commit()
        for number, (tenant_id, posts) in shares:
            with conn.transaction():
                conn.execute(f"SET LOCAL fairpact.tenant_id = '{uuid.UUID(str(tenant_id))}'")
                params = {
                    "posts": posts,
                    "creators": CREATORS_PER_TENANT,
                    "creator_offset": number * CREATORS_PER_TENANT,
                }
                conn.execute(INSERT_TENANT_ROWS, params)


def count_rows(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn, conn.transaction():
        conn.execute("SET LOCAL fairpact.unscoped = 'on'")
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]  # noqa: S608
            for table in ("tenants", "disclosure_posts", "disclosure_checks")
        }


# --- one database under test ---------------------------------------------------------------------


@dataclass
class Subject:
    name: str
    app: Any
    client: Any
    headers: dict[str, str]
    database_url: str
    tenant_id: uuid.UUID

    def get(self, path: str) -> Any:
        response = self.client.get(path, headers=self.headers)
        if response.status_code != 200:
            raise RuntimeError(f"{self.name}: GET {path} answered {response.status_code}")
        return response.get_json()


@contextmanager
def subject(name: str, total_posts: int, instance_dir: str) -> Iterator[Subject]:
    role = ROLES[name]
    database_url = prepare_schema(role)
    try:
        app = build_app(app_env(database_url, REDIS_URL, instance_dir))
        started = time.perf_counter()
        tenant_id = fill(database_url, total_posts)
        print(f"  {name}: {count_rows(database_url)} in {time.perf_counter() - started:.0f} s", flush=True)
        headers = {"Authorization": f"Bearer {issue_key(app, tenant_id)}"}
        yield Subject(name, app, app.test_client(), headers, database_url, tenant_id)
        with app.app_context():
            from service.extensions import db

            db.engine.dispose()
    finally:
        drop_schema(role)


class PageWalk:
    """The tenant's post list, page after page (deep pages too, since an offset costs what it skips)."""

    def __init__(self, target: Subject, pages: int) -> None:
        self.target, self.pages, self.next = target, pages, 0

    def __call__(self) -> None:
        page = self.next % self.pages + 1
        self.next += 1
        body = self.target.get(f"/api/v1/disclosure/posts?page={page}&per_page={PER_PAGE}")
        if body["total"] != MEASURED_POSTS or len(body["items"]) != PER_PAGE:
            raise RuntimeError(f"{self.target.name}: page {page} has {len(body['items'])} of {body['total']} posts")


def dashboard(target: Subject) -> Any:
    def call() -> None:
        body = target.get("/api/v1/disclosure/dashboard")
        if body["posts_checked"] != MEASURED_POSTS:
            raise RuntimeError(f"{target.name}: the dashboard counted {body['posts_checked']} posts")

    return call


# --- plans ---------------------------------------------------------------------------------------


def statements_of(target: Subject, path: str) -> list[tuple[str, Any]]:
    """The SQL statements (with parameters) one request sends."""
    with target.app.app_context():
        from service.extensions import db

        engine = db.engine
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        target.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


@dataclass
class PlanCheck:
    """What EXPLAIN (ANALYZE, BUFFERS) says about one request's statements on one database."""

    seq_scans: list[str]  # tenant-owned tables read with a sequential scan
    buffers: int  # shared buffers touched by all statements (hits and reads): grows if the work does
    sql_ms: float  # execution time of all statements inside PostgreSQL


def check_plans(target: Subject, path: str) -> PlanCheck:
    scans: set[str] = set()
    buffers, sql_ms = 0, 0.0
    with psycopg.connect(target.database_url) as conn:
        for statement, parameters in statements_of(target, path):
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            with conn.transaction():
                conn.execute(f"SET LOCAL fairpact.tenant_id = '{target.tenant_id}'")
                with conn.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
                    explained = cursor.fetchone()[0][0]  # type: ignore[index]
            plan = explained["Plan"]
            scans.update(_seq_scanned(plan))
            buffers += plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
            sql_ms += explained.get("Execution Time", 0.0)
    return PlanCheck(sorted(scans & set(TABLES_OF_CONCERN)), buffers, round(sql_ms, 3))


def _seq_scanned(node: dict[str, Any]) -> Iterator[str]:
    if node.get("Node Type") == "Seq Scan":
        yield node.get("Relation Name", "?")
    for child in node.get("Plans", []):
        yield from _seq_scanned(child)


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Growth:
    name: str
    path: str
    small: Timing
    large: Timing
    small_plans: PlanCheck
    large_plans: PlanCheck

    @property
    def ratio(self) -> float:
        return round(self.large.p95_ms / self.small.p95_ms, 3)


def measure(small: Subject, large: Subject, rounds: int) -> list[Growth]:
    pages = MEASURED_POSTS // PER_PAGE
    warmup = max(5, rounds // 10)
    list_path = f"/api/v1/disclosure/posts?page=1&per_page={PER_PAGE}"
    large_list, small_list = interleaved(PageWalk(large, pages), PageWalk(small, pages), rounds, warmup)
    dashboard_rounds = max(10, rounds // 4)
    large_dash, small_dash = interleaved(dashboard(large), dashboard(small), dashboard_rounds, 3)
    deep_page = f"/api/v1/disclosure/posts?page={pages}&per_page={PER_PAGE}"
    dashboard_path = "/api/v1/disclosure/dashboard"
    return [
        Growth(
            "post list p95",
            list_path,
            Timing.of(small_list),
            Timing.of(large_list),
            check_plans(small, deep_page),
            check_plans(large, deep_page),
        ),
        Growth(
            "dashboard p95",
            dashboard_path,
            Timing.of(small_dash),
            Timing.of(large_dash),
            check_plans(small, dashboard_path),
            check_plans(large, dashboard_path),
        ),
    ]


def plan_note(result: Growth) -> str:
    small, large = result.small_plans, result.large_plans
    scans = ", ".join(large.seq_scans) or "none"
    return (
        f"seq scans: {scans}; buffers {small.buffers} vs {large.buffers}; "
        f"SQL {small.sql_ms:.1f} vs {large.sql_ms:.1f} ms"
    )


def print_table(results: list[Growth], sizes: dict[str, int]) -> None:
    print(f"{'request (measured tenant: 1,000 posts)':<40}{'small p95':>12}{'large p95':>12}{'ratio':>8}  plans")
    for r in results:
        print(f"{r.name:<40}{r.small.p95_ms:>9.2f} ms{r.large.p95_ms:>9.2f} ms{r.ratio:>8.2f}  {plan_note(r)}")
    print(f"small: {sizes['small']:,} posts, large: {sizes['large']:,} posts, {TENANTS} tenants; target ratio <= 1.5")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000, help="posts in the small database (default 10,000)")
    parser.add_argument("--large", type=int, default=1_000_000, help="posts in the large one (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=400, help="list requests to each database (default 400)")
    args = parser.parse_args(argv)
    sizes = {"small": args.small, "large": args.large}
    with ExitStack() as stack:
        instance_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="fairpact-bench-growth-"))
        print("filling the two databases", flush=True)
        small = stack.enter_context(subject("small", args.small, instance_dir))
        large = stack.enter_context(subject("large", args.large, instance_dir))
        results = measure(small, large, args.rounds)
    print_table(results, sizes)
    payload = {
        "machine": machine(),
        "params": {**vars(args), "tenants": TENANTS, "measured_tenant_posts": MEASURED_POSTS, "per_page": PER_PAGE},
        "target_ratio": TARGET_RATIO,
        "results": [{**asdict(r), "ratio": r.ratio} for r in results],
    }
    print(f"written to {shown(write_result('growth', payload))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
