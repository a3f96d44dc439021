"""The bundled document fonts for browsers: contract HTML shown in a page uses the same fonts as its PDF.

Documents name their fonts with the private ``fairpact-asset://shared/fonts/...`` scheme, which only
WeasyPrint's restricted fetcher understands; ``browser_html`` points those URLs here instead. Only the font
files of the shared fonts folder are served (looked up by exact name, so no path can lead elsewhere), and
the fetcher itself is not changed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory, url_for

from service.documents.paths import ASSET_SCHEME, FONTS_DIR

bp = Blueprint("web_document_fonts", __name__)

FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
SHARED_FONTS_URL = f"{ASSET_SCHEME}://shared/fonts/"
MAX_AGE = 30 * 24 * 3600


@cache
def bundled_fonts() -> frozenset[str]:
    return frozenset(path.name for path in FONTS_DIR.iterdir() if path.suffix.lower() in FONT_TYPES)


def browser_html(html: str) -> str:
    """Contract HTML with its font URLs pointing at this route, for showing it in a browser."""
    return html.replace(SHARED_FONTS_URL, url_for("web_document_fonts.font", filename="x")[:-1])


@bp.get("/document-fonts/<filename>")
def font(filename: str) -> Response:
    if filename not in bundled_fonts():
        abort(404)
    response = send_from_directory(FONTS_DIR, filename, mimetype=FONT_TYPES[Path(filename).suffix.lower()])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    # Contract HTML is shown in sandboxed frames, whose origin is opaque: their font requests are cross-origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
