"""Screenshots handed in with a submission: checked to be real images, cleaned, stored, hashed for evidence.

An upload passes only if Pillow reads it as PNG, JPEG or WebP (whatever name or type the client claims),
its size in bytes and pixels is within the limits, and it decodes completely. The pixel limit is checked from
the header before decoding, so a small file that would unpack into gigabytes (a decompression bomb) is
refused without being decoded. The accepted image is re-encoded: EXIF (camera, GPS), text chunks, ICC
profiles and trailing bytes never reach the store. The cleaned bytes go to the document store (local disk or
S3, write-once, SHA-256 checked on read) and their hashes into the submission, so each check's evidence
names exactly the images that were handed in.

Every upload of a submission is checked before anything is stored: one bad file stores nothing.

Through the API the images ride in the submission's JSON, base64-encoded, rather than in a separate upload:
submission, images and the queued check are then one request and one transaction (the evidence can always
name its images, there are no half-finished uploads to clean up), and the Idempotency-Key covers all of it.
The price is a third more bytes on the wire, which the caps keep small (4 images of 4 MB); that route alone
accepts a body of up to ``MAX_SUBMISSION_BODY``. The portal sends the same images as multipart form files.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from service.disclosure.models import Screenshot, Submission
from service.documents.errors import StorageError, StorageIntegrityError
from service.documents.storage import check_key, sha256_hex, storage_from_config
from service.errors import AppError, NotFound, Unprocessable
from service.extensions import db
from tenants.access import Principal

log = logging.getLogger(__name__)

MAX_SCREENSHOTS = 4
MAX_SCREENSHOT_BYTES = 4 * 1024 * 1024
MAX_SIDE_PIXELS = 16_000  # long "scrolling" screenshots are tall; WebP itself stops at 16383
MAX_PIXELS = 40_000_000  # about 160 MB decoded as RGBA: the most one upload may cost in memory
# What Pillow calls the format -> what we store and serve it as.
FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"), "WEBP": ("image/webp", ".webp")}
# The largest request body a submission with screenshots may have: the images base64-encoded, plus text.
MAX_SUBMISSION_BODY = MAX_SCREENSHOTS * (MAX_SCREENSHOT_BYTES * 4 // 3 + 4) + 1024 * 1024


@dataclass(frozen=True)
class ScreenshotUpload:
    """An upload as received: a name for people, and the raw bytes (the claimed type is not trusted)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CleanScreenshot:
    filename: str
    content_type: str
    extension: str
    width: int
    height: int
    data: bytes  # re-encoded, without metadata

    @property
    def sha256(self) -> str:
        return sha256_hex(self.data)


def submission_body_limit() -> int:
    """A submission may carry screenshots: its request may be larger than other requests."""
    return max(current_app.config["MAX_CONTENT_LENGTH"] or 0, MAX_SUBMISSION_BODY)


def allow_screenshot_body() -> None:
    request.max_content_length = submission_body_limit()


def _refuse(index: int, message: str) -> Unprocessable:
    return Unprocessable(f"Screenshot {index + 1}: {message}", errors={"screenshots": {str(index): [message]}})


def decode_base64(index: int, encoded: str) -> bytes:
    """The bytes of a screenshot sent as base64 in JSON (a ``data:image/...;base64,`` prefix is accepted)."""
    if encoded.startswith("data:") and "," in encoded:
        encoded = encoded.split(",", 1)[1]
    if len(encoded) > MAX_SCREENSHOT_BYTES * 4 // 3 + 4:
        raise _refuse(index, f"larger than {MAX_SCREENSHOT_BYTES // 2**20} MB")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _refuse(index, "not valid base64") from exc


def clean_screenshots(uploads: Sequence[ScreenshotUpload]) -> list[CleanScreenshot]:
    """Every upload checked and cleaned, or ``Unprocessable`` naming the first bad one (nothing stored)."""
    if len(uploads) > MAX_SCREENSHOTS:
        raise Unprocessable(
            "Too many screenshots.", errors={"screenshots": [f"At most {MAX_SCREENSHOTS} per submission."]}
        )
    return [clean_screenshot(index, upload) for index, upload in enumerate(uploads)]


def clean_screenshot(index: int, upload: ScreenshotUpload) -> CleanScreenshot:
    if not upload.data:
        raise _refuse(index, "the file is empty")
    if len(upload.data) > MAX_SCREENSHOT_BYTES:
        raise _refuse(index, f"larger than {MAX_SCREENSHOT_BYTES // 2**20} MB")
    image, image_format = _decoded(index, upload.data)
    content_type, extension = FORMATS[image_format]
    data = _reencoded(image, image_format)
    name = (upload.filename or "screenshot").replace("/", "_").replace("\\", "_").strip()[:200] or "screenshot"
    return CleanScreenshot(name, content_type, extension, image.width, image.height, data)


def _decoded(index: int, raw: bytes) -> tuple[Image.Image, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                image_format = probe.format or ""
                if image_format not in FORMATS:
                    raise _refuse(index, "not a PNG, JPEG or WebP image")
                _check_dimensions(index, probe.width, probe.height)  # from the header, before decoding
                probe.verify()
            image = Image.open(io.BytesIO(raw))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(index, "not a PNG, JPEG or WebP image") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise _refuse(index, "the image is damaged or incomplete") from exc
    return image, image_format


def _check_dimensions(index: int, width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise _refuse(index, "the image has no pixels")
    if width > MAX_SIDE_PIXELS or height > MAX_SIDE_PIXELS:
        raise _refuse(index, f"at most {MAX_SIDE_PIXELS} pixels wide and high")
    if width * height > MAX_PIXELS:
        raise _refuse(index, f"at most {MAX_PIXELS // 1_000_000} megapixels")


def _reencoded(image: Image.Image, image_format: str) -> bytes:
    """The pixels only, upright (EXIF orientation applied before EXIF is dropped), in the same format."""
    upright = ImageOps.exif_transpose(image)  # a copy without the orientation tag
    out = io.BytesIO()
    if image_format == "JPEG":
        upright.convert("RGB").save(out, format="JPEG", quality=90)
    elif image_format == "WEBP":
        mode = "RGBA" if upright.mode in ("RGBA", "LA", "P", "PA") else "RGB"
        upright.convert(mode).save(out, format="WEBP", quality=90)
    else:
        mode = upright.mode if upright.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16") else "RGBA"
        upright.convert(mode).save(out, format="PNG")
    return out.getvalue()


def screenshot_key(tenant_id: uuid.UUID, submission_id: uuid.UUID, shot_id: uuid.UUID, extension: str) -> str:
    return check_key(f"tenants/{tenant_id}/screenshots/{submission_id}/{shot_id}{extension}")


def store_screenshots(submission: Submission, images: Sequence[CleanScreenshot]) -> list[Screenshot]:
    """Write the cleaned images to the document store and record them with the submission."""
    storage = storage_from_config(current_app.config)
    shots = []
    for image in images:
        shot_id = uuid.uuid4()
        key = screenshot_key(submission.tenant_id, submission.id, shot_id, image.extension)
        try:
            stored = storage.put(key, image.data, content_type=image.content_type)
        except StorageError as exc:
            raise _store_unavailable(exc) from exc
        shot = Screenshot(
            id=shot_id,
            submission_id=submission.id,
            filename=image.filename,
            content_type=image.content_type,
            size=stored.size,
            sha256=stored.sha256,
            width=image.width,
            height=image.height,
            storage_key=stored.key,
        )
        db.session.add(shot)
        shots.append(shot)
    submission.screenshot_evidence = [evidence_entry(shot) for shot in shots]
    return shots


def evidence_entry(shot: Screenshot) -> dict[str, Any]:
    """How a screenshot appears in a check's evidence snapshot (and so in its SHA-256)."""
    return {
        "id": str(shot.id),
        "sha256": shot.sha256,
        "content_type": shot.content_type,
        "size": shot.size,
        "width": shot.width,
        "height": shot.height,
    }


def screenshots_of(submission_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Screenshot]]:
    found: dict[uuid.UUID, list[Screenshot]] = {sid: [] for sid in submission_ids}
    if not submission_ids:
        return found
    query = select(Screenshot).where(Screenshot.submission_id.in_(submission_ids)).order_by(Screenshot.created_at)
    for shot in db.session.execute(query).scalars():
        found[shot.submission_id].append(shot)
    return found


def get_screenshot(screenshot_id: uuid.UUID, principal: Principal) -> Screenshot:
    from service.disclosure.models import DeliverablePost

    shot = db.session.execute(select(Screenshot).where(Screenshot.id == screenshot_id)).scalar_one_or_none()
    if shot is not None:
        submission = db.session.get(Submission, (shot.tenant_id, shot.submission_id))
        post = db.session.get(DeliverablePost, (shot.tenant_id, submission.post_id)) if submission else None
        if post is not None and principal.can_access_client(post.campaign.client_id):
            return shot
    raise NotFound("No screenshot with this id in your account.")


def screenshot_bytes(shot: Screenshot, config: Mapping[str, Any] | None = None) -> bytes:
    """The stored image, re-hashed on read (a changed file raises instead of being shown)."""
    storage = storage_from_config(config if config is not None else current_app.config)
    try:
        return storage.get(shot.storage_key, expected_sha256=shot.sha256)
    except StorageIntegrityError as exc:
        log.error("screenshot %s: %s", shot.id, exc)
        raise AppError(
            "The stored screenshot no longer matches the SHA-256 recorded when it was handed in; it is not shown.",
            status_code=500,
            code="integrity_error",
        ) from exc
    except StorageError as exc:
        raise _store_unavailable(exc) from exc


def _store_unavailable(exc: StorageError) -> AppError:
    log.warning("document store unavailable: %s", exc)
    return AppError(
        "The document store is briefly unavailable; nothing was stored. Retry in a few seconds.",
        status_code=503,
        code="service_unavailable",
    )


def image_response(shot: Screenshot, data: bytes) -> Response:
    """The image as a download the browser shows but never sniffs as anything else."""
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in shot.filename)[:100] or "screenshot"
    return Response(
        data,
        mimetype=shot.content_type,
        headers={
            "Content-Disposition": f'inline; filename="{safe_name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
            "ETag": f'"{shot.sha256}"',
        },
    )
