"""Oversized and malformed uploads: a clear 4xx in the one error shape (or a clear verdict), never a 500,
and nothing stored from a refused file.

Uploads the app takes: bulk-check files (CSV, JSON Lines; API and page) and PDFs to verify (API and page).
No route accepts archives so far (a zip named .csv or .pdf is refused like any other non-text, non-PDF file),
so there is no zip bomb to defuse yet; a route that starts to accept zips must bound the unpacked size.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import weasyprint

from service.documents.sealing import seal_identity_from_config, seal_pdf
from tests.disclosure_flow.support import Brand
from tests.support.web import csrf_token, sign_in

CSV_HEADER = "id,jurisdiction,platform,media_type,relationship,caption\n"
GOOD_ROW = {"id": "ok", "jurisdiction": "DE", "platform": "instagram", "media_type": "image", "relationship": "paid"}


def _bulk(brand: Brand, data: bytes, name: str = "posts.csv") -> Any:
    # The multipart body is built here: the test client would spool a large file to a temporary file it
    # leaves open when the app refuses the request early.
    boundary = "fairpact-upload-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return brand.call(
        "POST", "/disclosure/bulk-checks", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _stored_bulk_checks(brand: Brand) -> int:
    return brand.call("GET", "/disclosure/bulk-checks", 200).json["total"]


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("huge.csv", CSV_HEADER.encode() + b"p1,DE,instagram,image,paid,x\n" * 60_000, 413),  # over the request limit
        ("wide.csv", (CSV_HEADER + "p1,DE,instagram,image,paid," + "x" * 200_000 + "\n").encode(), 422),
        ("latin1.csv", (CSV_HEADER + "p1,DE,instagram,image,paid,Größe\n").encode("latin-1"), 422),
        ("binary.csv", bytes(range(256)) * 16, 422),
        ("posts.csv", b"", 422),
        ("posts.csv", CSV_HEADER.encode(), 422),  # a header and no rows
        ("posts.exe", b"MZ\x90\x00", 422),
        ("posts.zip", b"PK\x03\x04" + b"\x00" * 100, 422),
        ("../../../etc/passwd", b"root:x:0:0\n", 422),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_bulk_files_are_refused_in_the_error_shape_and_store_nothing(client, seed, name, data, status):
    brand = Brand(client, seed)

    response = _bulk(brand, data, name)

    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert set(response.json) == {"code", "status", "message", "errors"}
    assert _stored_bulk_checks(brand) == 0


def test_rows_with_text_that_cannot_be_stored_are_bad_rows_by_line_and_the_rest_is_checked(client, seed, run_jobs):
    brand = Brand(client, seed)
    good = json.dumps({**GOOD_ROW, "caption": "Werbung"})
    rows = [good, good.replace('"Werbung"', '"a\\u0000b"'), good.replace('"Werbung"', '"\\ud800"')]
    csv_rows = CSV_HEADER + "p1,DE,instagram,image,paid,Werbung\np2,DE,instagram,image,paid,a\x00b\n"

    files = {"posts.jsonl": ("\n".join(rows).encode(), 2), "posts.csv": (csv_rows.encode(), 1)}
    for name, (data, bad) in files.items():
        created = _bulk(brand, data, name)
        assert created.status_code == 202, created.json
        run_jobs()
        done = brand.call("GET", f"/disclosure/bulk-checks/{created.json['id']}", 200).json
        assert (done["status"], done["checked_rows"], done["bad_rows"]) == ("done", 1, bad), done
        for fmt in ("jsonl", "csv"):
            results = brand.call("GET", f"/disclosure/bulk-checks/{created.json['id']}/results?format={fmt}", 200)
            assert "invalid Unicode" in results.get_data(as_text=True)


def test_a_bad_file_on_the_page_is_a_message_not_an_error_page(client, seed):
    brand = Brand(client, seed)
    sign_in(client, brand.tenant.owner.email)
    token = csrf_token(client, "/disclosure/bulk")
    wide = (CSV_HEADER + "p1,DE,instagram,image,paid," + "x" * 200_000 + "\n").encode()

    response = client.post(
        "/disclosure/bulk", data={"csrf_token": token, "file": (io.BytesIO(wide), "wide.csv")}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "field" in response.get_data(as_text=True).lower()
    assert _stored_bulk_checks(brand) == 0


def test_an_uploaded_file_name_is_only_a_label(client, seed, run_jobs):
    """A name with path parts or markup is shown as text and never becomes a path or a header."""
    brand = Brand(client, seed)
    name = "../../etc/<script>alert(1)</script>.jsonl"
    row = json.dumps({**GOOD_ROW, "caption": "x"}).encode()

    created = _bulk(brand, row, name)
    assert created.status_code == 202, created.json
    run_jobs()
    results = brand.call("GET", f"/disclosure/bulk-checks/{created.json['id']}/results?format=csv", 200)

    assert created.json["filename"] == name  # kept as a label only
    assert created.json["id"] in results.headers["Content-Disposition"]  # named by its id, not by the upload
    sign_in(client, brand.tenant.owner.email)
    page = client.get(f"/disclosure/bulk/{created.json['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


# --- PDFs on /verify --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return weasyprint.HTML(string="<p>Kooperationsvertrag</p>").write_pdf()


@pytest.fixture
def sealed_pdf(app, plain_pdf) -> bytes:  # type: ignore[no-untyped-def]
    with app.app_context():
        return seal_pdf(plain_pdf, seal_identity_from_config(app.config))


def _verify_api(client: Any, data: bytes, name: str = "contract.pdf") -> Any:
    return client.post("/api/v1/verify", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _verify_page(client: Any, data: bytes, name: str = "contract.pdf") -> Any:
    token = csrf_token(client, "/verify")
    return client.post("/verify", data={"csrf_token": token, "file": (io.BytesIO(data), name)})


def test_a_sealed_pdf_is_recognised_so_its_damaged_copies_mean_something(client, sealed_pdf):
    answer = _verify_api(client, sealed_pdf)
    assert answer.status_code == 200 and answer.json["sealed"] is True


@pytest.mark.parametrize(
    "damage",
    [
        lambda pdf: pdf[: len(pdf) // 2],
        lambda pdf: pdf[:-200],
        lambda pdf: pdf[:-7],  # only the final %%EOF line missing
        lambda pdf: pdf[:2048],
        lambda pdf: pdf[:9],  # the header alone
        lambda pdf: pdf.replace(b"/ByteRange", b"/ByteRangX"),
        lambda pdf: pdf.replace(b"xref", b"xrex"),
    ],
    ids=["half", "tail-cut", "no-eof", "first-2k", "header-only", "broken-byterange", "broken-xref"],
)
def test_a_damaged_sealed_pdf_is_never_unaltered_and_never_a_500(client, sealed_pdf, damage):
    damaged = damage(sealed_pdf)
    api = _verify_api(client, damaged)
    page = _verify_page(client, damaged)

    assert api.status_code in (200, 422), api.get_data(as_text=True)[:500]
    if api.status_code == 200:
        assert api.json["unaltered"] is False and api.json["result"] != "unaltered"
    else:
        assert api.json["code"] == "not_a_pdf"
    assert page.status_code in (200, 422)
    assert "is unaltered" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"PK\x03\x04" + b"\x00" * 64,  # a zip (or docx) named .pdf
        b"<html><body>%PDF-1.7</body></html>",
        b"MZ" + b"\x00" * 1000 + b"%PDF-1.7\n%%EOF\n",  # a PDF header hidden further in
        b"%PDF-1.7\n" + b"1 0 obj << /Length 99999999999 >> stream\n" + b"x" * 100,
        b"%PDF-1.7\n1 0 obj [" + b"[" * 50_000 + b"\n%%EOF\n",  # nesting deep enough to break a recursive parser
        b"\x00" * 4096,
    ],
    ids=["png", "zip", "html", "polyglot", "huge-length", "deep-nesting", "zeros"],
)
def test_files_that_are_not_pdfs_are_refused_or_judged_never_a_500(client, data):
    for response in (_verify_api(client, data), _verify_page(client, data)):
        assert response.status_code in (200, 422), response.get_data(as_text=True)[:500]
    api = _verify_api(client, data)
    assert api.status_code == 422 or api.json["result"] == "not_fairpact"
