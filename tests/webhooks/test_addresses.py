"""Where webhooks may go: the URL check at registration and the address check at every attempt."""

from __future__ import annotations

import ipaddress

import pytest

from service.webhooks.addresses import AddressRefused, check_url, refusal_reason, resolve_allowed_address

INTERNAL = [
    ("http://10.0.0.5/", "private"),
    ("http://172.16.3.4/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fc00::1]/", "private"),
    ("http://100.64.0.1/", "not a public address"),
    ("http://224.0.0.1/", "not a public address"),
    ("http://0.0.0.0/", "reaches the sending server"),
    ("http://[::]/", "reaches the sending server"),
    # IPv4 hidden inside IPv6: mapped, NAT64 and 6to4 forms of internal addresses.
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),
    ("http://[2002:c0a8:0101::1]/", "private"),
]
LOOPBACK = [
    "http://127.0.0.1/",
    "http://127.9.9.9:8000/",
    "http://[::1]/",
    "http://localhost/",
    "http://api.localhost/",
    "http://LOCALHOST./",
    "http://2130706433/",  # 127.0.0.1 as one number
    "http://0x7f.1/",
    "http://127.1/",
    "http://[::ffff:127.0.0.1]/",
]


@pytest.mark.parametrize(("url", "reason"), INTERNAL)
def test_internal_addresses_are_refused_even_when_loopback_is_allowed(url, reason):
    for allow_loopback in (False, True):
        with pytest.raises(AddressRefused, match=reason):
            check_url(url, allow_loopback=allow_loopback, require_https=False)


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_is_refused_by_default_and_allowed_by_the_setting(url):
    with pytest.raises(AddressRefused, match="loopback"):
        check_url(url, allow_loopback=False, require_https=False)
    assert check_url(url, allow_loopback=True, require_https=False) == url


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/in?x=1", "http://93.184.216.34:8443/hooks", "https://[2606:4700::1]/"]
)
def test_public_urls_are_accepted(url):
    assert check_url(f"  {url} ", allow_loopback=False, require_https=False) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example.com/", "must start with"),
        ("javascript:alert(1)", "must start with"),
        ("https:///path-only", "no host name"),
        ("https://me:secret@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com/#frag", "fragment"),
        ("https://hooks.example.com:99999/", "invalid port"),
        ("https://hooks.example.com/" + "a" * 2000, "longer than"),
    ],
)
def test_malformed_urls_are_refused(url, reason):
    with pytest.raises(AddressRefused, match=reason):
        check_url(url, allow_loopback=True, require_https=False)


def test_https_can_be_required():
    with pytest.raises(AddressRefused, match="https://"):
        check_url("http://hooks.example.com/", allow_loopback=False, require_https=True)
    assert check_url("https://hooks.example.com/", allow_loopback=False, require_https=True)


def test_host_names_are_checked_by_what_they_resolve_to():
    with pytest.raises(AddressRefused, match=r"localhost resolves to 127\.0\.0\.1 is a loopback address"):
        resolve_allowed_address("localhost", 80, allow_loopback=False)
    assert resolve_allowed_address("localhost", 80, allow_loopback=True) == ipaddress.ip_address("127.0.0.1")


def test_public_addresses_have_no_refusal_reason():
    for address in ("8.8.8.8", "1.1.1.1", "2001:4860:4860::8888"):
        assert refusal_reason(ipaddress.ip_address(address), allow_loopback=False) is None
