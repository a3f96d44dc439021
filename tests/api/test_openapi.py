"""The OpenAPI document: valid, complete, and true to what the API does (checked by schemathesis)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import positive_data_acceptance

from tenants.models import TenantKind
from tenants.roles import Role
from tests.factories import bearer

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def test_document_validates_against_the_openapi_specification(spec):
    validate(spec)
    assert spec["info"]["title"] == "Fairpact API"


def test_every_operation_declares_auth_errors_and_a_summary(spec):
    public = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue  # path-level "parameters"
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), f"{where} has no summary"
            if operation.get("security") == []:
                # A declared public operation: it must say so, and who may call it, in its description.
                assert "Public: no API key" in operation.get("description", ""), f"{where} is public without a word"
                public.append(where)
                continue
            assert operation.get("security") == [{"apiKey": []}], f"{where} does not declare the API key"
            assert {"401", "403"} <= set(operation["responses"]), f"{where} does not document 401/403"
            if method == "get" and not path.endswith("}") and "items" in str(operation["responses"].get("200")):
                names = {p["name"] for p in operation.get("parameters", [])}
                assert {"page", "per_page"} <= names, f"{where} is a list without pagination"
    assert "POST /api/v1/verify" in public, "the public verification is not in the document"


def test_creating_posts_document_idempotency_key(spec):
    creating = [
        (p, op)
        for p, item in spec["paths"].items()
        for m, op in item.items()
        if m == "post" and "201" in op["responses"]
    ]
    assert creating
    for path, operation in creating:
        names = {p["name"] for p in operation.get("parameters", [])}
        assert "Idempotency-Key" in names, f"POST {path} creates but takes no Idempotency-Key"


def test_docs_page_is_served_without_external_assets(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    with client.get("/api/v1/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and b"SwaggerUI" in asset.data


def test_api_honours_its_own_document(app, seed):
    """Generated requests (valid and invalid) against every operation: no 5xx, responses match the schema."""
    agency = seed.make_tenant(TenantKind.AGENCY)
    seed.make_client(agency.id)
    seed.make_creator(agency.id)
    key = seed.make_api_key(agency.id, Role.OWNER)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for operation in schema.get_all_operations():
        op = operation.ok()

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=op.as_strategy())
        def check(case):  # type: ignore[no-untyped-def]
            # Valid-looking data may still break a business rule (an unknown client id, a taken name):
            # those 4xx answers are correct, so the "positive data accepted" check is left out.
            case.call_and_validate(headers=bearer(key), excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # collect every operation's failure before reporting
            failures.append(f"{op.method.upper()} {op.path}: {exc}")
    assert not failures, "\n\n".join(failures)
