"""The bulk check page follows a running check by itself: a JSON progress URL, polled by a static script."""

from __future__ import annotations

import io
import json

import pytest
from playwright.sync_api import Page, expect

from service.disclosure import bulk as bulk_ops
from tests.browser.test_journeys import sign_in as browser_sign_in
from tests.disclosure_flow.support import Brand
from tests.support.web import csrf_token, sign_in

ROWS = [
    {
        "id": f"p{n}",
        "jurisdiction": "DE",
        "platform": "instagram",
        "media_type": "image",
        "relationship": "paid",
        "caption": caption,
    }
    for n, caption in enumerate(["Werbung | Sommer", "Sommer am See", "Anzeige | Sonne"], start=1)
]


def _upload(brand: Brand) -> str:
    body = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
    return brand.call(
        "POST",
        "/disclosure/bulk-checks",
        202,
        data={"file": (io.BytesIO(body), "posts.jsonl")},
        content_type="multipart/form-data",
    ).json["id"]


def test_the_progress_url_follows_the_batches_and_the_page_refreshes_only_while_running(
    app, client, seed, run_jobs, monkeypatch
):
    monkeypatch.setattr(bulk_ops, "BATCH_ROWS", 1)
    brand = Brand(client, seed)
    bulk_id = _upload(brand)
    staff = app.test_client()
    sign_in(staff, brand.tenant.owner.email)
    page = staff.get(f"/disclosure/bulk/{bulk_id}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh"' in page  # the fallback without scripts
    assert "/static/bulk.js" in page

    start = staff.get(f"/disclosure/bulk/{bulk_id}/progress")
    assert start.mimetype == "application/json" and start.headers["Cache-Control"] == "no-store"
    assert start.json | {"verdicts": None} == {
        "status": "running",
        "percent": 0,
        "processed_rows": 0,
        "total_rows": 3,
        "bad_rows": 0,
        "summary": "0 of 3 rows processed; 0 could not be checked.",
        "verdicts": None,
    }
    assert run_jobs(max_jobs=1) == 1
    halfway = staff.get(f"/disclosure/bulk/{bulk_id}/progress").json
    assert halfway["processed_rows"] == 1 and halfway["percent"] == 33 and halfway["status"] == "running"

    run_jobs()
    done = staff.get(f"/disclosure/bulk/{bulk_id}/progress", headers={"Accept-Language": "de"}).json
    assert done["status"] == "done" and done["percent"] == 100
    assert done["verdicts"] == [["compliant", 2], ["violation", 1]]
    assert done["summary"].startswith("3 von 3")
    finished = staff.get(f"/disclosure/bulk/{bulk_id}").get_data(as_text=True)
    assert "refresh" not in finished and "bulk.js" not in finished


def test_another_tenant_gets_no_progress(app, client, seed):
    brand = Brand(client, seed)
    bulk_id = _upload(brand)
    stranger = seed.make_tenant(name="Fremd GmbH")
    other = app.test_client()
    sign_in(other, stranger.owner.email)
    assert other.get(f"/disclosure/bulk/{bulk_id}/progress").status_code == 404


@pytest.mark.browser
def test_the_counter_advances_in_chromium_without_a_reload(
    page: Page, live_server, client, seed, run_jobs, monkeypatch
):
    monkeypatch.setattr(bulk_ops, "BATCH_ROWS", 1)
    brand = Brand(client, seed)
    bulk_id = _upload(brand)
    browser_sign_in(page, live_server, brand.tenant.owner.email)
    page.goto(f"{live_server}/disclosure/bulk/{bulk_id}")
    summary = page.locator('[data-field="summary"]')
    expect(summary).to_have_text("0 of 3 rows processed; 0 could not be checked.")
    page.evaluate("window.stillTheSamePage = true")  # gone if anything reloads the page

    run_jobs(max_jobs=1)
    expect(summary).to_have_text("1 of 3 rows processed; 0 could not be checked.", timeout=10_000)
    run_jobs()
    expect(summary).to_have_text("3 of 3 rows processed; 0 could not be checked.", timeout=10_000)
    expect(page.locator("progress")).to_have_attribute("value", "100")
    expect(page.get_by_text("this page updates itself")).to_be_hidden()
    assert page.evaluate("window.stillTheSamePage") is True


def test_a_file_uploaded_on_the_web_page_is_checked_and_a_bad_file_is_refused_there(app, client, seed, run_jobs):
    brand = Brand(client, seed)
    staff = app.test_client()
    sign_in(staff, brand.tenant.owner.email)
    token = csrf_token(staff, "/disclosure/bulk")
    body = "".join(json.dumps(row) + "\n" for row in ROWS).encode()
    sent = staff.post(
        "/disclosure/bulk",
        data={"csrf_token": token, "file": (io.BytesIO(body), "posts.jsonl")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302 and "/disclosure/bulk/" in sent.headers["Location"]
    run_jobs()
    page = staff.get(sent.headers["Location"]).get_data(as_text=True)
    assert "3 of 3 rows processed" in page

    refused = staff.post(
        "/disclosure/bulk",
        data={"csrf_token": token, "file": (io.BytesIO(b"%PDF-1.7"), "posts.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert 'class="flash error"' in refused
