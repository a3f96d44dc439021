"""Metered usage: counted once in the database, reported to Stripe's meters by a real worker, exactly once
even when Stripe fails in between, and reconciled against what Stripe's meter holds."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import update

from service.billing.models import UsageRecord
from service.billing.usage import previous_day, reconcile_usage, record_usage
from service.extensions import db
from service.models import utcnow
from tenants.context import tenant_scope
from tests.billing.support import subscribe, usage_rows
from workers.schedule import enqueue_due

METER_EVENTS = "/v1/billing/meter_events"


def record(app, tenant_id, kind: str, reference, client_id=None) -> None:
    with app.app_context(), tenant_scope(tenant_id):
        record_usage(kind, reference, client_id=client_id)
        db.session.commit()


def test_each_reference_is_counted_once(billing_app, seed):
    tenant = seed.make_tenant()
    check = uuid.uuid4()

    for _ in range(3):
        record(billing_app, tenant.id, "disclosure_check", check)
    record(billing_app, tenant.id, "sealed_contract", check)  # another kind: its own count

    rows = usage_rows(billing_app, tenant.id)
    assert sorted((r["kind"], r["reference_id"]) for r in rows) == [
        ("disclosure_check", str(check)),
        ("sealed_contract", str(check)),
    ]


def test_unknown_kinds_are_a_programming_error(billing_app, seed):
    tenant = seed.make_tenant()
    with billing_app.app_context(), tenant_scope(tenant.id), pytest.raises(ValueError, match="unknown usage kind"):
        record_usage("coffee", "x")


def test_trial_usage_is_counted_but_never_billed(billing_app, billing_jobs, fake_stripe, seed, redis):
    tenant = seed.make_tenant()
    record(billing_app, tenant.id, "disclosure_check", "c-1")

    enqueue_due(redis, utcnow())  # the worker's ticker
    billing_jobs()

    assert [r["report_status"] for r in usage_rows(billing_app, tenant.id)] == ["not_billable"]
    assert fake_stripe.sent("POST", METER_EVENTS) == []


def test_usage_is_reported_once_each_even_after_a_stripe_500(
    billing_app, billing_jobs, fake_stripe, seed, redis: Redis
):
    tenant = seed.make_tenant()
    subscribed = subscribe(billing_app, fake_stripe, tenant.id)
    for reference in ("check-a", "check-b", "check-c"):
        record(billing_app, tenant.id, "disclosure_check", reference)
    record(billing_app, tenant.id, "sealed_contract", "contract-a")
    fake_stripe.fail_next("POST", METER_EVENTS, status=500, skip=1)  # the second event fails

    enqueue_due(redis, utcnow())  # the ticker queues the periodic sweep, which queues the tenant's report
    billing_jobs()
    after_failure = {
        r["reference_id"]: (r["report_status"], r["report_attempts"]) for r in usage_rows(billing_app, tenant.id)
    }

    enqueue_due(redis, utcnow() + timedelta(minutes=1))  # a minute later, the next sweep
    billing_jobs()
    enqueue_due(redis, utcnow() + timedelta(minutes=2))  # and one more: nothing is left to send
    billing_jobs()

    # The batch stopped at the failure and kept what Stripe had accepted before it.
    assert after_failure == {
        "check-a": ("reported", 1),
        "check-b": ("pending", 1),
        "check-c": ("pending", 0),
        "contract-a": ("pending", 0),
    }
    rows = usage_rows(billing_app, tenant.id)
    assert {r["report_status"] for r in rows} == {"reported"}
    identifiers = {f"fairpact-usage-{r['id']}" for r in rows}
    assert set(fake_stripe.meter_events) == identifiers, "Stripe holds each usage event exactly once"
    sent = fake_stripe.sent("POST", METER_EVENTS)
    assert len(sent) == 5  # four events, one of them twice
    check_b = next(r for r in rows if r["reference_id"] == "check-b")
    retried = [r for r in sent if r.params["identifier"] == f"fairpact-usage-{check_b['id']}"]
    assert len(retried) == 2
    # Same identifier (Stripe's dedup key), a new idempotency key (Stripe would replay the saved 500).
    assert retried[0].idempotency_key != retried[1].idempotency_key
    assert (
        retried[1].params
        == retried[0].params
        == {
            "event_name": "fairpact_disclosure_check",
            "identifier": f"fairpact-usage-{check_b['id']}",
            "timestamp": str(int(check_b["occurred_at"].timestamp())),
            "payload[stripe_customer_id]": subscribed.customer_id,
            "payload[value]": "1",
        }
    )
    contract = next(e for e in fake_stripe.meter_events.values() if e["event_name"] == "fairpact_sealed_contract")
    assert contract["payload"]["stripe_customer_id"] == subscribed.customer_id


def test_a_retry_of_an_accepted_event_bills_nothing_twice(billing_app, billing_jobs, fake_stripe, seed, redis):
    """The worker died after Stripe accepted but before the commit: the same request goes again."""
    tenant = seed.make_tenant()
    subscribe(billing_app, fake_stripe, tenant.id)
    record(billing_app, tenant.id, "disclosure_check", "check-a")
    enqueue_due(redis, utcnow())
    billing_jobs()
    with billing_app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(UsageRecord).values(report_status="pending", report_attempts=0, reported_at=None))
        db.session.commit()

    enqueue_due(redis, utcnow() + timedelta(minutes=1))
    billing_jobs()

    first, second = fake_stripe.sent("POST", METER_EVENTS)
    assert first == second  # identical request, same idempotency key: Stripe replays its first answer
    assert len(fake_stripe.meter_events) == 1
    assert [r["report_status"] for r in usage_rows(billing_app, tenant.id)] == ["reported"]


def test_a_permanent_refusal_is_not_retried_and_shows_in_the_reconciliation(
    billing_app, billing_jobs, fake_stripe, seed, redis, caplog
):
    tenant = seed.make_tenant()
    subscribe(billing_app, fake_stripe, tenant.id)
    for reference in ("check-a", "check-b"):
        record(billing_app, tenant.id, "disclosure_check", reference)
    yesterday = previous_day(utcnow())
    with billing_app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(UsageRecord).values(occurred_at=yesterday.start + timedelta(hours=10)))
        db.session.commit()
    fake_stripe.fail_next("POST", METER_EVENTS, status=400)  # e.g. older than Stripe accepts

    enqueue_due(redis, utcnow())
    billing_jobs()
    enqueue_due(redis, utcnow() + timedelta(minutes=1))
    billing_jobs()
    with caplog.at_level(logging.WARNING), billing_app.app_context(), tenant_scope(tenant.id):
        results = {r.kind: r for r in reconcile_usage(yesterday)}

    assert sorted(r["report_status"] for r in usage_rows(billing_app, tenant.id)) == ["rejected", "reported"]
    assert len(fake_stripe.sent("POST", METER_EVENTS)) == 2
    checks = results["disclosure_check"]
    assert (checks.counted, checks.reported, checks.stripe_total, checks.matches) == (2, 1, 1, False)
    assert results["sealed_contract"].matches  # no meter id configured: compared locally only
    assert "usage mismatch" in caplog.text


def test_daily_reconciliation_runs_in_the_worker_and_matches(billing_app, billing_jobs, fake_stripe, seed, redis):
    tenant = seed.make_tenant()
    subscribed = subscribe(billing_app, fake_stripe, tenant.id)
    record(billing_app, tenant.id, "disclosure_check", "check-a")
    day = previous_day(utcnow())
    with billing_app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(UsageRecord).values(occurred_at=day.start + timedelta(hours=1)))
        db.session.commit()

    enqueue_due(redis, utcnow())  # the ticker: usage reporting, then the daily reconciliation
    billing_jobs()

    (summary,) = fake_stripe.sent("GET", "/v1/billing/meters/mtr_test_checks/event_summaries")
    assert summary.params == {
        "customer": subscribed.customer_id,
        "start_time": str(int(day.start.timestamp())),
        "end_time": str(int(day.end.timestamp())),
    }
    low = Queue("low", connection=redis)
    jobs = [Job.fetch(job_id, connection=redis) for job_id in low.finished_job_registry.get_job_ids()]
    (reconciled,) = [job.return_value() for job in jobs if job.func_name == "workers.billing.reconcile_usage"]
    assert reconciled is not None
    assert {r["kind"]: (r["counted"], r["reported"], r["stripe"], r["ok"]) for r in reconciled} == {
        "disclosure_check": (1, 1, 1, True),
        "sealed_contract": (0, 0, None, True),
    }
