"""The contract jobs on a real worker: reminders, expiry, lost jobs caught up, and a seal that fails visibly."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from service.contracts.models import Contract, ContractVersion, Signer
from service.documents.errors import SealingError
from service.extensions import db
from service.jobs import DeferredJob, enqueue_now
from service.models import utcnow
from tenants.context import tenant_scope
from tests.contracts_flow.support import brand_scene, create_contract, creator_labelling, send, sign_form, sign_link


def _get(client, scene, contract_id):
    return client.get(f"/api/v1/contracts/{contract_id}", headers=scene.headers).json


def _periodic(app, run_jobs, kind: str) -> None:
    """Run a periodic job as the ticker would enqueue it, then the per-tenant jobs it queues."""
    enqueue_now(app, DeferredJob(kind, ()))
    run_jobs()


def _sent(client, scene, run_jobs, mailbox):
    draft = create_contract(client, scene)
    send(client, scene, draft["id"])
    run_jobs()
    mailbox.wait_for(2)
    return draft


def _age(app, tenant_id, model, column, days: float, **where) -> None:
    with app.app_context(), tenant_scope(tenant_id):
        statement = update(model).values({column: utcnow() - timedelta(days=days)})
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        db.session.execute(statement)
        db.session.commit()


def test_a_signer_who_waits_is_reminded_with_a_fresh_link(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = _sent(client, scene, run_jobs, mailbox)
    first = sign_link(mailbox, scene.creator_email)
    _age(app, scene.tenant_id, Signer, "notified_at", 4)

    _periodic(app, run_jobs, "contracts.remind_due")

    # In the signer's language (the account's German by default).
    reminders = [
        m
        for m in mailbox.to(scene.creator_email)
        if m["Subject"].strip().startswith("Erinnerung: Bitte unterschreiben")
    ]
    assert len(reminders) == 1
    fresh = sign_link(mailbox, scene.creator_email)
    assert fresh != first
    assert client.get(first).status_code == 200 and client.get(fresh).status_code == 200
    signers = _get(client, scene, draft["id"])["current_version"]["signers"]
    assert [s["reminder_count"] for s in signers] == [1, 1]

    _periodic(app, run_jobs, "contracts.remind_due")  # reminded just now: nothing more today
    assert len([m for m in mailbox.to(scene.creator_email) if m["Subject"].strip().startswith("Erinnerung")]) == 1


def test_an_unsigned_contract_expires_and_its_links_stop_working(app, client, seed, run_jobs, mailbox):
    scene = brand_scene(seed)
    draft = _sent(client, scene, run_jobs, mailbox)
    path = sign_link(mailbox, scene.creator_email)
    _age(app, scene.tenant_id, Contract, "expires_at", 0.01)

    _periodic(app, run_jobs, "contracts.expire_due")

    assert _get(client, scene, draft["id"])["status"] == "expired"
    gone = client.get(path)
    assert gone.status_code == 410 and "The time to sign this contract ended" in gone.get_data(as_text=True)


def test_a_render_job_lost_with_redis_is_caught_up(app, client, seed, run_jobs, mailbox, redis):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    send(client, scene, draft["id"])
    redis.flushdb()  # the queued render job is lost
    _age(app, scene.tenant_id, ContractVersion, "sent_at", 1)

    _periodic(app, run_jobs, "maintenance.reconcile")

    assert _get(client, scene, draft["id"])["current_version"]["document"]["ready"] is True
    assert sign_link(mailbox, scene.creator_email)


def _signed_by_both(client, scene, run_jobs, mailbox) -> dict:
    draft = _sent(client, scene, run_jobs, mailbox)
    sign_form(client, sign_link(mailbox, "nora@nordlicht.example"))
    sign_form(client, sign_link(mailbox, scene.creator_email), **creator_labelling())
    return draft


def _version_id(app, tenant_id, contract_id) -> str:
    with app.app_context(), tenant_scope(tenant_id):
        return str(
            db.session.execute(
                select(ContractVersion.id).where(ContractVersion.contract_id == uuid.UUID(contract_id))
            ).scalar_one()
        )


def test_a_seal_that_fails_after_its_retries_shows_and_alerts_then_seals_once_fixed(
    app, make_app, client, seed, run_jobs, mailbox, tmp_path, caplog
):
    scene = brand_scene(seed)
    draft = _signed_by_both(client, scene, run_jobs, mailbox)  # the seal job now waits in the queue
    broken_cert = tmp_path / "seal.pem"
    broken_cert.write_text("not a certificate")
    broken = make_app(
        SEAL_CERT_PATH=str(broken_cert), SEAL_KEY_PATH=str(broken_cert), OPERATOR_EMAIL="ops@fairpact.example"
    )
    from workers.contracts import seal

    # The last attempt (outside RQ there are no retries left) fails: recorded, visible, alerted.
    with broken.app_context(), caplog.at_level(logging.ERROR), pytest.raises(SealingError):
        seal(scene.tenant_id, _version_id(app, scene.tenant_id, draft["id"]))

    failed = _get(client, scene, draft["id"])
    assert (failed["status"], failed["seal_status"]) == ("signed", "failed")
    assert "cannot be read" in failed["seal_error"] or "not a PEM" in failed["seal_error"]
    assert any("could not be sealed" in record.getMessage() for record in caplog.records)
    assert client.get(f"/api/v1/contracts/{draft['id']}/sealed.pdf", headers=scene.headers).status_code == 409

    retried = client.post(f"/api/v1/contracts/{draft['id']}/retry-seal", headers=scene.headers)
    assert retried.status_code == 202 and retried.json["seal_status"] == "pending"
    run_jobs()  # the operator's email, and the seals (the configured certificate works here)

    alert = mailbox.to("ops@fairpact.example")
    assert alert and "could not be sealed" in alert[0]["Subject"]
    sealed = _get(client, scene, draft["id"])
    assert (sealed["seal_status"], sealed["seal_error"]) == ("sealed", None)
    assert client.get(f"/api/v1/contracts/{draft['id']}/sealed.pdf", headers=scene.headers).status_code == 200


def test_a_seal_failing_before_its_last_retry_stays_pending_with_the_error(
    app, make_app, client, seed, run_jobs, mailbox, tmp_path
):
    from rq import Queue, SimpleWorker

    scene = brand_scene(seed)
    draft = _signed_by_both(client, scene, run_jobs, mailbox)
    broken_cert = tmp_path / "seal.pem"
    broken_cert.write_text("not a certificate")
    broken = make_app(SEAL_CERT_PATH=str(broken_cert), SEAL_KEY_PATH=str(broken_cert))
    from redis import Redis

    from tests.conftest import REDIS_URL
    from workers.kinds import QUEUES

    connection = Redis.from_url(REDIS_URL)
    worker = SimpleWorker([Queue(q, connection=connection) for q in QUEUES], connection=connection)
    with broken.app_context():
        worker.work(burst=True, logging_level="CRITICAL")  # the first attempt fails; RQ schedules a retry

    pending = _get(client, scene, draft["id"])
    assert pending["seal_status"] == "pending" and pending["seal_error"]
    assert mailbox.to("ops@fairpact.example") == []
