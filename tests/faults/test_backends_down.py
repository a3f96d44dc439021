"""PostgreSQL or Redis unreachable for a while: requests answer 503 in the error shape (nothing half
stored), workers retry, and both recover on their own when the server returns, with no restart.

The outage is a TCP proxy of the test's own between the app (or worker) and the shared server."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from rq import Queue, Worker
from rq.registry import ScheduledJobRegistry

from service.emails.operations import queue_email
from service.extensions import db
from tenants.models import TenantKind
from tests.api.test_conventions import assert_error_shape
from tests.conftest import REDIS_URL
from tests.disclosure_flow.support import Brand
from tests.factories import bearer
from tests.faults.support import TcpProxy, start_worker, worker_env
from workers.reconcile import reconcile


def _through(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    return parts._replace(
        netloc=parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}")
    ).geturl()


@pytest.fixture
def database_proxy(database_url: str) -> Iterator[TcpProxy]:
    parts = urlsplit(database_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    yield proxy
    proxy.close()


@pytest.fixture
def redis_proxy() -> Iterator[TcpProxy]:
    parts = urlsplit(REDIS_URL)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    yield proxy
    proxy.close()


def _wait(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} s")


def _registered(process, redis) -> bool:  # type: ignore[no-untyped-def]
    return any(worker.pid == process.pid for worker in Worker.all(connection=redis))


def test_requests_answer_503_while_the_database_is_away_and_recover_without_a_restart(
    make_app, seed, database_url, database_proxy
):
    web = make_app(DATABASE_URL=_through(database_url, database_proxy)).test_client()
    agency = seed.make_tenant(TenantKind.AGENCY, "Kollektiv")
    headers = bearer(seed.make_api_key(agency.id))
    assert web.get("/api/v1/clients", headers=headers).status_code == 200  # the pool holds a connection now

    database_proxy.cut()
    for _ in range(3):
        body = assert_error_shape(web.get("/api/v1/clients", headers=headers), 503)
        assert body["code"] == "service_unavailable"
    assert_error_shape(web.post("/api/v1/clients", json={"name": "Während"}, headers=headers), 503)
    assert web.get("/readyz").status_code == 503

    database_proxy.restore()
    assert web.get("/readyz").status_code == 200
    assert web.post("/api/v1/clients", json={"name": "Danach"}, headers=headers).status_code == 201
    names = [c["name"] for c in web.get("/api/v1/clients", headers=headers).json["items"]]
    assert "Danach" in names and "Während" not in names


def test_requests_keep_working_while_redis_is_away_and_queued_work_is_caught_up(
    app, make_app, seed, redis_proxy, run_jobs, mailbox, redis
):
    proxied = make_app(REDIS_URL=_through(REDIS_URL, redis_proxy))
    web = proxied.test_client()
    tenant = seed.make_tenant()
    headers = bearer(seed.make_api_key(tenant.id))
    invite = {"role": "viewer"}

    redis_proxy.cut()
    during = web.post("/api/v1/invitations/users", json={**invite, "email": "during@example.com"}, headers=headers)
    assert during.status_code == 201  # committed; its email job could not be queued
    assert web.get("/readyz").status_code == 503

    redis_proxy.restore()
    after = web.post("/api/v1/invitations/users", json={**invite, "email": "after@example.com"}, headers=headers)
    assert after.status_code == 201 and web.get("/readyz").status_code == 200
    assert Queue("high", connection=redis).count == 1  # the same app reached Redis again by itself
    with app.app_context():
        assert reconcile(grace_seconds=0)["emails"] == {"found": 2, "queued": 1, "already queued": 1}
    run_jobs()
    assert sorted(m["To"] for m in mailbox.wait_for(2)) == ["after@example.com", "during@example.com"]


def test_a_worker_retries_while_the_database_is_away_and_recovers_on_its_own(
    client, seed, database_url, database_proxy, mailbox, redis, tmp_path
):
    env = worker_env(_through(database_url, database_proxy), mailbox.port)
    worker = start_worker(env, log=tmp_path / "worker.log")
    try:
        _wait(lambda: _registered(worker, redis), 60, "the worker starting")
        database_proxy.cut()
        brand = Brand(client, seed)  # the suite's app reaches PostgreSQL directly
        post = brand.post(brand.campaign(["DE"])["id"])
        brand.submit(post["id"], caption="Werbung | Sommer #sonnencreme")

        retry_waiting = ScheduledJobRegistry("default", connection=redis)
        _wait(lambda: retry_waiting.count >= 1, 60, "the check run failing and waiting for its retry")
        database_proxy.restore()

        def checked() -> bool:
            return brand.call("GET", f"/disclosure/posts/{post['id']}", 200).json["latest_check_id"] is not None

        _wait(checked, 90, "the retried check run finishing")
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)


def test_a_worker_survives_redis_going_away_and_takes_new_jobs_when_it_returns(
    app, database_url, redis_proxy, mailbox, redis, tmp_path
):
    env = worker_env(database_url, mailbox.port, REDIS_URL=_through(REDIS_URL, redis_proxy))
    worker = start_worker(env, log=tmp_path / "worker.log")
    try:
        _wait(lambda: _registered(worker, redis), 60, "the worker starting")
        redis_proxy.cut()
        time.sleep(3)
        redis_proxy.restore()
        with app.app_context():
            queue_email("back@example.com", "Redis is back", "Queued after the outage")
            db.session.commit()
        assert [m["To"] for m in mailbox.wait_for(1, timeout=90)] == ["back@example.com"], (
            tmp_path / "worker.log"
        ).read_text()[-3000:]
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
