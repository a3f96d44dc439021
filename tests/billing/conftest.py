"""Billing fixtures: an app with Stripe keys whose StripeClient talks to ``FakeStripe``, and a real RQ
worker running that app's jobs on the tests' Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq import Queue
from stripe import StripeClient

from service.billing.gateway import install_stripe_client
from tests.billing.fake_stripe import API_KEY, FakeStripe
from tests.conftest import CountingWorker
from workers.kinds import QUEUES

WEBHOOK_SECRET = "whsec_test_fairpact_billing"
TEST_PLANS = Path(__file__).with_name("plans.yaml")


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    fake.meter_event_names["mtr_test_checks"] = "fairpact_disclosure_check"
    yield fake
    assert fake.violations == [], fake.violations


@pytest.fixture
def billing_app(app: Flask, make_app: Any, fake_stripe: FakeStripe) -> Flask:
    """The app with billing on. ``app`` (the suite's) is requested too: it migrated the schema and
    its clean-up truncates the tables after each test."""
    billing = make_app(
        STRIPE_SECRET_KEY=API_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        BILLING_PLANS_FILE=str(TEST_PLANS),
        BILLING_GRACE_DAYS="7",
    )
    install_stripe_client(billing, StripeClient(API_KEY, http_client=fake_stripe, max_network_retries=0))
    return billing


@pytest.fixture
def billing_client(billing_app: Flask) -> Any:
    return billing_app.test_client()


@pytest.fixture
def billing_jobs(billing_app: Flask, redis: Redis) -> Any:
    """Run every queued job through a real RQ worker (in this process) with the billing app; returns how many ran."""

    def run() -> int:
        worker = CountingWorker([Queue(q, connection=redis) for q in QUEUES], connection=redis)
        with billing_app.app_context():
            worker.work(burst=True, logging_level="WARNING")
        return worker.executed

    return run
