"""Screenshots with a submission: real images only, cleaned of metadata, stored by hash, in the evidence."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, PngImagePlugin
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from service.extensions import db
from tenants.context import tenant_scope
from tests.disclosure_flow.support import Brand, image_bytes
from tests.support.web import csrf_token, sign_in, sign_in_creator

LABELLED = "Werbung | Mein Sommerbegleiter #sonnencreme"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "GeheimKamera"  # Make
    exif[0x8825] = {2: (48.0, 8.0, 20.0)}  # GPSInfo: latitude
    return image_bytes("JPEG", (64, 48), exif=exif.tobytes())


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "private note: home address")
    return image_bytes("PNG", (50, 40), pnginfo=info)


def _stored_files(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return [p for p in root.rglob("*") if p.is_file() and "screenshots" in p.parts]


def _submission_count(app, brand: Brand) -> int:
    from sqlalchemy import func, select

    from service.disclosure.models import Screenshot, Submission

    with app.app_context(), tenant_scope(brand.tenant.id):
        submissions = db.session.execute(select(func.count()).select_from(Submission)).scalar_one()
        shots = db.session.execute(select(func.count()).select_from(Screenshot)).scalar_one()
        return submissions + shots


def test_api_screenshots_are_cleaned_stored_hashed_and_part_of_the_evidence(app, client, seed, run_jobs):
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    jpeg, png = _jpeg_with_gps(), _png_with_text()
    answer = brand.submit(
        post["id"],
        caption=LABELLED,
        screenshots=[
            {"filename": "story.jpg", "data": _b64(jpeg)},
            {"filename": "feed.png", "data": "data:image/png;base64," + _b64(png)},
        ],
    )
    shots = answer["screenshots"]
    assert [(s["filename"], s["content_type"], s["width"], s["height"]) for s in shots] == [
        ("story.jpg", "image/jpeg", 64, 48),
        ("feed.png", "image/png", 50, 40),
    ]

    stored = [brand.call("GET", f"/disclosure/screenshots/{s['id']}", 200) for s in shots]
    assert [r.mimetype for r in stored] == ["image/jpeg", "image/png"]
    for shot, response in zip(shots, stored, strict=True):
        assert hashlib.sha256(response.data).hexdigest() == shot["sha256"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Re-encoded: the camera, the GPS position and the PNG's text chunk are gone; the pixels are still there.
    assert b"GeheimKamera" in jpeg and b"GeheimKamera" not in stored[0].data
    assert not Image.open(io.BytesIO(stored[0].data)).getexif()
    assert b"home address" in png and b"home address" not in stored[1].data
    assert Image.open(io.BytesIO(stored[1].data)).getpixel((5, 5)) == (255, 0, 0)
    assert len(_stored_files(app)) >= 2

    run_jobs()
    check = brand.call("GET", f"/disclosure/checks/{answer['check']['id']}", 200).json
    assert check["verdict"] == "compliant"
    assert [s["sha256"] for s in check["evidence"]["screenshots"]] == [s["sha256"] for s in shots]
    from service.disclosure.evidence import canonical_json

    assert hashlib.sha256(canonical_json(check["evidence"])).hexdigest() == check["evidence_sha256"]


def _blank_header_png(width: int, height: int) -> bytes:
    """A tiny black-and-white PNG that would decode into width x height pixels."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG")
    return out.getvalue()


BAD_FILES = {
    "text named .png": (b"this is not an image at all", "not a PNG, JPEG or WebP image"),
    "GIF": (image_bytes("GIF"), "not a PNG, JPEG or WebP image"),
    "truncated PNG": (image_bytes("PNG", (200, 200))[:150], "damaged or incomplete"),
    "too wide": (_blank_header_png(16_001, 2), "pixels wide and high"),
    "decompression bomb": (_blank_header_png(8_000, 8_000), "megapixels"),
    "empty": (b"", "empty"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_screenshot_is_a_422_and_nothing_is_stored(app, client, seed, name):
    data, message = BAD_FILES[name]
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    files_before = _stored_files(app)
    good = {"filename": "ok.png", "data": _b64(image_bytes("PNG"))}
    body = {"caption": LABELLED, "screenshots": [good, {"filename": "x.png", "data": _b64(data) or "AA=="}]}
    if name == "empty":
        body["screenshots"][1]["data"] = "data:image/png;base64,"
    response = brand.call("POST", f"/disclosure/posts/{post['id']}/submissions", json=body)
    assert response.status_code == 422, response.json
    assert response.json["code"] == "unprocessable_entity" or response.json["status"] == 422
    assert "Screenshot 2" in response.json["message"] and message in response.json["message"]
    assert _stored_files(app) == files_before, "a refused submission wrote a file"
    assert _submission_count(app, brand) == 0
    assert brand.call("GET", f"/disclosure/posts/{post['id']}", 200).json["status"] == "planned"


def test_too_many_screenshots_or_bad_base64_are_refused(client, seed):
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    shot = {"data": _b64(image_bytes("PNG"))}
    url = f"/disclosure/posts/{post['id']}/submissions"
    too_many = brand.call("POST", url, 422, json={"caption": LABELLED, "screenshots": [shot] * 5}).json
    assert "screenshots" in too_many["errors"]["json"]
    bad = brand.call("POST", url, 422, json={"caption": LABELLED, "screenshots": [{"data": "%%%not-base64"}]}).json
    assert "not valid base64" in bad["message"]


def _noisy_png() -> bytes:
    """About 1.5 MB: random pixels do not compress, so this is larger than the usual 1 MiB request limit."""
    out = io.BytesIO()
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(out, format="PNG")
    return out.getvalue()


def test_a_screenshot_larger_than_the_usual_request_limit_is_accepted(app, client, seed):
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    png = _noisy_png()
    assert len(png) > app.config["MAX_CONTENT_LENGTH"]
    answer = brand.submit(post["id"], caption=LABELLED, screenshots=[{"data": _b64(png)}])
    assert answer["screenshots"][0]["width"] == 700


def test_the_portal_takes_a_screenshot_larger_than_the_usual_request_limit(app, client, seed, mailbox, run_jobs):
    brand = Brand(client, seed)
    _portal_submit(app, brand, mailbox, run_jobs, (_noisy_png(), "big.png", "image/png"))
    assert _submission_count(app, brand) == 2  # the submission and its screenshot


def _portal_submit(app, brand: Brand, mailbox, run_jobs, upload: tuple[bytes, str, str]) -> tuple[Any, str]:
    """The creator submits the post on their page with one file; returns their client and the page's path."""
    post = brand.post(brand.campaign(["DE"])["id"])
    creator = app.test_client()
    sign_in_creator(creator, brand.creator.email, mailbox, run_jobs)
    path = f"/me/posts/{post['id']}"
    data, filename, claimed_type = upload
    form = {
        "csrf_token": csrf_token(creator, path),
        "caption": LABELLED,
        "screenshots": FileStorage(io.BytesIO(data), filename=filename, content_type=claimed_type),
    }
    # Encoded in memory: the test client would spool a large body to a temporary file it never closes.
    body, length, boundary = stream_encode_multipart(form, threshold=64 * 2**20)
    response = creator.post(
        f"{path}/submit",
        data=body.read(),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Content-Length": str(length)},
    )
    assert response.status_code == 302
    return creator, path


def test_the_brand_sees_the_creators_portal_screenshots_on_the_post_page(app, client, seed, mailbox, run_jobs):
    brand = Brand(client, seed)
    # The browser's claimed type is ignored: Pillow decides it is a WebP image.
    upload = (image_bytes("WEBP", (30, 20)), "story.png", "application/octet-stream")
    creator, path = _portal_submit(app, brand, mailbox, run_jobs, upload)
    run_jobs()

    staff = app.test_client()
    sign_in(staff, brand.tenant.owner.email)
    page = staff.get(path.replace("/me/posts/", "/disclosure/posts/")).get_data(as_text=True)
    assert "Screenshots handed in" in page
    src = page.split('<img src="', 1)[1].split('"', 1)[0]
    image = staff.get(src)
    assert image.status_code == 200 and image.mimetype == "image/webp"
    assert Image.open(io.BytesIO(image.data)).size == (30, 20)
    assert hashlib.sha256(image.data).hexdigest()[:16] in page
    assert creator.get(src).status_code in (302, 404)  # a creator is not staff


def test_a_portal_upload_that_is_not_an_image_is_refused_with_a_message(app, client, seed, mailbox, run_jobs):
    brand = Brand(client, seed)
    creator, path = _portal_submit(app, brand, mailbox, run_jobs, (b"<svg onload=alert(1)>", "evil.png", "image/png"))
    page = creator.get(path).get_data(as_text=True)
    assert "not a PNG, JPEG or WebP image" in page
    assert _submission_count(app, brand) == 0


def test_the_portal_submission_still_needs_its_csrf_token(app, client, seed, mailbox, run_jobs):
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    creator = app.test_client()
    sign_in_creator(creator, brand.creator.email, mailbox, run_jobs)
    form = {"csrf_token": "forged", "caption": LABELLED}
    creator.post(f"/me/posts/{post['id']}/submit", data=form, content_type="multipart/form-data")
    creator.post(f"/me/posts/{post['id']}/submit", data={"caption": LABELLED})
    assert _submission_count(app, brand) == 0


def test_screenshots_in_an_s3_bucket_are_checked_on_the_way_back(app, client, seed, s3_endpoint, monkeypatch):
    from service.documents.storage import s3_client
    from tests.documents.test_storage import s3_settings

    settings = s3_settings(s3_endpoint, f"fairpact-shots-{os.urandom(4).hex()}")
    s3_client(settings).create_bucket(
        Bucket=settings["S3_BUCKET"], CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    shot = brand.submit(post["id"], caption=LABELLED, screenshots=[{"data": _b64(image_bytes("PNG"))}])["screenshots"][
        0
    ]
    bucket = s3_client(settings)
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=settings["S3_BUCKET"])["Contents"]]
    assert keys == [f"fairpact/tenants/{brand.tenant.id}/screenshots/{shot['submission_id']}/{shot['id']}.png"]
    served = brand.call("GET", f"/disclosure/screenshots/{shot['id']}", 200)
    assert hashlib.sha256(served.data).hexdigest() == shot["sha256"]

    # Someone with access to the bucket swaps the image: it is refused, not shown as the one handed in.
    bucket.put_object(Bucket=settings["S3_BUCKET"], Key=keys[0], Body=image_bytes("PNG", (41, 30)))
    swapped = brand.call("GET", f"/disclosure/screenshots/{shot['id']}", 500).json
    assert swapped["code"] == "integrity_error"

    # The bucket is gone: a submission with a screenshot is a 503 and leaves nothing behind.
    monkeypatch.setitem(app.config, "S3_BUCKET", "no-such-bucket-fairpact")
    before = _submission_count(app, brand)
    url = f"/disclosure/posts/{post['id']}/submissions"
    down = brand.call("POST", url, 503, json={"caption": LABELLED, "screenshots": [{"data": _b64(image_bytes("PNG"))}]})
    assert down.json["code"] == "service_unavailable"
    assert _submission_count(app, brand) == before
