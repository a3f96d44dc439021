"""Bulk checks: an upload split into batched jobs, bad rows reported by line, results downloadable."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from service.disclosure import bulk as bulk_ops
from tests.disclosure_flow.support import Brand

GOOD = {
    "jurisdiction": "DE",
    "platform": "instagram",
    "media_type": "image",
    "relationship": "paid",
    "paid_partnership_tag": False,
}


def _jsonl(rows: Sequence[object]) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows).encode()


def test_jsonl_upload_with_bad_rows_is_checked_in_batches(client, seed, run_jobs, monkeypatch):
    monkeypatch.setattr(bulk_ops, "BATCH_ROWS", 2)
    brand = Brand(client, seed)
    rows = [
        {**GOOD, "id": "a", "caption": "Werbung | Sommer am See"},
        "{not json",
        {**GOOD, "id": "b", "caption": "Sommer am See #ad"},
        {"id": "c", "caption": "no jurisdiction", "platform": "instagram"},
        {**GOOD, "id": '=HYPERLINK("http://evil")', "caption": "Sommer"},
    ]
    upload = brand.call(
        "POST",
        "/disclosure/bulk-checks?lang=de",
        202,
        data={"file": (io.BytesIO(_jsonl(rows)), "posts.jsonl")},
        content_type="multipart/form-data",
    ).json
    assert upload["status"] == "running" and upload["total_rows"] == 5 and upload["percent"] == 0

    assert run_jobs() >= 3  # 5 rows in batches of 2: three jobs, not five

    done = brand.call("GET", f"/disclosure/bulk-checks/{upload['id']}", 200).json
    assert done["status"] == "done" and done["percent"] == 100
    assert done["bad_rows"] == 2 and done["checked_rows"] == 3

    lines = brand.call("GET", f"/disclosure/bulk-checks/{upload['id']}/results?format=jsonl", 200)
    results = [json.loads(line) for line in lines.get_data(as_text=True).splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5]
    assert results[0]["verdict"] == "compliant"
    assert "not valid JSON" in results[1]["problem"]
    assert results[2]["verdict"] == "violation" and results[2]["findings"][0]["message"]
    assert "jurisdiction" in results[3]["problem"]

    table = brand.call("GET", f"/disclosure/bulk-checks/{upload['id']}/results?format=csv", 200)
    cells = list(csv.reader(io.StringIO(table.get_data(as_text=True))))
    assert cells[0][:3] == ["line", "id", "verdict"]
    assert cells[5][1].startswith("'=")  # a formula is shown as text, never run by a spreadsheet


def test_csv_upload_reports_line_numbers(client, seed, run_jobs):
    brand = Brand(client, seed)
    text = (
        "id,jurisdiction,platform,media_type,relationship,paid_partnership_tag,caption\n"
        "p1,DE,instagram,image,paid,false,Anzeige | Neue Schuhe\n"
        "p2,DE,instagram,image,paid,maybe,Neue Schuhe\n"
        'p3,"DE,AT",instagram,image,paid,false,"Neue Schuhe"\n'
    )
    upload = brand.call(
        "POST",
        "/disclosure/bulk-checks",
        202,
        data={"file": (io.BytesIO(text.encode()), "posts.csv")},
        content_type="multipart/form-data",
    ).json
    run_jobs()
    results = brand.call("GET", f"/disclosure/bulk-checks/{upload['id']}/results", 200).get_data(as_text=True)
    by_line = {r["line"]: r for r in map(json.loads, results.splitlines())}
    assert by_line[2]["verdict"] == "compliant"
    assert "paid_partnership_tag" in by_line[3]["problem"]
    assert by_line[4]["verdict"] == "violation"
    assert {"DE-LABEL-MISSING", "AT-LABEL-MISSING"} <= set(by_line[4]["rule_ids"])


def test_upload_of_a_non_posts_file_is_refused_with_the_reason(client, seed):
    brand = Brand(client, seed)
    response = brand.call(
        "POST",
        "/disclosure/bulk-checks",
        data={"file": (io.BytesIO(b"x"), "posts.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.json["errors"]["file"]
