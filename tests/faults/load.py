"""A load run: concurrent API clients of several tenants against gunicorn (PostgreSQL) with a worker on Redis.

Every tenant's objects carry the tenant's own marker in their names and captions, so a response with
another tenant's marker, tenant id or campaign id is cross-tenant data. Every answer of 500 or more, and
every request that got no answer, is a failure.
"""

from __future__ import annotations

import http.client
import json
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import free_port, test_env
from tests.faults.support import start_worker, worker_env

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LoadTenant:
    id: str
    marker: str
    headers: dict[str, str]
    creator_relation_id: str
    campaign_ids: list[str] = field(default_factory=list)
    post_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def foreign_markers(self, everyone: list[LoadTenant]) -> list[str]:
        return [
            text for other in everyone if other is not self for text in (other.marker, other.id, *other.campaign_ids)
        ]


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # 5xx and requests without an answer
    leaks: list[str] = field(default_factory=list)  # responses with another tenant's data
    writes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


class Client:
    """One API client with a keep-alive connection; a stale connection is opened again and the request sent
    again (POSTs carry an Idempotency-Key, so that is safe)."""

    def __init__(self, port: int, tenant: LoadTenant):
        self.port, self.tenant = port, tenant
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        headers = {**self.tenant.headers, "Content-Type": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            try:
                self.connection.request(method, f"/api/v1{path}", body=payload, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


def prepare_tenants(seed: Any, count: int) -> list[LoadTenant]:
    from tenants.models import TenantKind
    from tenants.roles import Role
    from tests.factories import bearer

    tenants = []
    for number in range(count):
        marker = f"lt{number}x{uuid.uuid4().hex[:10]}"
        tenant = seed.make_tenant(TenantKind.BRAND, f"Load {marker}")
        creator = seed.make_creator(tenant.id, email=f"{marker}@creators.example")
        tenants.append(
            LoadTenant(
                id=str(tenant.id),
                marker=marker,
                headers=bearer(seed.make_api_key(tenant.id, Role.ADMIN)),
                creator_relation_id=str(creator.relation_id),
            )
        )
    return tenants


def _create_campaign(client: Client) -> None:
    tenant = client.tenant
    body = {"name": f"Kampagne {tenant.marker}", "jurisdictions": ["DE"], "platforms": ["instagram"]}
    status, data = client.call("POST", "/disclosure/campaigns", body)
    if status == 201:
        with tenant.lock:
            tenant.campaign_ids.append(json.loads(data)["id"])


def _write(client: Client, rng: random.Random) -> tuple[int, bytes]:
    tenant = client.tenant
    campaign = rng.choice(tenant.campaign_ids)
    post = {
        "title": f"Reel {tenant.marker}",
        "creator_relation_id": tenant.creator_relation_id,
        "relationship": "paid",
        "platform": "instagram",
        "media_type": "image",
    }
    status, data = client.call("POST", f"/disclosure/campaigns/{campaign}/posts", post)
    if status != 201:
        return status, data
    post_id = json.loads(data)["id"]
    with tenant.lock:
        tenant.post_ids.append(post_id)
    caption = f"Werbung | Sommer mit {tenant.marker} #sonnencreme"
    return client.call("POST", f"/disclosure/posts/{post_id}/submissions", {"caption": caption})


def _read(client: Client, rng: random.Random) -> tuple[int, bytes]:
    tenant = client.tenant
    with tenant.lock:
        post_id = rng.choice(tenant.post_ids) if tenant.post_ids else None
    campaign = rng.choice(tenant.campaign_ids)
    choices = [
        "/tenant",
        "/disclosure/campaigns",
        f"/disclosure/campaigns/{campaign}",
        f"/disclosure/posts?campaign_id={campaign}",
    ]
    if post_id:
        choices += [f"/disclosure/posts/{post_id}", f"/disclosure/posts/{post_id}/checks"]
    return client.call("GET", rng.choice(choices))


def drive(port: int, tenants: list[LoadTenant], clients: int, seconds: float, write_share: float = 0.2) -> Outcome:
    """``clients`` threads, each one tenant's client, mixing reads and writes for ``seconds``."""
    outcome = Outcome()
    foreign = {tenant.id: tenant.foreign_markers(tenants) for tenant in tenants}
    stop_at = time.monotonic() + seconds

    def run(number: int) -> None:
        tenant = tenants[number % len(tenants)]
        client, rng = Client(port, tenant), random.Random(number)
        try:
            _drive_one(client, rng)
        finally:
            client.close()

    def _drive_one(client: Client, rng: random.Random) -> None:
        tenant = client.tenant
        while time.monotonic() < stop_at:
            writing = rng.random() < write_share
            try:
                status, body = _write(client, rng) if writing else _read(client, rng)
            except OSError as exc:
                with outcome.lock:
                    outcome.failures.append(f"no answer: {exc!r}")
                continue
            text = body.decode("utf-8", "replace")
            leaked = [marker for marker in foreign[tenant.id] if marker in text]
            with outcome.lock:
                outcome.statuses[status] += 1
                outcome.writes += int(writing)
                if status >= 500:
                    outcome.failures.append(f"{status}: {text[:300]}")
                if leaked:
                    outcome.leaks.append(f"tenant {tenant.marker} saw {leaked[:3]}: {text[:300]}")

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return outcome


def start_gunicorn(
    database_url: str, smtp_port: int, log: Path, workers: int = 2
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **worker_env(database_url, smtp_port, RATELIMIT_ENABLED="false"),
        **test_env(database_url, smtp_port, RATELIMIT_ENABLED="false"),
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port} --workers {workers} --access-logfile /dev/null",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text()[-3000:])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    process.kill()
    raise AssertionError("gunicorn did not get ready: " + log.read_text()[-3000:])


def load_run(seed: Any, database_url: str, smtp_port: int, tmp_path: Path, clients: int, seconds: float) -> Outcome:
    """Prepare the tenants, start gunicorn and a worker, drive the load, and stop both."""
    tenants = prepare_tenants(seed, 4)
    web, port = start_gunicorn(database_url, smtp_port, tmp_path / "gunicorn.log")
    worker = start_worker(worker_env(database_url, smtp_port), log=tmp_path / "worker.log")
    try:
        for tenant in tenants:
            setup = Client(port, tenant)
            for _ in range(2):
                _create_campaign(setup)
            setup.close()
            assert len(tenant.campaign_ids) == 2, "could not create the campaigns"
        return drive(port, tenants, clients, seconds)
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
