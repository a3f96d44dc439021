"""Submitting many posts in one request (POST /disclosure/submissions), checked by real RQ workers in batches."""

from __future__ import annotations

import uuid
from collections import Counter

from rq import Queue
from sqlalchemy import func, select

from service.billing.models import UsageRecord
from service.disclosure.models import Alert, Check, CheckStatus, CheckTrigger, DeliverablePost, Submission
from service.extensions import db
from tenants.context import tenant_scope
from tests.billing.conftest import billing_app, fake_stripe
from tests.disclosure_flow.support import Brand
from tests.support.mailbox import body_of
from workers.kinds import JOB_KINDS

__all__ = ["billing_app", "fake_stripe"]

LABELLED = "Werbung | Mein liebster Sommerbegleiter ☀️ #sonnencreme #sommer"
UNLABELLED = "Mein liebster Sommerbegleiter ☀️ #sonnencreme #sommer"


def posts_of(brand: Brand, count: int) -> list[str]:
    campaign = brand.campaign(["DE"])["id"]
    return [brand.post(campaign)["id"] for _ in range(count)]


def stored(app, brand: Brand, model: type) -> int:
    with app.app_context(), tenant_scope(brand.tenant.id):
        return int(db.session.execute(select(func.count()).select_from(model)).scalar_one())


def submit(brand: Brand, items: list[dict], expect: int, **headers: str):
    response = brand.client.post(
        "/api/v1/disclosure/submissions", json={"items": items}, headers={**brand.headers, **headers}
    )
    assert response.status_code == expect, response.get_data(as_text=True)
    return response


def test_a_batch_is_checked_by_the_workers_with_every_guarantee(app, client, seed, run_jobs, mailbox):
    brand = Brand(client, seed)
    post_ids = posts_of(brand, 5)
    captions = [LABELLED, UNLABELLED, LABELLED, UNLABELLED, UNLABELLED]
    answer = submit(brand, [{"post_id": p, "caption": c} for p, c in zip(post_ids, captions, strict=True)], 202).json
    assert answer["count"] == 5
    assert [item["post_id"] for item in answer["items"]] == post_ids
    mailbox.clear()

    assert run_jobs() >= 1

    verdicts = []
    for item, caption in zip(answer["items"], captions, strict=True):
        check = brand.call("GET", f"/disclosure/checks/{item['check_id']}", 200).json
        assert check["status"] == "done" and check["submission_id"] == item["submission_id"]
        assert check["evidence"]["caption"] == caption and len(check["evidence_sha256"]) == 64
        post = brand.call("GET", f"/disclosure/posts/{item['post_id']}", 200).json
        assert post["latest_check_id"] == item["check_id"] and post["latest_verdict"] == check["verdict"]
        verdicts.append(check["verdict"])
    assert verdicts == ["compliant", "violation", "compliant", "violation", "violation"]
    assert stored(app, brand, UsageRecord) == 5
    assert stored(app, brand, Alert) == 3
    with app.app_context(), tenant_scope(brand.tenant.id):
        rechecks = db.session.execute(select(Check).where(Check.status == CheckStatus.SCHEDULED)).scalars().all()
        assert Counter(str(c.post_id) for c in rechecks) == dict.fromkeys(post_ids, 2)
    # One email per recipient for the whole batch: the owner and the creator each get a digest of three posts.
    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted([brand.tenant.owner.email, brand.creator.email])
    for message in messages:
        body = body_of(message)
        assert sum(post_id in body for post_id in post_ids) == 3


def test_one_bad_item_refuses_the_batch_and_stores_nothing(app, client, seed):
    brand = Brand(client, seed)
    post_ids = posts_of(brand, 3)
    items = [
        {"post_id": post_ids[0], "caption": LABELLED},
        {"post_id": post_ids[1], "caption": "   "},
        {"post_id": str(uuid.uuid4()), "caption": LABELLED},
        {"post_id": post_ids[0], "caption": LABELLED},
        {"post_id": post_ids[2], "caption": LABELLED, "link": "http://10.0.0.1/p/1"},
    ]
    body = submit(brand, items, 422).json
    assert set(body) == {"code", "status", "message", "errors"} and body["code"] == "validation_failed"
    problems = body["errors"]["json"]["items"]
    assert set(problems) == {"1", "2", "3", "4"}
    assert "caption" in problems["1"]
    assert problems["2"]["post_id"] == ["No post with this id in your account."]
    assert "twice" in problems["3"]["post_id"][0]
    assert "link" in problems["4"]
    assert stored(app, brand, Submission) == stored(app, brand, Check) == 0
    assert all(brand.call("GET", f"/disclosure/posts/{p}", 200).json["status"] == "planned" for p in post_ids)


def test_a_wrong_shape_is_reported_under_the_items_index(client, seed):
    brand = Brand(client, seed)
    (post_id,) = posts_of(brand, 1)
    items = [{"post_id": post_id, "caption": LABELLED}, {"post_id": "not-a-uuid", "caption": 7}]
    problems = submit(brand, items, 422).json["errors"]["json"]["items"]
    assert set(problems) == {"1"} and set(problems["1"]) == {"post_id", "caption"}
    assert "items" in submit(brand, [], 422).json["errors"]["json"]


def test_another_tenants_post_is_not_found_for_its_item(app, client, seed):
    brand, other = Brand(client, seed), Brand(client, seed, "Other GmbH")
    (victim_post,) = posts_of(brand, 1)
    (own_post,) = posts_of(other, 1)
    items = [{"post_id": own_post, "caption": LABELLED}, {"post_id": victim_post, "caption": LABELLED}]
    response = submit(other, items, 422)
    assert response.json["errors"]["json"]["items"] == {"1": {"post_id": ["No post with this id in your account."]}}
    assert "Sonnencreme Reel" not in response.get_data(as_text=True)
    assert stored(app, brand, Submission) == stored(app, other, Submission) == 0


def test_a_retried_batch_with_its_idempotency_key_is_stored_once(app, client, seed):
    brand = Brand(client, seed)
    items = [{"post_id": p, "caption": LABELLED} for p in posts_of(brand, 2)]
    first = submit(brand, items, 202, **{"Idempotency-Key": "batch-1"})
    again = submit(brand, items, 202, **{"Idempotency-Key": "batch-1"})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert stored(app, brand, Submission) == 2
    changed = [{**items[0], "caption": UNLABELLED}, items[1]]
    assert submit(brand, changed, 422, **{"Idempotency-Key": "batch-1"}).json["errors"]["Idempotency-Key"]


def test_a_batch_needs_room_in_the_plan_for_all_its_checks(billing_app, seed):
    # The test plans' trial includes 3 disclosure checks.
    brand = Brand(billing_app.test_client(), seed)
    post_ids = posts_of(brand, 4)
    body = submit(brand, [{"post_id": p, "caption": LABELLED} for p in post_ids], 402).json
    assert body["code"] == "plan_limit_reached" and "needs 4" in body["message"]
    assert stored(billing_app, brand, Submission) == 0
    submit(brand, [{"post_id": p, "caption": LABELLED} for p in post_ids[:3]], 202)


def test_the_batched_job_run_twice_leaves_one_current_result_per_post(app, client, seed, run_jobs, redis):
    brand = Brand(client, seed)
    post_ids = posts_of(brand, 4)
    submit(brand, [{"post_id": p, "caption": UNLABELLED} for p in post_ids], 202)
    # The same run job queued again (a retry, a sweep) on top of the ones the submission asked for.
    kind = JOB_KINDS["disclosure.run_checks"]
    for shard in (0, 1, 0):
        Queue(kind.queue, connection=redis).enqueue(kind.path, str(brand.tenant.id), shard)
    run_jobs()
    from workers.disclosure import run_checks

    with app.app_context():
        assert run_checks(str(brand.tenant.id), 0) == 0

    with app.app_context(), tenant_scope(brand.tenant.id):
        done = db.session.execute(
            select(Check.post_id).where(Check.trigger == CheckTrigger.SUBMISSION, Check.status == CheckStatus.DONE)
        ).scalars()
        assert Counter(str(p) for p in done) == dict.fromkeys(post_ids, 1)
        latest = db.session.execute(select(DeliverablePost.latest_check_id)).scalars().all()
        assert len(set(latest)) == 4 and None not in latest
    assert stored(app, brand, UsageRecord) == 4
    assert stored(app, brand, Alert) == 4


def test_a_batchs_rechecks_are_started_by_one_delayed_job_per_delay(app, client, seed, run_jobs, redis):
    from datetime import timedelta

    from rq.registry import ScheduledJobRegistry
    from sqlalchemy import update

    from service.models import utcnow
    from workers.disclosure import start_rechecks

    brand = Brand(client, seed)
    post_ids = posts_of(brand, 3)
    submit(brand, [{"post_id": p, "caption": LABELLED} for p in post_ids], 202)
    run_jobs()
    kind = JOB_KINDS["disclosure.start_rechecks"]
    delayed = ScheduledJobRegistry(kind.queue, connection=redis).get_job_ids()
    assert len([job_id for job_id in delayed if job_id.startswith("disclosure-rechecks-")]) == 2

    with app.app_context(), tenant_scope(brand.tenant.id):
        db.session.execute(
            update(Check).where(Check.status == CheckStatus.SCHEDULED).values(due_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    with app.app_context():
        assert start_rechecks(str(brand.tenant.id)) == 6
    run_jobs()
    with app.app_context(), tenant_scope(brand.tenant.id):
        rechecks = db.session.execute(select(Check).where(Check.trigger == CheckTrigger.RECHECK)).scalars().all()
        assert len(rechecks) == 6 and all(c.status == CheckStatus.DONE for c in rechecks)
    # A re-check is counted like any check; it schedules no further re-checks.
    assert stored(app, brand, UsageRecord) == 9
