"""``python -m bench.api_load``: authenticated API requests under gunicorn against PostgreSQL, driven by wrk.

The real app (``wsgi:app``) and a bare Flask app answering a small JSON (``bench/bare_app.py``) run side by
side under the same gunicorn settings (``bench/gunicorn_bench.py``: the production gunicorn.conf.py, two
workers, with the access log and periodic restarts off). ``wrk`` (a C load generator in its own process)
drives each over loopback in turn, round after round:

* list: ``GET /api/v1/disclosure/posts?per_page=25`` with a viewer API key, a tenant with 1,000 posts
  among 10 tenants (count + page, tenant scoping and RLS, marshmallow dump);
* detail: ``GET /api/v1/disclosure/posts/<id>`` with the same key;
* baseline: ``GET /ping`` of the bare app.

Reported: requests per second and p50/p99 latency from wrk, each the median over the rounds, and the
ratio of Fairpact's requests per second to the bare app's. Target: at least 0.35.

Own PostgreSQL role and schema (fairpact_bench_api) and Redis database (BENCH_REDIS_URL, default db 12).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.common import ROOT, app_env, build_app, drop_schema, issue_key, machine, prepare_schema, shown, write_result
from bench.growth import fill

ROLE = "fairpact_bench_api"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
TARGET_RATIO = 0.35
TENANTS = 10
POSTS = 1000
WORKERS = 2
GUNICORN_CONF = ROOT / "bench" / "gunicorn_bench.py"


# --- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(app_path: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """gunicorn with two workers on a free loopback port; yields its base URL, stops it (by pid) after."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "-c", str(GUNICORN_CONF)]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), app_path]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (fixed command)
            command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(url: str, headers: dict[str, str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")
        time.sleep(0.3)


# --- wrk -----------------------------------------------------------------------------------------


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> Run:
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests:\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)\s*$", output, re.MULTILINE))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if rps is None or total is None or set(latency) != {"50", "99"}:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    return Run(float(rps.group(1)), _ms(latency["50"]), _ms(latency["99"]), int(total.group(1)))


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> Run:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], check=True, capture_output=True, text=True)  # noqa: S603
    return parse_wrk(done.stdout)


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Endpoint:
    name: str
    url: str
    headers: dict[str, str]


@dataclass
class Measured:
    name: str
    url_path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    rounds: list[Run]

    @classmethod
    def of(cls, endpoint: Endpoint, runs: list[Run]) -> Measured:
        return cls(
            endpoint.name,
            endpoint.url.split("/", 3)[-1],
            round(statistics.median(r.requests_per_second for r in runs), 1),
            round(statistics.median(r.p50_ms for r in runs), 3),
            round(statistics.median(r.p99_ms for r in runs), 3),
            runs,
        )


def a_post_id(database_url: str, tenant_id: Any) -> str:
    with psycopg.connect(database_url) as conn, conn.transaction():
        conn.execute(f"SET LOCAL fairpact.tenant_id = '{tenant_id}'")
        row = conn.execute("SELECT id FROM disclosure_posts ORDER BY id LIMIT 1 OFFSET 500").fetchone()
    assert row is not None
    return str(row[0])


def measure(endpoints: list[Endpoint], rounds: int, seconds: int, connections: int) -> list[Measured]:
    for endpoint in endpoints:  # warm each worker's caches and connections before the clock
        wrk(endpoint.url, endpoint.headers, 2, connections)
    runs: dict[str, list[Run]] = {e.name: [] for e in endpoints}
    for n in range(rounds):
        for endpoint in endpoints if n % 2 == 0 else list(reversed(endpoints)):
            runs[endpoint.name].append(wrk(endpoint.url, endpoint.headers, seconds, connections))
    return [Measured.of(e, runs[e.name]) for e in endpoints]


def print_table(results: list[Measured], baseline: Measured) -> None:
    print(f"{'endpoint (gunicorn, 2 workers, wrk)':<44}{'req/s':>10}{'p50':>11}{'p99':>11}{'vs bare':>9}")
    for r in results:
        print(
            f"{r.name:<44}{r.requests_per_second:>10.1f}{r.p50_ms:>8.2f} ms{r.p99_ms:>8.2f} ms"
            f"{r.requests_per_second / baseline.requests_per_second:>9.3f}"
        )
    print(f"target: at least {TARGET_RATIO} of the bare Flask endpoint's requests per second")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs of each endpoint (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections (default 16)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (Debian package wrk)")

    database_url = prepare_schema(ROLE)
    try:
        with ExitStack() as stack:
            instance_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="fairpact-bench-api-"))
            env = app_env(database_url, REDIS_URL, instance_dir)
            app = build_app(env)
            tenant_id = fill(database_url, POSTS + (TENANTS - 1) * 100, tenants=TENANTS, measured=POSTS)
            auth = {"Authorization": f"Bearer {issue_key(app, tenant_id)}"}
            post_id = a_post_id(database_url, tenant_id)
            logs = Path(instance_dir)
            fairpact = stack.enter_context(gunicorn("wsgi:app", env, logs / "fairpact.log"))
            bare = stack.enter_context(gunicorn("bench.bare_app:app", {}, logs / "bare.log"))
            endpoints = [
                Endpoint("bare Flask: GET /ping (baseline)", f"{bare}/ping", {}),
                Endpoint("list: GET /api/v1/disclosure/posts", f"{fairpact}/api/v1/disclosure/posts?per_page=25", auth),
                Endpoint(
                    "detail: GET /api/v1/disclosure/posts/<id>", f"{fairpact}/api/v1/disclosure/posts/{post_id}", auth
                ),
            ]
            for endpoint in endpoints:
                wait_until_up(endpoint.url, endpoint.headers)
            results = measure(endpoints, args.rounds, args.seconds, args.connections)
    finally:
        drop_schema(ROLE)
    baseline = results[0]
    print_table(results, baseline)
    payload = {
        "machine": machine(),
        "params": {**vars(args), "workers": WORKERS, "tenants": TENANTS, "posts": POSTS, "per_page": 25},
        "target_ratio": TARGET_RATIO,
        "results": [
            {**asdict(r), "ratio": round(r.requests_per_second / baseline.requests_per_second, 3)} for r in results
        ],
    }
    print(f"written to {shown(write_result('api_load', payload))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
