"""API conventions a client relies on: one error shape, auth, roles, validation, pagination, idempotency."""

from __future__ import annotations

import uuid

import pytest

from tenants.models import TenantKind
from tenants.roles import Role
from tests.factories import bearer


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.content_type
    body = response.json
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["code"].islower()
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    return body


@pytest.fixture
def agency(seed):
    agency = seed.make_tenant(TenantKind.AGENCY, name="Kollektiv")
    return agency, seed.make_api_key(agency.id, Role.ADMIN)


def test_missing_key_is_401(client):
    body = assert_error_shape(client.get("/api/v1/clients"), 401)
    assert "Authorization: Bearer" in body["message"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer fp_0000000000000000_wrong", "Basic abc", "Bearer "])
def test_invalid_keys_are_401(client, header):
    assert_error_shape(client.get("/api/v1/clients", headers={"Authorization": header}), 401)


def test_revoked_key_stops_working(client, agency, seed):
    tenant, key = agency
    other_admin_key = seed.make_api_key(tenant.id, Role.ADMIN)
    key_id = client.get("/api/v1/api-keys", headers=bearer(key)).json["items"]
    victim = next(k for k in key_id if k["name"])
    assert client.delete(f"/api/v1/api-keys/{victim['id']}", headers=bearer(other_admin_key)).status_code == 200
    responses = [client.get("/api/v1/tenant", headers=bearer(k)).status_code for k in (key, other_admin_key)]
    assert sorted(responses) == [200, 401]


def test_expired_key_is_401(client, agency, app):
    from sqlalchemy import update

    from service.api_keys.models import ApiKey
    from service.extensions import db
    from service.models import utcnow
    from tenants.context import tenant_scope

    tenant, key = agency
    with app.app_context(), tenant_scope(tenant.id):
        db.session.execute(update(ApiKey).values(expires_at=utcnow()))
        db.session.commit()
    assert_error_shape(client.get("/api/v1/tenant", headers=bearer(key)), 401)


def test_viewer_cannot_do_admin_operations(client, agency, seed):
    tenant, _ = agency
    viewer_key = seed.make_api_key(tenant.id, Role.VIEWER)
    assert client.get("/api/v1/clients", headers=bearer(viewer_key)).status_code == 200
    body = assert_error_shape(client.post("/api/v1/clients", json={"name": "X"}, headers=bearer(viewer_key)), 403)
    assert "admin" in body["message"]


def test_validation_errors_name_each_field(client, agency):
    _, key = agency
    body = assert_error_shape(
        client.post(
            "/api/v1/invitations/users", json={"email": "not-an-email", "role": "emperor"}, headers=bearer(key)
        ),
        422,
    )
    assert set(body["errors"]["json"]) == {"email", "role"}


def test_unknown_fields_are_rejected(client, agency):
    _, key = agency
    body = assert_error_shape(
        client.post("/api/v1/clients", json={"name": "Bergquell", "tenant_id": str(uuid.uuid4())}, headers=bearer(key)),
        422,
    )
    assert "tenant_id" in body["errors"]["json"]


def test_wrong_types_are_rejected(client, agency):
    _, key = agency
    body = assert_error_shape(client.post("/api/v1/clients", json={"name": 42}, headers=bearer(key)), 422)
    assert "name" in body["errors"]["json"]
    body = assert_error_shape(
        client.post("/api/v1/api-keys", json={"name": "k", "expires_in_days": "30"}, headers=bearer(key)), 422
    )
    assert "expires_in_days" in body["errors"]["json"]


def test_malformed_json_is_400(client, agency):
    _, key = agency
    response = client.post(
        "/api/v1/clients", data='{"name": "unterminated', content_type="application/json", headers=bearer(key)
    )
    assert_error_shape(response, 400)


def test_oversized_body_is_413(client, agency):
    _, key = agency
    response = client.post(
        "/api/v1/clients", data="x" * (2 * 1024 * 1024), content_type="application/json", headers=bearer(key)
    )
    assert_error_shape(response, 413)


def test_unknown_api_path_is_404_json(client, agency):
    _, key = agency
    assert_error_shape(client.get("/api/v1/no-such-thing", headers=bearer(key)), 404)


def test_wrong_method_is_405_with_allow_header(client, agency):
    _, key = agency
    response = client.put("/api/v1/clients", json={}, headers=bearer(key))
    assert_error_shape(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_id_in_path_is_404(client, agency):
    _, key = agency
    assert_error_shape(client.get("/api/v1/clients/not-a-uuid", headers=bearer(key)), 404)


def test_server_errors_never_leak_internals(make_app):
    app = make_app()

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internal detail: password=hunter2")

    response = app.test_client().get("/api/v1/boom")
    body = assert_error_shape(response, 500)
    text = response.get_data(as_text=True)
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert "reference" in body["message"]


# --- pagination ------------------------------------------------------------------------------------


def test_lists_are_paginated_with_totals(client, agency, seed):
    tenant, key = agency
    for n in range(7):
        seed.make_client(tenant.id, name=f"Client {n}")
    page = client.get("/api/v1/clients?per_page=3&page=3", headers=bearer(key)).json
    assert page["total"] == 7 and page["page"] == 3 and page["per_page"] == 3
    assert [c["name"] for c in page["items"]] == ["Client 6"]


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "page=0", "page=abc"])
def test_out_of_range_pages_are_422(client, agency, query):
    _, key = agency
    body = assert_error_shape(client.get(f"/api/v1/clients?{query}", headers=bearer(key)), 422)
    assert body["errors"]["query"]


# --- idempotency ----------------------------------------------------------------------------------


def test_retried_create_with_same_key_creates_once(client, agency):
    _, key = agency
    headers = {**bearer(key), "Idempotency-Key": "5d0a3c1e-retry-1"}
    first = client.post("/api/v1/clients", json={"name": "Bergquell"}, headers=headers)
    second = client.post("/api/v1/clients", json={"name": "Bergquell"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert client.get("/api/v1/clients", headers=bearer(key)).json["total"] == 1


def test_same_idempotency_key_with_other_body_is_refused(client, agency):
    _, key = agency
    headers = {**bearer(key), "Idempotency-Key": "k-1"}
    client.post("/api/v1/clients", json={"name": "Bergquell"}, headers=headers)
    body = assert_error_shape(client.post("/api/v1/clients", json={"name": "Stadtrad"}, headers=headers), 422)
    assert "Idempotency-Key" in body["errors"]
    assert client.get("/api/v1/clients", headers=bearer(key)).json["total"] == 1


def test_idempotency_keys_are_per_tenant(client, agency, seed):
    _, key = agency
    other = seed.make_tenant(TenantKind.AGENCY)
    other_key = seed.make_api_key(other.id)
    for k in (key, other_key):
        response = client.post("/api/v1/clients", json={"name": "Same"}, headers={**bearer(k), "Idempotency-Key": "x"})
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers


def test_failed_create_is_not_remembered(client, agency):
    _, key = agency
    headers = {**bearer(key), "Idempotency-Key": "k-2"}
    assert client.post("/api/v1/clients", json={"name": ""}, headers=headers).status_code == 422
    assert client.post("/api/v1/clients", json={"name": "Fixed"}, headers=headers).status_code == 201


def test_without_key_two_posts_create_two(client, agency):
    _, key = agency
    client.post("/api/v1/clients", json={"name": "One"}, headers=bearer(key))
    client.post("/api/v1/clients", json={"name": "Two"}, headers=bearer(key))
    assert client.get("/api/v1/clients", headers=bearer(key)).json["total"] == 2


# --- the tenant never comes from the body ---------------------------------------------------------


def test_client_brands_only_for_agencies(client, seed):
    brand = seed.make_tenant(TenantKind.BRAND)
    key = seed.make_api_key(brand.id)
    body = assert_error_shape(client.post("/api/v1/clients", json={"name": "X"}, headers=bearer(key)), 422)
    assert "agencies" in body["message"]


def test_duplicate_client_name_is_409(client, agency):
    _, key = agency
    client.post("/api/v1/clients", json={"name": "Bergquell"}, headers=bearer(key))
    assert_error_shape(client.post("/api/v1/clients", json={"name": "bergquell"}, headers=bearer(key)), 409)


@pytest.mark.parametrize("name", ["Berg\x00quell", "Berg\udbf6quell"])
def test_text_the_database_cannot_store_is_a_field_error(client, agency, name):
    _, key = agency
    body = assert_error_shape(client.post("/api/v1/clients", json={"name": name}, headers=bearer(key)), 422)
    assert "name" in body["errors"]["json"]


def test_nul_in_a_query_parameter_is_a_field_error(client, agency):
    _, key = agency
    body = assert_error_shape(client.get("/api/v1/audit-events?action=a%00b", headers=bearer(key)), 422)
    assert "action" in body["errors"]["query"]


def test_replayable_responses_keep_no_secret_in_clear(client, agency, app):
    from sqlalchemy import select

    from service.extensions import db
    from service.idempotency.models import IdempotencyRecord
    from tenants.context import unscoped

    _, key = agency
    headers = {**bearer(key), "Idempotency-Key": "new-key-1"}
    first = client.post("/api/v1/api-keys", json={"name": "CI"}, headers=headers)
    replay = client.post("/api/v1/api-keys", json={"name": "CI"}, headers=headers)
    assert replay.json["secret"] == first.json["secret"]  # the retry still gets its key
    with app.app_context(), unscoped("test: read stored idempotency records"):
        stored = db.session.execute(select(IdempotencyRecord.response_body)).scalars().all()
    assert stored and all(first.json["secret"] not in body for body in stored)


def test_error_codes_are_words_a_client_can_branch_on(client, agency):
    _, key = agency
    assert client.get("/api/v1/clients").json["code"] == "unauthenticated"
    assert client.get(f"/api/v1/clients/{uuid.uuid4()}", headers=bearer(key)).json["code"] == "not_found"
    assert client.post("/api/v1/clients", json={}, headers=bearer(key)).json["code"] == "validation_failed"


def test_unreachable_database_answers_503_in_the_error_shape(make_app):
    from tests.conftest import free_port

    app = make_app(DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    response = app.test_client().get("/api/v1/tenant", headers=bearer("fp_0000000000000000_x"))
    body = assert_error_shape(response, 503)
    assert body["code"] == "service_unavailable" and response.headers["Retry-After"] == "5"
    page = app.test_client().get("/login")  # pages that need no database still work
    assert page.status_code == 200


def test_committed_work_survives_redis_being_down(make_app, seed, app, run_jobs, mailbox):
    """Redis down at enqueue time: the request still succeeds, and the reconciler sends the email later."""
    from datetime import timedelta

    from sqlalchemy import update

    from service.emails.models import EmailMessage
    from service.extensions import db
    from service.models import utcnow
    from tests.conftest import free_port
    from workers.reconcile import reconcile

    down = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    tenant = seed.make_tenant()
    key = seed.make_api_key(tenant.id)
    response = down.test_client().post(
        "/api/v1/invitations/users", json={"email": "late@example.com", "role": "viewer"}, headers=bearer(key)
    )
    assert response.status_code == 201
    with app.app_context():
        db.session.execute(update(EmailMessage).values(created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        # Redis is back (the normal app): the reconciler queues it again
        assert reconcile()["emails"] == {"found": 1, "queued": 1}
    run_jobs()
    assert mailbox.wait_for(1)[0]["To"] == "late@example.com"


def test_a_boolean_field_takes_true_or_false_not_a_number(client, agency, seed):
    tenant, key = agency
    client_id = seed.make_client(tenant.id, name="Bergquelle")
    url = f"/api/v1/clients/{client_id}"

    for number in (0, 1, 0.0):
        refused = client.patch(url, json={"archived": number}, headers=bearer(key))
        assert refused.status_code == 422, number
        assert refused.json["errors"]["json"]["archived"] == ["Not a valid boolean."]
    assert client.get(url, headers=bearer(key)).json["archived"] is False  # nothing changed
    assert client.patch(url, json={"archived": True}, headers=bearer(key)).json["archived"] is True
