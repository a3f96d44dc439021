"""Where outgoing requests may go: public addresses only, never loopback, private, link-local or internal ranges.

Tenants choose the URLs we call (webhook endpoints, links to posts), so an unchecked URL would let any
tenant make our servers call internal services (cloud metadata at 169.254.169.254, databases, admin
panels). A URL is checked when it is given (literal and numeric hosts), and every address a host name
resolves to is checked again right before each request, because DNS answers can change in between.
The one exception, loopback, exists for the test suite and is off unless OUTBOUND_ALLOW_LOOPBACK
(or its older name WEBHOOK_ALLOW_LOOPBACK) is set.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2000
# IPv6 prefixes that carry an IPv4 address which the network translates to, so it is checked instead.
_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
# Not globally reachable (IANA special-purpose registries), yet not flagged by this Python's ipaddress:
# the IETF protocol assignments block (192.0.0.8, the dummy address; NAT64/DS-Lite plumbing) and the
# deprecated IPv6 site-local range, which some networks still route internally.
_NOT_PUBLIC = (ipaddress.IPv4Network("192.0.0.0/24"), ipaddress.IPv6Network("fec0::/10"))


class AddressRefused(ValueError):
    """A URL or address that we must not send requests to; the message says why, for the tenant."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal_reason(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why ``ip`` must not receive our requests, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return refusal_reason(embedded, allow_loopback=allow_loopback)
    if ip.is_unspecified:
        # 0.0.0.0 and :: reach this very machine when connected to, so they are never allowed.
        return f"{ip} is not a public address (it reaches the sending server itself)"
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_private:
        return f"{ip} is a private address"
    if ip.is_multicast or ip.is_reserved or not ip.is_global or any(ip in net for net in _NOT_PUBLIC):
        return f"{ip} is not a public address"
    return None


def _numeric_address(host: str) -> IPAddress | None:
    """The address a numeric host stands for, in any spelling the resolver accepts (127.1, 0x7f.1, 2130706433)."""
    try:
        found = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except socket.gaierror:
        return None
    return ipaddress.ip_address(found[0][4][0])


def _is_localhost_name(host: str) -> bool:
    host = host.rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost")


def check_url(url: str, *, allow_loopback: bool, require_https: bool) -> str:
    """Return ``url`` if requests may be sent to it, else raise AddressRefused with the reason."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise AddressRefused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    parts = urlsplit(url)
    allowed_schemes = ("https",) if require_https else ("https", "http")
    if parts.scheme not in allowed_schemes:
        raise AddressRefused(f"The URL must start with {' or '.join(s + '://' for s in allowed_schemes)}.")
    if not parts.hostname:
        raise AddressRefused("The URL has no host name.")
    if parts.username is not None or parts.password is not None:
        # Credentials in the URL would be stored and listed in plain text; the signature proves the sender.
        raise AddressRefused("The URL must not contain a user name or password.")
    if parts.fragment:
        raise AddressRefused("The URL must not contain a #fragment.")
    try:
        parts.port  # noqa: B018 - reading it validates it
    except ValueError as exc:
        raise AddressRefused("The URL has an invalid port.") from exc
    _check_host(parts.hostname, allow_loopback=allow_loopback)
    return url


def _check_host(host: str, *, allow_loopback: bool) -> None:
    if _is_localhost_name(host):
        if allow_loopback:
            return
        raise AddressRefused(f"{host} is a loopback host name")
    ip = _numeric_address(host)
    if ip is None:
        return  # a host name: its addresses are checked at every request
    reason = refusal_reason(ip, allow_loopback=allow_loopback)
    if reason:
        raise AddressRefused(reason)


def resolve_allowed_address(host: str, port: int, *, allow_loopback: bool) -> IPAddress:
    """Resolve ``host`` and return the address to connect to; refuse if any of its addresses is internal.

    Every address must pass: a name that resolves to a public and a private address is refused
    rather than tried, since which one a connection would use is not ours to predict.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc.strerror or exc}") from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(entry[4][0]) for entry in found))
    for ip in addresses:
        reason = refusal_reason(ip, allow_loopback=allow_loopback)
        if reason:
            raise AddressRefused(f"{host} resolves to {reason}; requests are not sent there")
    return addresses[0]
