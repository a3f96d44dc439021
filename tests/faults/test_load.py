"""Load with faults of its own: many concurrent clients of several tenants, mixed reads and writes, under
gunicorn against PostgreSQL with a worker on Redis. Zero 5xx, zero cross-tenant data in any response."""

from __future__ import annotations

import pytest

from tests.faults.load import Outcome, load_run


def _assert_clean(outcome: Outcome, minimum_requests: int) -> None:
    assert outcome.failures == [], outcome.failures[:5]
    assert outcome.leaks == [], outcome.leaks[:5]
    assert outcome.requests >= minimum_requests, outcome.statuses
    assert outcome.writes > 0
    # Only successes: no request was refused (rate limits are off for the run, the input is valid).
    assert set(outcome.statuses) <= {200, 201, 202}, outcome.statuses


def test_a_short_load_run_has_no_5xx_and_no_cross_tenant_data(app, seed, database_url, mailbox, tmp_path):
    outcome = load_run(seed, database_url, mailbox.port, tmp_path, clients=10, seconds=5)
    _assert_clean(outcome, minimum_requests=50)


@pytest.mark.verify
def test_fifty_clients_for_a_minute_have_no_5xx_and_no_cross_tenant_data(app, seed, database_url, mailbox, tmp_path):
    outcome = load_run(seed, database_url, mailbox.port, tmp_path, clients=50, seconds=60)
    print(f"load run: {outcome.requests} requests ({outcome.writes} writes), statuses {dict(outcome.statuses)}")
    _assert_clean(outcome, minimum_requests=300)  # a shared 2-core machine managed 1262
