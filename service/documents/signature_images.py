"""Drawn signatures arrive as PNG data URLs from the signing page; only a real, small, non-empty PNG passes.

The accepted image is decoded and re-encoded by Pillow, so whatever else the upload carried (metadata chunks,
trailing bytes, a second image) never reaches the sealed PDF.
"""

from __future__ import annotations

import base64
import binascii
import io

from PIL import Image, UnidentifiedImageError

from service.documents.errors import SignatureImageError

PNG_DATA_URL_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_SIDE_PIXELS = 3000
MIN_SIDE_PIXELS = 20


def validated_signature_png(data_url: str) -> str:
    """The drawn signature as a clean PNG data URL.

    :raises SignatureImageError: with what is wrong (not a PNG data URL, too large, empty canvas…).
    """
    raw = _decode(data_url)
    image = _open_png(raw)
    if image.width > MAX_SIDE_PIXELS or image.height > MAX_SIDE_PIXELS:
        raise _error(f"the signature image may be at most {MAX_SIDE_PIXELS} pixels wide and high")
    if image.width < MIN_SIDE_PIXELS or image.height < MIN_SIDE_PIXELS:
        raise _error(f"the signature image must be at least {MIN_SIDE_PIXELS} pixels wide and high")
    clean = image.convert("RGBA")
    if clean.getchannel("A").getbbox() is None:
        raise _error("the signature is empty; draw it or type your name instead")
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return PNG_DATA_URL_PREFIX + base64.b64encode(out.getvalue()).decode("ascii")


def _decode(data_url: str) -> bytes:
    if not isinstance(data_url, str) or not data_url.startswith(PNG_DATA_URL_PREFIX):
        raise _error("a drawn signature must be a data:image/png;base64 URL")
    encoded = data_url[len(PNG_DATA_URL_PREFIX) :]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise _error(f"the signature image is larger than {MAX_SIGNATURE_BYTES // 1024} KiB")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _error("the signature image is not valid base64") from exc
    if not raw.startswith(PNG_MAGIC):
        raise _error("the signature image is not a PNG")
    return raw


def _open_png(raw: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            if probe.format != "PNG":
                raise _error("the signature image is not a PNG")
            if probe.width > MAX_SIDE_PIXELS or probe.height > MAX_SIDE_PIXELS:
                # Checked from the header, before decoding: a huge canvas would cost memory to decode.
                raise _error(f"the signature image may be at most {MAX_SIDE_PIXELS} pixels wide and high")
            probe.verify()
        image = Image.open(io.BytesIO(raw))
        image.load()
        return image
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _error("the signature image is damaged or not a PNG") from exc


def _error(message: str) -> SignatureImageError:
    return SignatureImageError(message[0].upper() + message[1:] + ".", {"signature": [message]})
