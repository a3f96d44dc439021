"""Redis flushed while work is queued: the reconciler finds what the database says is pending and queues
it again; a second run adds nothing; then a worker does all of it, once. And the reconciler leaves alone a
job that runs on a live worker."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from rq import Queue

from tests.contracts_flow.support import brand_scene, create_contract, send, sign_link
from tests.disclosure_flow.support import Brand
from tests.factories import bearer
from tests.faults.support import start_worker, worker_env
from workers.kinds import QUEUES
from workers.reconcile import reconcile


def _reconcile(database_url: str, smtp_port: int) -> dict[str, dict[str, int]]:
    """`fairpact reconcile`, as an operator runs it after losing Redis."""
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "reconcile", "--grace", "0"],
        env=worker_env(database_url, smtp_port),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _queued(redis) -> int:  # type: ignore[no-untyped-def]
    return sum(Queue(name, connection=redis).count for name in QUEUES)


def test_work_queued_before_redis_was_flushed_is_queued_again_and_done_once(
    app, client, seed, redis, run_jobs, mailbox, database_url
):
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    brand.submit(post["id"], caption="Werbung | Sommer #sonnencreme")
    scene = brand_scene(seed, "Nordlicht")
    draft = create_contract(client, scene)
    send(client, scene, draft["id"])
    invited = client.post(
        "/api/v1/invitations/users", json={"email": "new@example.com", "role": "viewer"}, headers=brand.headers
    )
    assert invited.status_code == 201
    assert _queued(redis) > 0
    redis.flushdb()  # Redis restarted without its data: every queued job is gone

    first = _reconcile(database_url, mailbox.port)
    assert first["checks"] == {"found": 2, "queued": 2}  # one run per shard of the brand
    assert first["contract_documents"] == {"found": 1, "queued": 1}
    assert first["emails"] == {"found": 1, "queued": 1}
    queued = _queued(redis)
    assert queued == 4

    with app.app_context():  # a second run (the periodic one, or another worker's) while they wait
        again = reconcile(grace_seconds=0)
    assert again["contract_documents"] == {"found": 1, "already queued": 1}
    assert again["emails"] == {"found": 1, "already queued": 1}
    assert again["checks"] == {"found": 2, "already queued": 2}
    assert _queued(redis) == queued

    run_jobs()
    checks = brand.call("GET", f"/disclosure/posts/{post['id']}/checks", 200).json["items"]
    assert [c["status"] for c in checks if c["trigger"] != "recheck"] == ["done"]
    document = client.get(f"/api/v1/contracts/{draft['id']}", headers=bearer(scene.key)).json["current_version"]
    assert document["document"]["ready"] is True
    assert sign_link(mailbox, scene.creator_email)
    assert len(mailbox.to("new@example.com")) == 1
    assert len(mailbox.to(scene.creator_email)) == 1  # the signing email, once

    with app.app_context():
        after = reconcile(grace_seconds=0)
    assert all(summary == {"found": 0} for summary in after.values()), after  # nothing is pending any more


def test_a_job_running_on_a_live_worker_is_not_queued_again(
    app, client, seed, redis, pauses, database_url, mailbox, tmp_path
):
    scene = brand_scene(seed)
    draft = create_contract(client, scene)
    send(client, scene, draft["id"])
    pauses.arm("contracts.render")
    worker = start_worker(worker_env(database_url, mailbox.port, pauses.folder), "--burst", log=tmp_path / "w.log")
    try:
        pauses.wait_reached("contracts.render")
        time.sleep(4)  # longer than a lapsed heartbeat takes (3 s): only the worker's live heartbeat holds it
        with app.app_context():
            assert reconcile(grace_seconds=0)["contract_documents"] == {"found": 1, "already queued": 1}
        (pauses.folder / "contracts.render.release").write_text("go on")
        assert worker.wait(timeout=120) == 0, (tmp_path / "w.log").read_text()[-3000:]
    finally:
        if worker.poll() is None:
            worker.kill()
    document = client.get(f"/api/v1/contracts/{draft['id']}", headers=bearer(scene.key)).json["current_version"]
    assert document["document"]["ready"] is True
    mailbox.wait_for(2)
    assert len(mailbox.to(scene.creator_email)) == 1  # rendered once, its signing email sent once
