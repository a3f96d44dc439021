"""Deliveries end to end: a real event, a real RQ worker, a real HTTP server receiving signed requests."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from rq import Queue
from sqlalchemy import update

from service.extensions import db
from service.models import utcnow
from service.webhooks.delivery import MAX_ATTEMPTS, RETRY_DELAYS
from service.webhooks.models import WebhookDelivery
from service.webhooks.signing import SIGNATURE_HEADER, verify_signature
from tenants.context import tenant_scope
from tests.webhooks.conftest import assert_signed, make_retries_due, scheduled_retries
from tests.webhooks.receiver import Answer


def test_event_reaches_only_subscribed_endpoints_signed_with_their_secret(account, receiver, run_jobs):
    invitations = account.add_endpoint(receiver.url + "/invitations", ["invitation.created"])
    account.add_endpoint(receiver.url + "/keys", ["api_key.created"])

    account.invite("new.colleague@example.com")
    run_jobs()

    [request] = receiver.wait_for(1)
    assert request.path == "/hooks/invitations"
    event = assert_signed(request, invitations["secret"])
    assert event["type"] == "invitation.created"
    assert event["data"]["email"] == "new.colleague@example.com"
    assert event["tenant_id"] == str(account.id)
    assert request.headers["Fairpact-Event-Id"] == event["id"]
    assert request.headers["Fairpact-Event-Type"] == "invitation.created"
    assert request.headers["Content-Type"] == "application/json"


def test_delivery_log_shows_the_response(account, receiver, run_jobs):
    receiver.default = Answer(200, '{"received": true}')
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])
    assert sent["status"] == "pending"

    run_jobs()

    delivery = account.delivery(sent["id"])
    assert delivery["status"] == "delivered"
    assert delivery["delivered_at"] is not None
    assert delivery["payload"]["type"] == "ping"
    [attempt] = delivery["attempts"]
    assert attempt["number"] == 1
    assert attempt["status_code"] == 200
    assert attempt["response_excerpt"] == '{"received": true}'
    assert attempt["error"] is None
    listed = account.call("GET", f"/webhooks/endpoints/{endpoint['id']}/deliveries?status=delivered").json
    assert [d["id"] for d in listed["items"]] == [sent["id"]]


def test_failed_attempt_is_logged_and_retried_after_a_pause(account, receiver, run_jobs, redis):
    receiver.answer_with(Answer(503, "down for maintenance"))
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])

    run_jobs()

    delivery = account.delivery(sent["id"])
    assert delivery["status"] == "pending"
    [first] = delivery["attempts"]
    assert (first["status_code"], first["response_excerpt"]) == (503, "down for maintenance")
    assert first["error"] == "endpoint answered 503"
    # The retry waits in RQ's scheduler for the first backoff step, not in the queue.
    waits = scheduled_retries(redis)
    assert list(waits) == [f"webhook-{sent['id']}-2"]
    assert RETRY_DELAYS[0] - 5 < waits[f"webhook-{sent['id']}-2"] <= RETRY_DELAYS[0]
    assert len(receiver.requests) == 1

    make_retries_due(redis)
    run_jobs(with_scheduler=True)

    first_request, second_request = receiver.wait_for(2)
    assert second_request.headers["Fairpact-Delivery-Attempt"] == "2"
    assert second_request.headers["Fairpact-Event-Id"] == first_request.headers["Fairpact-Event-Id"]
    assert second_request.body == first_request.body
    assert_signed(second_request, endpoint["secret"])
    delivery = account.delivery(sent["id"])
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [503, 200]


def test_backoff_grows_until_the_delivery_fails_for_good(account, receiver, run_jobs, redis):
    receiver.default = Answer(500, "boom")
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])
    run_jobs()

    for attempt, delay in enumerate(RETRY_DELAYS, start=2):
        waits = scheduled_retries(redis)
        assert list(waits) == [f"webhook-{sent['id']}-{attempt}"]
        assert delay - 5 < waits[f"webhook-{sent['id']}-{attempt}"] <= delay
        make_retries_due(redis)
        run_jobs(with_scheduler=True)

    assert len(receiver.wait_for(MAX_ATTEMPTS)) == MAX_ATTEMPTS
    delivery = account.delivery(sent["id"])
    assert delivery["status"] == "failed"
    assert delivery["next_attempt_at"] is None
    assert [a["number"] for a in delivery["attempts"]] == list(range(1, MAX_ATTEMPTS + 1))
    assert scheduled_retries(redis) == {}


def test_private_destination_is_refused_when_the_attempt_is_made(app, account, receiver, run_jobs, monkeypatch):
    # Registered while loopback was allowed; by delivery time the name points somewhere we must not call.
    endpoint = account.add_endpoint(f"http://localhost:{receiver.port}/hooks")
    sent = account.send_test(endpoint["id"])
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", False)

    run_jobs()

    assert receiver.requests == []
    delivery = account.delivery(sent["id"])
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("refused: localhost resolves to 127.0.0.1 is a loopback address")
    assert delivery["status"] == "pending"  # retried later, in case the address is fixed


def test_redirect_is_not_followed(account, receiver, run_jobs):
    receiver.answer_with(Answer(302, "", {"Location": f"http://127.0.0.1:{receiver.port}/elsewhere"}))
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])

    run_jobs()

    assert [r.path for r in receiver.requests] == ["/hooks"]
    [attempt] = account.delivery(sent["id"])["attempts"]
    assert attempt["status_code"] == 302
    assert "not followed" in attempt["error"]


def test_slow_endpoint_times_out(app, account, receiver, run_jobs, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 1)
    receiver.answer_with(Answer(200, "too late", delay=2.5))
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])

    run_jobs()

    [attempt] = account.delivery(sent["id"])["attempts"]
    assert attempt["error"] == "timed out waiting for the endpoint"
    assert 1000 <= attempt["duration_ms"] < 2500


def test_a_job_that_runs_twice_sends_once(account, receiver, run_jobs, redis):
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])
    # A duplicate of the same attempt, as the reconciler racing the original job could queue it.
    Queue("default", connection=redis).enqueue("workers.webhooks.deliver", str(account.id), sent["id"], 1)

    run_jobs()

    time.sleep(0.2)
    assert len(receiver.requests) == 1
    assert len(account.delivery(sent["id"])["attempts"]) == 1


def test_the_reconciler_sends_deliveries_whose_job_was_lost(app, account, receiver, run_jobs, redis):
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])
    redis.flushdb()  # Redis lost the queued job
    with app.app_context(), tenant_scope(account.id):
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == uuid.UUID(sent["id"]))
            .values(next_attempt_at=utcnow() - timedelta(minutes=5))
        )
        db.session.commit()
    run_jobs()
    assert receiver.requests == []

    Queue("low", connection=redis).enqueue("workers.reconcile.reconcile_job")
    run_jobs()

    assert len(receiver.wait_for(1)) == 1
    assert account.delivery(sent["id"])["status"] == "delivered"


def test_disabling_an_endpoint_stops_its_retries(account, receiver, run_jobs, redis):
    receiver.default = Answer(500, "boom")
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])
    run_jobs()

    response = account.call("PATCH", f"/webhooks/endpoints/{endpoint['id']}", json={"active": False})
    assert response.status_code == 200 and response.json["active"] is False
    make_retries_due(redis)
    run_jobs(with_scheduler=True)

    assert len(receiver.requests) == 1
    delivery = account.delivery(sent["id"])
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) == 1


def test_redeliver_sends_the_same_event_again(account, receiver, run_jobs):
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])
    run_jobs()

    response = account.call("POST", f"/webhooks/deliveries/{sent['id']}/redeliver")
    assert response.status_code == 202, response.json
    assert response.json["status"] == "pending"
    run_jobs()

    first, second = receiver.wait_for(2)
    assert second.headers["Fairpact-Event-Id"] == first.headers["Fairpact-Event-Id"]
    assert second.headers["Fairpact-Delivery-Attempt"] == "2"
    assert account.delivery(sent["id"])["status"] == "delivered"


def test_redeliver_refuses_a_delivery_still_in_progress(account, receiver):
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])

    response = account.call("POST", f"/webhooks/deliveries/{sent['id']}/redeliver")

    assert response.status_code == 409
    assert "still being attempted" in response.json["message"]


def test_rotated_secret_signs_the_next_delivery(account, receiver, run_jobs):
    endpoint = account.add_endpoint(receiver.url)
    rotated = account.call("POST", f"/webhooks/endpoints/{endpoint['id']}/rotate-secret").json
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]

    account.send_test(endpoint["id"])
    run_jobs()

    [request] = receiver.wait_for(1)
    assert_signed(request, rotated["secret"])
    assert not verify_signature(
        endpoint["secret"], request.headers[SIGNATURE_HEADER], request.body, now=int(time.time())
    )


def test_deleting_an_endpoint_cancels_its_queued_deliveries(account, receiver, run_jobs):
    endpoint = account.add_endpoint(receiver.url)
    sent = account.send_test(endpoint["id"])

    assert account.call("DELETE", f"/webhooks/endpoints/{endpoint['id']}").status_code == 204
    run_jobs()

    assert receiver.requests == []
    assert account.call("GET", f"/webhooks/deliveries/{sent['id']}").status_code == 404


def test_events_never_reach_another_tenants_endpoints(account, other_account, receiver, run_jobs):
    account.add_endpoint(receiver.url + "/mine")
    other_account.add_endpoint(receiver.url + "/theirs")

    account.invite("only.for.me@example.com")
    run_jobs()

    time.sleep(0.2)
    assert [r.path for r in receiver.requests] == ["/hooks/mine"]
