"""A check through real RQ workers: submission -> evidence -> result -> alert (email and signed webhook)."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from service.disclosure.models import Check, CheckStatus
from service.extensions import db
from service.models import utcnow
from service.webhooks.signing import SIGNATURE_HEADER
from tenants.context import tenant_scope
from tests.disclosure_flow.support import Brand, page_server
from tests.support.mailbox import body_of
from tests.webhooks.receiver import running_receiver

UNLABELLED = "Mein liebster Sommerbegleiter ☀️ #sonnencreme #sommer"
LABELLED = "Werbung | Mein liebster Sommerbegleiter ☀️ #sonnencreme #sommer"


def test_obligation_is_in_the_creators_language_with_an_example(client, seed):
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    german = brand.call("GET", f"/disclosure/posts/{post['id']}/obligation?lang=de", 200).json
    assert german["required"] is True
    assert german["language"] == "de"
    assert "Werbung" in german["example"] or "Anzeige" in german["example"]
    assert german["jurisdictions"][0]["jurisdiction"] == "DE"


def test_violation_alerts_brand_and_creator_by_email_and_signed_webhook(app, client, seed, run_jobs, mailbox):
    brand = Brand(client, seed)
    with running_receiver() as receiver:
        brand.subscribe(receiver.url, ["check.violation", "check.completed", "post.submitted"])
        post = brand.post(brand.campaign(["DE"])["id"])
        submitted = brand.submit(post["id"], caption=UNLABELLED)
        assert submitted["check"]["status"] == "pending"
        mailbox.clear()

        assert run_jobs() >= 1

        check = brand.call("GET", f"/disclosure/checks/{submitted['check']['id']}", 200).json
        assert check["status"] == "done"
        assert check["verdict"] == "violation"
        assert "DE-LABEL-MISSING" in check["rule_ids"]
        assert check["findings"]["de"] and check["findings"]["en"][0]["fix"]
        assert check["evidence"]["caption"] == UNLABELLED
        assert check["evidence_source"] == "submission"
        assert len(check["evidence_sha256"]) == 64
        assert check["pack_versions"]["DE"]

        received = receiver.wait_for(3)
        types = sorted(json.loads(r.body)["type"] for r in received)
        assert types == ["check.completed", "check.violation", "post.submitted"]
        violation = next(r for r in received if json.loads(r.body)["type"] == "check.violation")
        assert SIGNATURE_HEADER.lower() in {k.lower() for k in violation.headers}
        assert json.loads(violation.body)["data"]["rule_ids"] == check["rule_ids"]

    messages = mailbox.wait_for(2)
    recipients = {m["To"] for m in messages}
    assert brand.creator.email in recipients
    assert brand.tenant.owner.email in recipients
    creator_mail = next(m for m in messages if m["To"] == brand.creator.email)
    assert "Werbung" in body_of(creator_mail)

    # The same job again changes nothing: one result, one alert.
    post_after = brand.call("GET", f"/disclosure/posts/{post['id']}", 200).json
    assert post_after["status"] == "violation"
    assert run_jobs() == 0


def test_compliant_post_raises_no_alert_and_schedules_rechecks(app, client, seed, run_jobs):
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    brand.submit(post["id"], caption=LABELLED)
    run_jobs()
    assert brand.call("GET", f"/disclosure/posts/{post['id']}", 200).json["latest_verdict"] == "compliant"
    with app.app_context(), tenant_scope(brand.tenant.id):
        scheduled = db.session.execute(select(Check).where(Check.status == CheckStatus.SCHEDULED)).scalars().all()
        delays = sorted(round((c.due_at - utcnow()).total_seconds() / 3600) for c in scheduled)
        assert delays == [24, 7 * 24]
        from service.disclosure.models import Alert

        assert db.session.execute(select(Alert)).first() is None


def test_recheck_finds_the_label_removed_and_alerts_again(app, client, seed, run_jobs, mailbox):
    brand = Brand(client, seed)
    with page_server() as pages:
        link = pages.page("/p/1", LABELLED)
        post = brand.post(brand.campaign(["DE"])["id"])
        brand.submit(post["id"], caption=LABELLED, link=link)
        run_jobs()
        assert brand.call("GET", f"/disclosure/posts/{post['id']}", 200).json["latest_verdict"] == "compliant"

        # After approval the creator edits the label away; the 24-hour re-check comes due.
        pages.page("/p/1", UNLABELLED)
        with app.app_context(), tenant_scope(brand.tenant.id):
            first = db.session.execute(
                select(Check).where(Check.status == CheckStatus.SCHEDULED).order_by(Check.due_at).limit(1)
            ).scalar_one()
            db.session.execute(update(Check).where(Check.id == first.id).values(due_at=utcnow() - timedelta(seconds=1)))
            db.session.commit()
            recheck_id = first.id
        from workers.disclosure import recheck

        with app.app_context():
            assert recheck(brand.tenant.id, str(recheck_id)) is True

    check = brand.call("GET", f"/disclosure/checks/{recheck_id}", 200).json
    assert check["trigger"] == "recheck"
    assert check["verdict"] == "violation"
    assert check["evidence_source"] == "http_metadata"
    assert check["evidence_url"] == link
    assert check["evidence"]["caption"] == UNLABELLED
    run_jobs()
    messages = mailbox.wait_for(2)
    assert any(m["To"] == brand.creator.email for m in messages)


def test_the_reconciler_starts_due_rechecks_whose_job_was_lost(app, client, seed, run_jobs, redis):
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    brand.submit(post["id"], caption=LABELLED)
    run_jobs()
    redis.flushdb()  # Redis lost the delayed re-check jobs
    with app.app_context(), tenant_scope(brand.tenant.id):
        db.session.execute(update(Check).where(Check.status == CheckStatus.SCHEDULED).values(due_at=utcnow()))
        db.session.commit()
    from workers.reconcile import reconcile

    with app.app_context():
        assert reconcile()["checks"] == {"found": 2, "queued": 2}  # one run per shard of the tenant
    run_jobs()
    checks = brand.call("GET", f"/disclosure/posts/{post['id']}/checks", 200).json["items"]
    assert [c["trigger"] for c in checks].count("recheck") == 2
    assert all(c["status"] == "done" for c in checks)


def test_another_tenants_post_is_not_found(client, seed):
    brand, other = Brand(client, seed), Brand(client, seed, "Other GmbH")
    post = brand.post(brand.campaign()["id"])
    assert other.call("GET", f"/disclosure/posts/{post['id']}").status_code == 404
    assert other.call("POST", f"/disclosure/posts/{post['id']}/submissions", json={"caption": "x"}).status_code == 404
    assert other.call("GET", f"/disclosure/checks/{uuid.uuid4()}").status_code == 404
