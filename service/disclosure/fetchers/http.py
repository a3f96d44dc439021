"""The generic fetcher: a public page's OpenGraph and oEmbed metadata (og:description is the caption).

Every request goes through ``service.outbound.transport.fetch``: public addresses only (each redirect
checked again), a connection pinned to the checked address, a time limit for the whole fetch and a size
limit for each response. An oEmbed link in the page is followed under the same rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from service.disclosure.fetchers import FetchedPost
from service.outbound import loopback_allowed
from service.outbound.transport import FetchedPage, FetchError, fetch


class _MetadataParser(HTMLParser):
    """Collects <meta property|name=... content=...> and the oEmbed JSON <link>, nothing else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.oembed_url: str | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key and key not in self.meta:
                self.meta[key] = values.get("content", "")
        elif tag == "link" and values.get("type", "").lower() == "application/json+oembed":
            self.oembed_url = self.oembed_url or values.get("href")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _text(page: FetchedPage) -> str:
    charset = "utf-8"
    if "charset=" in page.content_type:
        charset = page.content_type.split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
    try:
        return page.body.decode(charset, errors="replace")
    except LookupError:
        return page.body.decode("utf-8", errors="replace")


class HttpMetadataFetcher:
    name = "http_metadata"

    def handles(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https")

    def fetch(self, url: str, config: Mapping[str, Any]) -> FetchedPost:
        page = self._get(url, config)
        if "json" in page.content_type:
            return self._from_oembed(page, page.url)
        parser = _MetadataParser()
        parser.feed(_text(page))
        caption = parser.meta.get("og:description") or parser.meta.get("description") or ""
        if not caption and parser.oembed_url:
            return self._from_oembed(self._get(urljoin(page.url, parser.oembed_url), config), page.url)
        if not caption and not parser.meta.get("og:title"):
            raise FetchError("the page has no OpenGraph or oEmbed description to check")
        return FetchedPost(page.url, unescape(caption))

    def _from_oembed(self, page: FetchedPage, url: str) -> FetchedPost:
        try:
            data = json.loads(_text(page))
        except json.JSONDecodeError as exc:
            raise FetchError("the oEmbed answer is not JSON") from exc
        if not isinstance(data, dict):
            raise FetchError("the oEmbed answer is not an object")
        caption = str(data.get("title") or "")
        return FetchedPost(url, caption)

    def _get(self, url: str, config: Mapping[str, Any]) -> FetchedPage:
        return fetch(
            url,
            timeout=config["POST_FETCH_TIMEOUT_SECONDS"],
            max_bytes=config["POST_FETCH_MAX_BYTES"],
            max_redirects=config["POST_FETCH_MAX_REDIRECTS"],
            allow_loopback=loopback_allowed(config),
        )


GENERIC_FETCHER = HttpMetadataFetcher()
