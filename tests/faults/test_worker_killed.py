"""A worker SIGKILLed in the middle of a check batch, a PDF render and a seal: after a new worker comes
back, every post has exactly one current result, every contract is rendered and sealed exactly once, and
nothing is counted or sent twice.

Each test holds the job at a pause point (service/faults.py) inside its transaction, kills the worker and
its work horse, waits until the job's heartbeat has lapsed, and starts a new `fairpact worker --burst`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.billing.models import UsageRecord
from service.contracts.models import ContractVersion
from service.disclosure.models import Check, CheckStatus
from service.extensions import db
from tenants.context import tenant_scope
from tests.contracts_flow.support import brand_scene, create_contract, creator_labelling, send, sign_form, sign_link
from tests.disclosure_flow.support import Brand
from tests.faults.support import kill_worker, run_worker_until_idle, start_worker, wait_until_abandoned, worker_env

LABELLED = "Werbung | Mein liebster Sommerbegleiter #sonnencreme"


def _kill_at(point, pauses, env, redis, tmp_path) -> None:
    """Start a worker, let a job reach ``point``, kill the worker there, and start a new one."""
    pauses.arm(point)
    first = start_worker(env, "--burst", log=tmp_path / "first-worker.log")
    try:
        horse = pauses.wait_reached(point)
    except AssertionError:
        first.kill()
        raise AssertionError((tmp_path / "first-worker.log").read_text()[-3000:]) from None
    kill_worker(first, horse)
    wait_until_abandoned(redis)
    run_worker_until_idle(env, tmp_path / "second-worker.log")


def _count(app, tenant_id, statement) -> int:
    with app.app_context(), tenant_scope(tenant_id):
        return int(db.session.execute(statement).scalar_one())


def test_a_worker_killed_in_the_middle_of_a_check_batch(
    app, client, seed, redis, pauses, database_url, mailbox, tmp_path
):
    brand = Brand(client, seed)
    campaign = brand.campaign(["DE"])
    posts = [brand.post(campaign["id"]) for _ in range(3)]
    for post in posts:
        brand.submit(post["id"], caption=LABELLED)  # one batch job checks all three

    # Killed after the first post of the batch was checked, before the batch committed.
    _kill_at("disclosure.check_batch", pauses, worker_env(database_url, mailbox.port, pauses.folder), redis, tmp_path)

    for post in posts:
        checks = brand.call("GET", f"/disclosure/posts/{post['id']}/checks", 200).json["items"]
        submitted = [c for c in checks if c["trigger"] != "recheck"]
        assert [c["status"] for c in submitted] == ["done"], checks
        current = brand.call("GET", f"/disclosure/posts/{post['id']}", 200).json
        assert current["latest_check_id"] == submitted[0]["id"]
    usage = _count(app, brand.tenant.id, select(func.count()).select_from(UsageRecord))
    assert usage == 3  # one check counted per post, none twice
    # Three checks done and two re-checks waiting per post: nothing of the killed batch survived as a row.
    assert _count(app, brand.tenant.id, select(func.count()).select_from(Check)) == 9
    scheduled = select(func.count()).select_from(Check).where(Check.status == CheckStatus.SCHEDULED)
    assert _count(app, brand.tenant.id, scheduled) == 6


def test_a_worker_killed_in_the_middle_of_a_pdf_render(
    app, client, seed, redis, pauses, database_url, mailbox, tmp_path
):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    assert send(client, scene, draft["id"]).status_code == 202

    # Killed after the PDF was rendered and stored, before its row and the signing emails committed.
    _kill_at("contracts.render", pauses, worker_env(database_url, mailbox.port, pauses.folder), redis, tmp_path)

    contract = client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json
    assert contract["current_version"]["document"]["ready"] is True
    mailbox.wait_for(2)
    assert len(mailbox.to(scene.creator_email)) == 1 and len(mailbox.to("nora@nordlicht.example")) == 1
    assert sign_link(mailbox, scene.creator_email)
    pdf = client.get(f"/api/v1/contracts/{draft['id']}/document.pdf", headers=scene.headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_worker_killed_in_the_middle_of_a_seal(
    app, client, seed, redis, run_jobs, pauses, database_url, mailbox, tmp_path
):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    send(client, scene, draft["id"])
    run_jobs()  # render and signing emails
    mailbox.wait_for(2)
    sign_form(client, sign_link(mailbox, "nora@nordlicht.example"))
    sign_form(client, sign_link(mailbox, scene.creator_email), **creator_labelling())
    mailbox.clear()  # the seal job now waits in the queue

    # Killed after the sealed PDF was stored and recorded, before the transaction committed.
    _kill_at("contracts.seal", pauses, worker_env(database_url, mailbox.port, pauses.folder), redis, tmp_path)

    contract = client.get(f"/api/v1/contracts/{draft['id']}", headers=scene.headers).json
    assert (contract["status"], contract["seal_status"]) == ("signed", "sealed")
    sealed = client.get(f"/api/v1/contracts/{draft['id']}/sealed.pdf", headers=scene.headers)
    assert sealed.status_code == 200 and sealed.data.startswith(b"%PDF")
    contract_id = uuid.UUID(draft["id"])
    events = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "contract.sealed")
    assert _count(app, scene.tenant_id, events.where(AuditEvent.target_id == contract_id)) == 1
    sealed_usage = select(func.count()).select_from(UsageRecord).where(UsageRecord.kind == "sealed_contract")
    assert _count(app, scene.tenant_id, sealed_usage) == 1
    versions = select(func.count()).select_from(ContractVersion).where(ContractVersion.sealed_sha256.is_not(None))
    assert _count(app, scene.tenant_id, versions) == 1
    # Each party got the sealed copy once.
    mailbox.wait_for(2)
    assert len(mailbox.to(scene.creator_email)) == 1 and len(mailbox.to("nora@nordlicht.example")) == 1


def test_a_worker_killed_while_reporting_usage_bills_nothing_twice(
    billing_app, fake_stripe, seed, redis, pauses, database_url, mailbox, tmp_path
):
    from service.billing.usage import record_usage
    from tests.billing.conftest import TEST_PLANS, WEBHOOK_SECRET
    from tests.billing.fake_stripe import API_KEY
    from tests.billing.support import subscribe
    from tests.faults.support import FakeStripeServer

    tenant = seed.make_tenant()
    subscribe(billing_app, fake_stripe, tenant.id)
    with billing_app.app_context(), tenant_scope(tenant.id):
        for reference in ("check-a", "check-b", "check-c"):
            record_usage("disclosure_check", reference)
        db.session.commit()
    stripe = FakeStripeServer(fake_stripe)
    try:
        env = worker_env(
            database_url,
            mailbox.port,
            pauses.folder,
            STRIPE_SECRET_KEY=API_KEY,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            BILLING_PLANS_FILE=str(TEST_PLANS),
            STRIPE_API_BASE=stripe.url,
        )
        # Killed after Stripe accepted the first event, before the worker recorded that it did.
        _kill_at("billing.report_usage", pauses, env, redis, tmp_path)
    finally:
        stripe.close()

    with billing_app.app_context(), tenant_scope(tenant.id):
        rows = db.session.execute(select(UsageRecord)).scalars().all()
        assert {row.report_status for row in rows} == {"reported"}
        identifiers = {row.meter_identifier for row in rows}
    sent = [r.params["identifier"] for r in fake_stripe.sent("POST", "/v1/billing/meter_events")]
    assert len(sent) == 4  # the first event went twice: once before the kill, once after
    # ... under the same identifier, Stripe's dedup key: Stripe holds each usage event exactly once.
    assert sorted(set(sent)) == sorted(identifiers) and set(fake_stripe.meter_events) == identifiers
