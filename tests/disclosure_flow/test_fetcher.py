"""The generic HTTP fetcher: OpenGraph captions from public pages only, within time and size limits."""

from __future__ import annotations

import pytest

from service.disclosure.fetchers import FetchedPost, FetchError, fetcher_for
from tests.disclosure_flow.support import page_server

ALLOW = {
    "POST_FETCH_TIMEOUT_SECONDS": 5,
    "POST_FETCH_MAX_BYTES": 4096,
    "POST_FETCH_MAX_REDIRECTS": 2,
    "OUTBOUND_ALLOW_LOOPBACK": True,
}
REFUSE = {**ALLOW, "OUTBOUND_ALLOW_LOOPBACK": False}


def _fetch(url: str, config: dict) -> FetchedPost:
    fetcher = fetcher_for(url)
    assert fetcher is not None
    return fetcher.fetch(url, config)


def test_reads_the_opengraph_caption_and_follows_a_redirect():
    with page_server() as pages:
        target = pages.page("/post", "Werbung &amp; Sommer")
        start = pages.redirect("/short", target)
        fetched = _fetch(start, ALLOW)
    assert fetched.caption == "Werbung & Sommer"
    assert fetched.url == target


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/post",
        "http://localhost:{port}/post",
        "http://10.0.0.1/post",
        "http://192.168.1.10/post",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/post",
        "http://[fe80::1]/post",
        "http://0x7f000001:{port}/post",
    ],
)
def test_refuses_loopback_private_and_link_local_addresses(url):
    with page_server() as pages:
        pages.page("/post", "Werbung")
        with pytest.raises(FetchError, match="refused"):
            _fetch(url.format(port=pages.port), REFUSE)
        assert pages.hits == []


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/", "http://10.1.2.3/", "http://[fe80::1]/x"])
def test_refuses_a_redirect_to_an_internal_address(target):
    with page_server() as pages:
        start = pages.redirect("/go", target)
        with pytest.raises(FetchError, match="refused"):
            _fetch(start, ALLOW)  # the test server itself is on loopback, allowed here; the target is not


def test_refuses_too_many_redirects():
    with page_server() as pages:
        pages.redirect("/a", "/b")
        pages.redirect("/b", "/c")
        pages.redirect("/c", "/d")
        pages.page("/d", "Werbung")
        with pytest.raises(FetchError, match="redirects"):
            _fetch(pages.url("/a"), ALLOW)


def test_refuses_oversized_pages_with_or_without_a_length():
    with page_server() as pages:
        big = b"<html>" + b"x" * 10_000 + b"</html>"
        pages.pages["/declared"] = (200, {"Content-Type": "text/html"}, big)
        pages.pages["/chunked"] = (200, {"Content-Type": "text/html", "Content-Length": "10"}, big)
        with pytest.raises(FetchError, match="larger than 4096 bytes"):
            _fetch(pages.url("/declared"), ALLOW)
        with pytest.raises(FetchError):
            _fetch(pages.url("/chunked"), ALLOW)


def test_reads_oembed_when_the_page_has_no_description():
    with page_server() as pages:
        pages.pages["/oembed"] = (200, {"Content-Type": "application/json"}, b'{"title": "Anzeige | Neue Schuhe"}')
        html = '<html><head><link rel="alternate" type="application/json+oembed" href="/oembed"></head></html>'
        pages.pages["/post"] = (200, {"Content-Type": "text/html"}, html.encode())
        assert _fetch(pages.url("/post"), ALLOW).caption == "Anzeige | Neue Schuhe"
