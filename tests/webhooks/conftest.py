"""Fixtures for the webhook tests: a real receiving HTTP server and helpers to drive endpoints via the API."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from service.webhooks.signing import SIGNATURE_HEADER, verify_signature
from tenants.roles import Role
from tests.conftest import REDIS_URL
from tests.factories import bearer
from tests.webhooks.receiver import Received, Receiver, running_receiver


@pytest.fixture(autouse=True)
def _no_failed_jobs(request: pytest.FixtureRequest) -> Iterator[None]:
    """A webhook test passes only if no job crashed: failed HTTP attempts are logged, never raised."""
    yield
    if "run_jobs" not in request.fixturenames:
        return
    from workers.kinds import QUEUES

    redis = Redis.from_url(REDIS_URL)
    failed = {q: FailedJobRegistry(queue=Queue(q, connection=redis)).get_job_ids() for q in QUEUES}
    assert not any(failed.values()), f"jobs failed: {failed}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as started:
        yield started


class Account:
    """One tenant seen through its admin API key."""

    def __init__(self, client: Any, seed: Any, tenant_id: uuid.UUID):
        self.client = client
        self.seed = seed
        self.id = tenant_id
        self.headers = self.key_headers(Role.ADMIN)

    def key_headers(self, role: Role) -> dict[str, str]:
        return bearer(self.seed.make_api_key(self.id, role))

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.open(f"/api/v1{path}", method=method, headers=self.headers, **kwargs)

    def add_endpoint(self, url: str, event_types: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        body = {"url": url, "event_types": event_types or ["invitation.created"], **extra}
        response = self.call("POST", "/webhooks/endpoints", json=body)
        assert response.status_code == 201, response.json
        return response.json

    def send_test(self, endpoint_id: str) -> dict[str, Any]:
        response = self.call("POST", f"/webhooks/endpoints/{endpoint_id}/test")
        assert response.status_code == 202, response.json
        return response.json

    def delivery(self, delivery_id: str) -> dict[str, Any]:
        response = self.call("GET", f"/webhooks/deliveries/{delivery_id}")
        assert response.status_code == 200, response.json
        return response.json

    def invite(self, email: str) -> None:
        response = self.call("POST", "/invitations/users", json={"email": email, "role": "viewer"})
        assert response.status_code == 201, response.json


# Requests must not run inside a test-wide app context (it would share ``g`` between requests),
# so accounts are built through ``seed``, which opens a context per factory call.
@pytest.fixture
def account(client, seed) -> Account:  # type: ignore[no-untyped-def]
    return Account(client, seed, seed.make_tenant(name="Hook Brand").id)


@pytest.fixture
def other_account(client, seed) -> Account:  # type: ignore[no-untyped-def]
    return Account(client, seed, seed.make_tenant(name="Other Brand").id)


def assert_signed(request: Received, secret: str) -> dict[str, Any]:
    """The request carries a valid signature for its exact body; returns the decoded event."""
    assert verify_signature(secret, request.headers[SIGNATURE_HEADER], request.body, now=int(time.time()))
    return json.loads(request.body)


def scheduled_retries(redis: Redis) -> dict[str, float]:
    """Scheduled (delayed) job ids with the seconds until each is due."""
    registry = ScheduledJobRegistry(queue=Queue("default", connection=redis))
    now = time.time()
    return {
        job_id: registry.get_scheduled_time(job_id).timestamp() - now  # type: ignore[union-attr]
        for job_id in registry.get_job_ids()
    }


def make_retries_due(redis: Redis) -> None:
    """Let the clock jump forward: every scheduled job becomes due now (the worker's scheduler enqueues it)."""
    registry = ScheduledJobRegistry(queue=Queue("default", connection=redis))
    for job_id in registry.get_job_ids():
        redis.zadd(registry.key, {job_id: time.time() - 1})
