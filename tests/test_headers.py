"""Security headers that browsers act on."""


def test_pages_forbid_framing_sniffing_and_referrers(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "script-src" not in response.headers["Content-Security-Policy"]  # falls back to 'self'
    assert response.headers["Cache-Control"] == "no-store"


def test_client_address_comes_from_the_proxy_only_when_configured(make_app):
    from flask import request

    for hops, expected in (("0", "127.0.0.1"), ("1", "203.0.113.9")):
        app = make_app(PROXY_FIX_HOPS=hops)

        @app.get("/whoami")
        def whoami():
            return request.remote_addr or ""

        seen = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"}).get_data(as_text=True)
        assert seen == expected
