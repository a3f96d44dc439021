"""Server-side request forgery through the post fetcher (and the webhook sender, which shares its transport).

tests/disclosure_flow/test_fetcher.py covers literal loopback, private and link-local addresses and a
redirect to one. Here: DNS rebinding (a name that is public when checked and private when connected to),
names with a public and a private address, redirects to internal names and to unusual spellings of
internal addresses, and the whole way through the app: a submitted link to an internal address.

The DNS answers come from a scripted resolver in place of ``socket.getaddrinfo`` (the tests cannot run a
DNS server the system resolver would ask); the connections are real, to a real local server.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from typing import Any

import pytest

from service.disclosure.fetchers import FetchError, fetcher_for
from service.outbound.transport import post_json
from tests.disclosure_flow.support import Brand, page_server

PUBLIC = (
    "93.184.215.14"  # example.com's public address: whatever answers there (if anything), the local server must not
)
REFUSE = {
    "POST_FETCH_TIMEOUT_SECONDS": 2,
    "POST_FETCH_MAX_BYTES": 4096,
    "POST_FETCH_MAX_REDIRECTS": 3,
    "OUTBOUND_ALLOW_LOOPBACK": False,
}
_real_getaddrinfo = socket.getaddrinfo
# Internal addresses that are not loopback, so a redirect from the (loopback) test server can point at them.
INTERNAL_NOT_LOOPBACK = [
    "http://0.0.0.0:{port}/post",  # "this host"
    "http://[::]:{port}/post",
    "http://0x0a000001/post",  # 10.0.0.1 in hex
    "http://[::ffff:10.0.0.1]/post",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # 169.254.169.254 through NAT64
    "http://[fd00::1]/post",
    "http://100.64.0.1/post",  # carrier-grade NAT, not public
    "http://192.0.0.8/post",  # IETF protocol assignments, not globally reachable
    "http://[fec0::1]/post",  # deprecated site-local, still routed inside some networks
]


def _answer(address: str, port: Any) -> list[Any]:
    return _real_getaddrinfo(address, port, type=socket.SOCK_STREAM)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Callable[[int], list[str]]], list[str]]:
    """Script the answers for a name: ``answers(n)`` gives the addresses of its n-th lookup (from 0)."""
    scripted: dict[str, Callable[[int], list[str]]] = {}
    lookups: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else host
        numeric_only = kwargs.get("flags", args[3] if len(args) > 3 else 0) & socket.AI_NUMERICHOST
        if name not in scripted or numeric_only:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        count = lookups.count(name)
        lookups.append(name)
        return [entry for address in scripted[name](count) for entry in _answer(address, port)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def script(name: str, answers: Callable[[int], list[str]]) -> list[str]:
        scripted[name] = answers
        return lookups

    return script


def _fetch(url: str) -> Any:
    fetcher = fetcher_for(url)
    assert fetcher is not None
    return fetcher.fetch(url, REFUSE)


def test_a_rebinding_name_never_reaches_the_private_address(dns):
    # Public for the check, loopback for every lookup after it: what a hostile DNS server answers.
    lookups = dns("rebind.example", lambda n: [PUBLIC] if n == 0 else ["127.0.0.1"])
    with page_server() as pages:
        pages.page("/post", "Werbung")
        with pytest.raises(FetchError):
            _fetch(f"http://rebind.example:{pages.port}/post")
        assert pages.hits == []
    assert lookups  # the name was resolved (and its answer checked), not skipped


def test_a_rebinding_name_never_receives_a_webhook(dns):
    dns("hooks.rebind.example", lambda n: [PUBLIC] if n == 0 else ["127.0.0.1"])
    with page_server() as pages:
        outcome = post_json(
            f"http://hooks.rebind.example:{pages.port}/hook", b"{}", {}, timeout=2, allow_loopback=False
        )
        assert not outcome.succeeded
        assert pages.hits == []


@pytest.mark.parametrize("private", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1"])
def test_a_name_with_one_internal_address_among_public_ones_is_refused(dns, private):
    dns("mixed.example", lambda n: [PUBLIC, private])
    with page_server() as pages:
        with pytest.raises(FetchError, match="refused"):
            _fetch(f"http://mixed.example:{pages.port}/post")
        assert pages.hits == []


def test_a_redirect_to_a_name_that_resolves_internally_is_refused(dns):
    dns("metadata.internal.example", lambda n: ["169.254.169.254"])
    with page_server() as pages:
        start = pages.redirect("/go", "http://metadata.internal.example/latest/meta-data/")
        allowed = {**REFUSE, "OUTBOUND_ALLOW_LOOPBACK": True}  # the start page itself is on loopback
        fetcher = fetcher_for(start)
        assert fetcher is not None
        with pytest.raises(
            FetchError, match=re.escape("refused: metadata.internal.example resolves to 169.254.169.254")
        ):
            fetcher.fetch(start, allowed)
        assert pages.hits == ["/go"]


@pytest.mark.parametrize(
    "target",
    [
        "http://localhost:{port}/post",
        "http://LOCALHOST.:{port}/post",
        "http://app.localhost:{port}/post",
        "http://2130706433:{port}/post",  # 127.0.0.1 as one number
        "http://0177.0.0.1:{port}/post",  # octal
        "http://127.1:{port}/post",
        "http://[::ffff:127.0.0.1]:{port}/post",
        *INTERNAL_NOT_LOOPBACK,
    ],
)
def test_unusual_spellings_of_internal_addresses_are_refused(target):
    with page_server() as pages:
        pages.page("/post", "Werbung")
        with pytest.raises(FetchError, match="refused"):
            _fetch(target.format(port=pages.port))
        assert pages.hits == []


@pytest.mark.parametrize("target", INTERNAL_NOT_LOOPBACK)
def test_a_redirect_to_them_is_refused(target):
    with page_server() as pages:
        pages.page("/post", "Werbung")
        start = pages.redirect("/go", target.format(port=pages.port))
        fetcher = fetcher_for(start)
        assert fetcher is not None
        with pytest.raises(FetchError, match="refused"):
            fetcher.fetch(start, {**REFUSE, "OUTBOUND_ALLOW_LOOPBACK": True})  # the start page is on loopback
        assert pages.hits == ["/go"]


def test_through_the_app_a_link_to_an_internal_address_is_refused_and_fetches_nothing(make_app, seed):
    app = make_app(WEBHOOK_ALLOW_LOOPBACK="false")
    client = app.test_client()
    brand = Brand(client, seed)
    post = brand.post(brand.campaign(["DE"])["id"])
    with page_server() as pages:
        pages.page("/p/1", "Werbung")
        for link in (
            pages.url("/p/1"),
            f"http://localhost:{pages.port}/p/1",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/",
        ):
            refused = brand.call("POST", f"/disclosure/posts/{post['id']}/submissions", json={"link": link})
            assert refused.status_code == 422, (link, refused.json)
            assert refused.json["code"] == "validation_failed" and refused.json["errors"]["link"], refused.json
        assert pages.hits == []
    assert brand.call("GET", f"/disclosure/posts/{post['id']}/checks", 200).json["total"] == 0
