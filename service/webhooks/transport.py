"""One HTTP POST to a webhook endpoint, connected to the exact address that was checked.

Resolving a name, checking the address and then letting an HTTP library resolve it again would
leave a gap a hostile DNS server can use (answer a public address first, 127.0.0.1 next). So the
connection is pinned to the checked address, while the Host header and TLS (SNI and certificate
check) still use the name from the URL. Redirects are never followed: a 3xx is a failed attempt.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from service.webhooks.addresses import AddressRefused, IPAddress, resolve_allowed_address

RESPONSE_EXCERPT_CHARS = 2000
# Read no more than this of a response: the excerpt is all we keep, and a receiver must not stall us.
MAX_RESPONSE_BYTES = 64 * 1024
ERROR_CHARS = 500


@dataclass(frozen=True)
class HttpOutcome:
    status_code: int | None
    response_excerpt: str | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


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
