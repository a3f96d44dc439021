"""What a receiver checks: the signature covers the exact body and a recent timestamp, with its own secret."""

from __future__ import annotations

from service.webhooks.signing import new_signing_secret, signature_header, verify_signature

BODY = b'{"id":"evt","type":"ping"}'
NOW = 1_800_000_000


def test_a_signed_body_verifies_with_the_endpoint_secret():
    secret = new_signing_secret()
    header = signature_header(secret, NOW, BODY)

    assert header.startswith(f"t={NOW},v1=")
    assert verify_signature(secret, header, BODY, now=NOW + 10)


def test_any_change_to_the_body_breaks_the_signature():
    secret = new_signing_secret()
    header = signature_header(secret, NOW, BODY)

    assert not verify_signature(secret, header, BODY.replace(b"ping", b"pong"), now=NOW)
    assert not verify_signature(secret, header, BODY + b" ", now=NOW)


def test_another_secret_does_not_verify():
    header = signature_header(new_signing_secret(), NOW, BODY)

    assert not verify_signature(new_signing_secret(), header, BODY, now=NOW)


def test_a_replayed_request_is_refused_after_the_tolerance():
    secret = new_signing_secret()
    header = signature_header(secret, NOW, BODY)

    assert verify_signature(secret, header, BODY, now=NOW + 300)
    assert not verify_signature(secret, header, BODY, now=NOW + 301)
    assert not verify_signature(secret, header, BODY, now=NOW - 301)


def test_moving_the_timestamp_breaks_the_signature():
    secret = new_signing_secret()
    signature = signature_header(secret, NOW, BODY).split(",")[1]

    assert not verify_signature(secret, f"t={NOW + 60},{signature}", BODY, now=NOW + 60)


def test_malformed_headers_are_refused():
    secret = new_signing_secret()
    for header in ("", "garbage", f"t={NOW}", "v1=abc", f"t=soon,v1={'0' * 64}"):
        assert not verify_signature(secret, header, BODY, now=NOW)


def test_every_secret_is_new():
    assert len({new_signing_secret() for _ in range(100)}) == 100
