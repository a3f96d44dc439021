"""The only way WeasyPrint may load anything while rendering a contract.

Allowed: the bundled assets through ``fairpact-asset://shared/...`` (fonts) and ``fairpact-asset://template/...``
(the template's own folder), ``file://`` paths that resolve inside those two folders, and ``data:image/png``
(signature images the final-document code validated and re-encoded). Everything else, above all http(s) and
files elsewhere on the machine, stops the render with ``ResourceRefused``: it derives from WeasyPrint's
``FatalURLFetchingError`` so WeasyPrint does not swallow it into a warning and print the document without it.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from service.documents.paths import ASSET_SCHEME, SHARED_DIR

CONTENT_TYPES = {
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".css": "text/css",
}
PNG_DATA_PREFIX = "data:image/png;base64,"
MAX_DATA_URL_BYTES = 2 * 1024 * 1024


class ResourceRefused(FatalURLFetchingError):
    """A document tried to load something outside its bundled assets."""

    def __init__(self, url: str, reason: str):
        self.url = url
        shown = url if len(url) <= 120 else url[:117] + "..."
        super().__init__(f"refused to load {shown}: {reason}")


class RestrictedURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher confined to the shared assets and, optionally, one template folder."""

    def __init__(self, template_dir: Path | None = None):
        super().__init__(fail_on_errors=True)
        self.roots = {"shared": SHARED_DIR.resolve()}
        if template_dir is not None:
            self.roots["template"] = template_dir.resolve()

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == ASSET_SCHEME:
            return self._asset(url)
        if scheme == "data":
            return self._png_data(url)
        if scheme == "file":
            return self._file(url)
        raise ResourceRefused(url, "contract documents load only their bundled assets, never the network")

    def _asset(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        root = self.roots.get(parts.netloc)
        if root is None:
            raise ResourceRefused(url, f"unknown asset folder {parts.netloc!r}")
        return self._inside(url, root, root / unquote(parts.path).lstrip("/"))

    def _file(self, url: str) -> URLFetcherResponse:
        path = Path(url2pathname(urlsplit(url).path))
        for root in self.roots.values():
            if path.resolve().is_relative_to(root):
                return self._inside(url, root, path)
        raise ResourceRefused(url, "files outside the template's own folder are not readable")

    def _inside(self, url: str, root: Path, path: Path) -> URLFetcherResponse:
        resolved = path.resolve()  # follows symlinks and "..", so neither can lead out of the folder
        if not resolved.is_relative_to(root) or not resolved.is_file():
            raise ResourceRefused(url, "not a bundled asset of this template")
        content_type = CONTENT_TYPES.get(resolved.suffix.lower())
        if content_type is None:
            raise ResourceRefused(url, f"assets of type {resolved.suffix or 'none'} are not served")
        return URLFetcherResponse(url, _read(resolved, resolved.stat().st_mtime_ns), {"Content-Type": content_type})

    def _png_data(self, url: str) -> URLFetcherResponse:
        if not url.startswith(PNG_DATA_PREFIX) or len(url) > MAX_DATA_URL_BYTES * 4 // 3 + len(PNG_DATA_PREFIX):
            raise ResourceRefused(url, "only base64 PNG data URLs (signature images) are allowed")
        try:
            body = base64.b64decode(url[len(PNG_DATA_PREFIX) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ResourceRefused(url, "the PNG data URL is not valid base64") from exc
        return URLFetcherResponse(url, body, {"Content-Type": "image/png"})


@lru_cache(maxsize=32)
def _read(path: Path, mtime_ns: int) -> bytes:
    # Fonts are read once per process (the mtime in the key notices a replaced file); they are a few MB.
    return path.read_bytes()
