"""HTTP requests to tenant-chosen URLs, connected to the exact address that was checked.

Resolving a name, checking the address and then letting an HTTP library resolve it again would
leave a gap a hostile DNS server can use (answer a public address first, 127.0.0.1 next). So the
connection is pinned to the checked address, while the Host header and TLS (SNI and certificate
check) still use the name from the URL.

* ``post_json`` (webhooks) never follows redirects: a 3xx is a failed attempt.
* ``fetch`` (post fetchers) follows a few redirects, checking every new URL and address like the first,
  reads at most ``max_bytes`` and gives up after ``timeout`` seconds in total.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from service.outbound.addresses import AddressRefused, IPAddress, check_url, resolve_allowed_address

RESPONSE_EXCERPT_CHARS = 2000
# Read no more than this of a webhook response: the excerpt is all we keep, and a receiver must not stall us.
MAX_RESPONSE_BYTES = 64 * 1024
ERROR_CHARS = 500
USER_AGENT = "Fairpact/1 (+https://fairpact.example/bot)"


@dataclass(frozen=True)
class HttpOutcome:
    status_code: int | None
    response_excerpt: str | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


class FetchError(Exception):
    """A page could not be fetched; the message says why in words a tenant understands."""


@dataclass(frozen=True)
class FetchedPage:
    url: str  # the final URL, after redirects
    status_code: int
    content_type: str
    body: bytes
    redirects: tuple[str, ...]


def _pin(connection: http.client.HTTPConnection, ip: IPAddress) -> None:
    """Make ``connection`` open its socket to ``ip``; everything else keeps using the URL's host."""

    def create_connection(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        return socket.create_connection((str(ip), address[1]), timeout, source_address)

    connection._create_connection = create_connection  # type: ignore[attr-defined]


def _open(url: str, timeout: float, allow_loopback: bool) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = resolve_allowed_address(host, port, allow_loopback=allow_loopback)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    _pin(connection, ip)
    path = parts.path or "/"
    return connection, f"{path}?{parts.query}" if parts.query else path


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_CHARS]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, AddressRefused):
        return f"refused: {exc}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out waiting for the endpoint"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc}"
    return f"{type(exc).__name__}: {exc}"


def post_json(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_loopback: bool) -> HttpOutcome:
    """POST ``body`` to ``url``; network failures come back as an outcome with ``error``, never raised."""
    started = time.monotonic()
    status_code: int | None = None
    excerpt: str | None = None
    error: str | None = None
    connection: http.client.HTTPConnection | None = None
    try:
        connection, target = _open(url, timeout, allow_loopback)
        connection.request("POST", target, body=body, headers={**headers, "Connection": "close"})
        response = connection.getresponse()
        status_code = response.status
        excerpt = _excerpt(response.read(MAX_RESPONSE_BYTES))
        if 300 <= status_code < 400:
            error = f"redirect to {response.getheader('Location', '?')} not followed; register the final URL"
    except (OSError, http.client.HTTPException) as exc:  # AddressRefused is a ValueError, caught below
        error = _describe(exc)
    except AddressRefused as exc:
        error = _describe(exc)
    finally:
        if connection is not None:
            connection.close()
    duration_ms = int((time.monotonic() - started) * 1000)
    return HttpOutcome(status_code, excerpt, error[:ERROR_CHARS] if error else None, duration_ms)


def fetch(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    allow_loopback: bool,
    accept: str = "text/html,application/json;q=0.9,*/*;q=0.1",
    error_answers: bool = False,
) -> FetchedPage:
    """GET ``url``; every redirect target is checked like the first URL. Raises FetchError on any failure.

    With ``error_answers`` a 4xx/5xx answer is returned (within the same limits) instead of raised, for
    APIs whose error body says what went wrong (an exhausted quota, a refused key).
    """
    deadline = time.monotonic() + timeout
    redirects: list[str] = []
    current = url
    while True:
        try:
            check_url(current, allow_loopback=allow_loopback, require_https=False)
            status, location, content_type, body = _get_once(current, deadline, max_bytes, allow_loopback, accept)
        except AddressRefused as exc:
            raise FetchError(f"refused: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(_describe(exc).replace("the endpoint", "the page")) from exc
        if status in (301, 302, 303, 307, 308) and location:
            if len(redirects) >= max_redirects:
                raise FetchError(f"more than {max_redirects} redirects")
            current = urljoin(current, location)
            redirects.append(current)
            continue
        if not 200 <= status < 300 and not (error_answers and status >= 400):
            raise FetchError(f"the page answered {status}")
        return FetchedPage(current, status, content_type, body, tuple(redirects))


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("fetch deadline passed")
    return left


def _get_once(
    url: str, deadline: float, max_bytes: int, allow_loopback: bool, accept: str
) -> tuple[int, str | None, str, bytes]:
    connection, target = _open(url, _remaining(deadline), allow_loopback)
    try:
        connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": accept, "Connection": "close"})
        response = connection.getresponse()
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"the page is larger than {max_bytes} bytes")
        body = _read_limited(response, deadline, max_bytes)
        return response.status, response.getheader("Location"), response.getheader("Content-Type", ""), body
    finally:
        connection.close()


def _read_limited(response: http.client.HTTPResponse, deadline: float, max_bytes: int) -> bytes:
    """Read the body in chunks: stop at ``max_bytes`` (a page that does not say its length) or the deadline."""
    chunks: list[bytes] = []
    size = 0
    while True:
        _remaining(deadline)
        chunk = response.read(min(65536, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"the page is larger than {max_bytes} bytes")
        chunks.append(chunk)
