"""The webhook endpoints API: registering, validating, roles, other tenants, idempotency and the audit trail."""

from __future__ import annotations

import uuid

import pytest

from service.webhooks.events import EVENT_TYPES
from service.webhooks.operations import MAX_ENDPOINTS_PER_TENANT
from tenants.roles import Role

HOOK = "http://127.0.0.1:9/hooks"


def test_secret_is_shown_once_at_registration(account):
    created = account.add_endpoint(HOOK, ["invitation.created", "api_key.created"], description="CRM sync")

    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["event_types"] == ["api_key.created", "invitation.created"]
    assert created["active"] is True
    fetched = account.call("GET", f"/webhooks/endpoints/{created['id']}").json
    listed = account.call("GET", "/webhooks/endpoints").json
    assert "secret" not in fetched
    assert [e["id"] for e in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]
    assert created["secret"] not in str(listed) + str(fetched)


def test_event_type_catalogue_is_readable_by_viewers(account):
    viewer = account.key_headers(Role.VIEWER)

    response = account.client.get("/api/v1/webhooks/event-types?per_page=100", headers=viewer)

    assert response.status_code == 200
    assert {item["type"] for item in response.json["items"]} == set(EVENT_TYPES)
    assert response.json["total"] == len(EVENT_TYPES)


def test_viewers_and_managers_cannot_manage_endpoints(account):
    for role in (Role.VIEWER, Role.MANAGER):
        headers = account.key_headers(role)
        response = account.client.post(
            "/api/v1/webhooks/endpoints", json={"url": HOOK, "event_types": ["ping"]}, headers=headers
        )
        assert response.status_code == 403
        assert set(response.json) == {"code", "status", "message", "errors"}
        assert account.client.get("/api/v1/webhooks/endpoints", headers=headers).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_types": ["ping"]}, "url"),
        ({"url": HOOK}, "event_types"),
        ({"url": HOOK, "event_types": []}, "event_types"),
        ({"url": HOOK, "event_types": ["contract.exploded"]}, "event_types"),
        ({"url": HOOK, "event_types": ["ping"], "secret": "mine"}, "secret"),
        ({"url": HOOK, "event_types": ["ping"], "tenant_id": str(uuid.uuid4())}, "tenant_id"),
        ({"url": 42, "event_types": ["ping"]}, "url"),
    ],
)
def test_malformed_registration_is_refused_per_field(account, body, field):
    response = account.call("POST", "/webhooks/endpoints", json=body)

    assert response.status_code == 422
    assert response.json["status"] == 422 and response.json["code"] == "validation_failed"
    assert field in response.json["errors"]["json"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/hooks", "private"),
        ("http://192.168.0.10/hooks", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[fd00::1]/hooks", "private"),
        ("http://0.0.0.0:8080/", "not a public address"),
        ("ftp://hooks.example.com/", "must start with"),
        ("https://user:pw@hooks.example.com/", "user name or password"),
        ("hooks.example.com/path", "must start with"),
    ],
)
def test_internal_or_malformed_urls_are_refused_with_the_reason(account, url, reason):
    response = account.call("POST", "/webhooks/endpoints", json={"url": url, "event_types": ["ping"]})

    assert response.status_code == 422, response.json
    assert response.json["message"] == "Webhooks cannot be sent to this URL."
    assert reason in response.json["errors"]["url"][0]


def test_loopback_is_refused_unless_the_setting_allows_it(app, account, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", False)
    for url in ("http://127.0.0.1:8080/", "http://localhost/", "http://[::1]/", "http://2130706433/"):
        response = account.call("POST", "/webhooks/endpoints", json={"url": url, "event_types": ["ping"]})
        assert response.status_code == 422, url
        assert "loopback" in response.json["errors"]["url"][0]


def test_production_requires_https(app, account, monkeypatch):
    monkeypatch.setitem(app.config, "FAIRPACT_ENV", "production")

    refused = account.call("POST", "/webhooks/endpoints", json={"url": HOOK, "event_types": ["ping"]})
    accepted = account.call(
        "POST", "/webhooks/endpoints", json={"url": "https://hooks.example.com/in", "event_types": ["ping"]}
    )

    assert refused.status_code == 422
    assert "https://" in refused.json["errors"]["url"][0]
    assert accepted.status_code == 201


def test_patch_changes_only_the_given_fields_and_validates_them(account):
    created = account.add_endpoint(HOOK, ["ping"], description="old")
    path = f"/webhooks/endpoints/{created['id']}"

    changed = account.call("PATCH", path, json={"description": "new", "event_types": ["member.joined"]})
    refused = account.call("PATCH", path, json={"url": "http://10.0.0.1/"})

    assert changed.status_code == 200
    assert (changed.json["description"], changed.json["event_types"], changed.json["url"]) == (
        "new",
        ["member.joined"],
        HOOK,
    )
    assert refused.status_code == 422
    assert account.call("GET", path).json["url"] == HOOK
    assert account.call("PATCH", path, json={"active": "yes"}).status_code == 422


def test_another_tenants_endpoints_and_deliveries_answer_404(account, other_account):
    endpoint = account.add_endpoint(HOOK, ["ping"])
    delivery = account.send_test(endpoint["id"])
    endpoint_path = f"/webhooks/endpoints/{endpoint['id']}"

    for method, path in [
        ("GET", endpoint_path),
        ("PATCH", endpoint_path),
        ("DELETE", endpoint_path),
        ("POST", endpoint_path + "/test"),
        ("POST", endpoint_path + "/rotate-secret"),
        ("GET", endpoint_path + "/deliveries"),
        ("GET", f"/webhooks/deliveries/{delivery['id']}"),
        ("POST", f"/webhooks/deliveries/{delivery['id']}/redeliver"),
    ]:
        response = other_account.call(method, path, json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path, response.json)
        assert endpoint["url"] not in response.get_data(as_text=True)
    assert other_account.call("GET", "/webhooks/endpoints").json["items"] == []
    assert account.call("GET", endpoint_path).status_code == 200


def test_retried_registration_creates_one_endpoint(account):
    body = {"url": HOOK, "event_types": ["ping"]}
    headers = {**account.headers, "Idempotency-Key": str(uuid.uuid4())}

    first = account.client.post("/api/v1/webhooks/endpoints", json=body, headers=headers)
    again = account.client.post("/api/v1/webhooks/endpoints", json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]
    assert account.call("GET", "/webhooks/endpoints").json["total"] == 1


def test_an_account_has_a_limited_number_of_endpoints(account):
    for n in range(MAX_ENDPOINTS_PER_TENANT):
        account.add_endpoint(f"{HOOK}/{n}", ["ping"])

    response = account.call("POST", "/webhooks/endpoints", json={"url": HOOK, "event_types": ["ping"]})

    assert response.status_code == 409
    assert str(MAX_ENDPOINTS_PER_TENANT) in response.json["message"]


def test_test_event_to_a_disabled_endpoint_is_refused(account):
    endpoint = account.add_endpoint(HOOK, ["ping"])
    account.call("PATCH", f"/webhooks/endpoints/{endpoint['id']}", json={"active": False})

    response = account.call("POST", f"/webhooks/endpoints/{endpoint['id']}/test")

    assert response.status_code == 409
    assert "disabled" in response.json["message"]


def test_endpoint_changes_are_audited(account):
    endpoint = account.add_endpoint(HOOK, ["ping"])
    path = f"/webhooks/endpoints/{endpoint['id']}"
    account.call("PATCH", path, json={"url": "http://127.0.0.1:9/moved"})
    account.call("POST", path + "/rotate-secret")
    account.call("DELETE", path)

    events = account.call("GET", "/audit-events?per_page=100").json["items"]
    hook_events = [e for e in events if e["target_type"] == "webhook_endpoint"]

    assert sorted(e["action"] for e in hook_events) == [
        "webhook_endpoint.created",
        "webhook_endpoint.deleted",
        "webhook_endpoint.secret_rotated",
        "webhook_endpoint.updated",
    ]
    assert all(e["target_id"] == endpoint["id"] and e["actor_type"] == "api_key" for e in hook_events)
    updated = next(e for e in hook_events if e["action"] == "webhook_endpoint.updated")
    assert updated["details"] == {"url": "http://127.0.0.1:9/moved"}
    assert not any(endpoint["secret"] in str(e) for e in events)


def test_delivery_list_is_paginated_and_filtered(account):
    endpoint = account.add_endpoint(HOOK, ["ping"])
    for _ in range(3):
        account.send_test(endpoint["id"])

    page = account.call("GET", f"/webhooks/endpoints/{endpoint['id']}/deliveries?per_page=2&page=2").json
    pending = account.call("GET", f"/webhooks/endpoints/{endpoint['id']}/deliveries?status=pending").json
    bad = account.call("GET", f"/webhooks/endpoints/{endpoint['id']}/deliveries?status=lost")

    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)
    assert pending["total"] == 3
    assert bad.status_code == 422
