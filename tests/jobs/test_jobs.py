"""Jobs: enqueued only after commit, run by a real RQ worker on Redis, bounded, retried, idempotent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import select

from service.emails.models import EmailMessage
from service.emails.operations import queue_email
from service.extensions import db
from service.jobs import defer
from workers.kinds import JOB_KINDS, QUEUES
from workers.schedule import PERIODIC_JOBS, enqueue_due


def queued_jobs(redis) -> list:
    return [job for name in QUEUES for job in Queue(name, connection=redis).jobs]


def test_job_is_enqueued_only_after_the_commit(app, redis):
    with app.app_context():
        queue_email("a@example.com", "Hello", "Body")
        assert queued_jobs(redis) == []
        db.session.commit()
        jobs = queued_jobs(redis)
    assert [j.func_name for j in jobs] == ["workers.emails.send_email"]


def test_rolled_back_work_enqueues_nothing(app, redis):
    with app.app_context():
        queue_email("a@example.com", "Hello", "Body")
        db.session.rollback()
        db.session.commit()
    assert queued_jobs(redis) == []


def test_a_released_savepoint_is_not_the_commit(app, redis):
    # Recording usage releases a savepoint mid-transaction; SQLAlchemy fires after_commit for it too.
    with app.app_context():
        queue_email("a@example.com", "Hello", "Body")
        with db.session.begin_nested():
            pass
        assert queued_jobs(redis) == []
        db.session.commit()
        assert len(queued_jobs(redis)) == 1


def test_enqueued_job_carries_its_kinds_limits(app, redis):
    with app.app_context():
        queue_email("a@example.com", "Hello", "Body")
        db.session.commit()
    (job,) = queued_jobs(redis)
    kind = JOB_KINDS["emails.send"]
    assert job.origin == kind.queue
    assert job.timeout == kind.timeout
    assert job.ttl == kind.ttl
    assert job.failure_ttl == kind.failure_ttl
    assert job.retries_left == kind.retries
    assert job.retry_intervals == list(kind.retry_intervals)


def test_every_job_kind_points_at_a_real_function():
    import importlib

    for name, kind in JOB_KINDS.items():
        module, _, attr = kind.path.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attr)), name
        assert kind.queue in QUEUES and kind.timeout > 0 and kind.ttl > 0


def test_unknown_job_kind_is_a_programming_error(app_context):
    with pytest.raises(KeyError, match=r"workers/kinds\.py"):
        defer("no.such.job")


def test_worker_sends_the_email_over_smtp(app, run_jobs, mailbox):
    with app.app_context():
        message = queue_email("mia@example.com", "Willkommen", "Hallo Mia")
        db.session.commit()
        message_id = message.id
    assert run_jobs() == 1
    (received,) = mailbox.wait_for(1)
    assert received["To"] == "mia@example.com" and received["Subject"] == "Willkommen"
    with app.app_context():
        stored = db.session.get(EmailMessage, message_id)
        assert stored.status == "sent" and stored.attempts == 1
        assert "Hallo Mia" not in stored.body_encrypted  # encrypted at rest


def test_running_the_send_job_twice_sends_once(app, run_jobs, mailbox, redis):
    from workers.emails import send_email

    with app.app_context():
        message = queue_email("mia@example.com", "Once", "Only once")
        db.session.commit()
        message_id = str(message.id)
    run_jobs()
    with app.app_context():
        send_email(message_id)  # a duplicate delivery of the same job
    assert len(mailbox.wait_for(1)) == 1


def test_smtp_failure_schedules_a_retry_and_keeps_the_message(make_app, redis):
    from tests.conftest import free_port

    app = make_app(MAIL_PORT=str(free_port()))  # nothing listens there
    with app.app_context():
        message = queue_email("mia@example.com", "Retry me", "Body")
        db.session.commit()
        message_id = message.id
    from rq import SimpleWorker

    worker = SimpleWorker([Queue(q, connection=redis) for q in QUEUES], connection=redis)
    with app.app_context():
        worker.work(burst=True, logging_level="WARNING")
        job_id = f"email-{message_id}"
        assert job_id in ScheduledJobRegistry("high", connection=redis).get_job_ids()
        assert job_id not in FailedJobRegistry("high", connection=redis).get_job_ids()
        stored = db.session.get(EmailMessage, message_id)
        assert stored.status == "queued"  # nothing lost: the next attempt will send it


def test_failure_after_last_retry_lands_in_the_failed_registry(app, redis):
    from rq import Retry, SimpleWorker

    queue = Queue("default", connection=redis)
    job = queue.enqueue("workers.emails.send_email", "not-a-uuid", retry=Retry(max=1), job_timeout=10)
    worker = SimpleWorker([queue], connection=redis)
    with app.app_context():
        worker.work(burst=True, logging_level="CRITICAL")
    assert job.id in FailedJobRegistry("default", connection=redis).get_job_ids()
    assert "ValueError" in job.latest_result().exc_string


def test_tenant_job_runs_inside_its_tenant(app, seed, redis):
    from tenants.models import Client
    from workers.base import tenant_job

    a = seed.make_tenant()
    seed.make_client(a.id, name="Mine")
    b = seed.make_tenant()
    seed.make_client(b.id, name="Theirs")

    @tenant_job
    def names(tenant_id: uuid.UUID) -> list[str]:
        return list(db.session.execute(select(Client.name)).scalars())

    with app.app_context():
        assert names(str(a.id)) == ["Mine"]
        assert names(str(b.id)) == ["Theirs"]


def test_system_job_cannot_read_tenant_data_by_accident(app, seed):
    from tenants.errors import TenantScopeError
    from tenants.models import Client
    from workers.base import system_job

    seed.make_client(seed.make_tenant().id)

    @system_job
    def peek() -> list:
        return list(db.session.execute(select(Client)).scalars())

    with app.app_context(), pytest.raises(TenantScopeError):
        peek()


def test_periodic_jobs_are_enqueued_once_per_slot(redis):
    now = datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC)
    first = enqueue_due(redis, now)
    second = enqueue_due(redis, now)  # another worker's ticker in the same slot
    assert len(first) == len(PERIODIC_JOBS) and second == []
    assert len(queued_jobs(redis)) == len(PERIODIC_JOBS)


def test_in_process_mode_runs_jobs_right_after_the_commit(make_app, mailbox, redis):
    app = make_app(drop=("REDIS_URL",))
    with app.app_context():
        queue_email("inline@example.com", "Inline", "Sent without Redis")
        db.session.commit()
    (received,) = mailbox.wait_for(1)
    assert received["Subject"] == "Inline"
    assert queued_jobs(redis) == []


def test_fairpact_worker_command_runs_queued_jobs(app, mailbox, database_url):
    """The real entry point: `fairpact worker --burst` in its own process, forking a work horse per job."""
    import os
    import subprocess
    import sys

    from tests.conftest import test_env

    with app.app_context():
        queue_email("worker@example.com", "From the worker", "Sent by a separate process")
        db.session.commit()
    env = {**os.environ, **test_env(database_url, mailbox.port)}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    received = mailbox.wait_for(1)
    assert [m["Subject"] for m in received] == ["From the worker"], [(m["Subject"], m["To"]) for m in received]


def test_worker_refuses_unknown_queues(app, database_url, mailbox):
    import os
    import subprocess
    import sys

    from tests.conftest import test_env

    env = {**os.environ, **test_env(database_url, mailbox.port)}
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "worker", "--burst", "nonsense"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Unknown queue(s): nonsense" in result.stderr
