"""The OpenAPI document: valid, complete, and true to what the API does (checked by schemathesis)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import bearer
from tests.security.world import World, build_world

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


# What every generated request is checked for. "Positive data accepted" is left out on purpose: valid-looking
# data may still break a business rule (an unknown client id, a taken name), and those 4xx answers are right.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    ignored_auth,
]


# make test: a quick pass over every operation; make verify: the long run.
SHORT_RUN_EXAMPLES = 15
LONG_RUN_EXAMPLES = 100


def _operations(schema: Any) -> list[Any]:
    """Every operation of the document; deletions last, so the others still find the objects they name."""
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: op.method.upper() == "DELETE")


def _strategies(operation: Any, world: World) -> Any:
    """Valid and invalid requests, with random ids (they answer 404) and with the ids of real objects."""
    names = [p.name for p in operation.path_parameters]
    id_choices: list[dict[str, str] | None] = [None]
    if names:
        id_choices.append({name: world.value_for(name) for name in names})
    return st.one_of(
        [
            operation.as_strategy(mode, auth_storage=operation.schema.auth, path_parameters=ids)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            for ids in id_choices
        ]
    )


def _authenticate(schema: Any, world: World) -> None:
    """Every request carries the owner's key, given as schemathesis' auth: then its ``ignored_auth`` check also
    sends each request without a key and with a wrong one, and expects 401/403."""

    class OwnerKey:
        def get(self, case: Any, context: Any) -> str:
            return world.key

        def set(self, case: Any, key: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), **bearer(key)}

    schema.auth()(OwnerKey)
    schema.config.generation.update(with_security_parameters=False)
    # A generated body beyond the request size limit is refused before it is read, with 413: a rejection too.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]


def _run_schemathesis(app, client, seed, run_jobs, examples: int) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, client, seed, run_jobs)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    _authenticate(schema, world)
    failures = []
    operations = _operations(schema)
    assert len(operations) >= 70  # the whole document, not a part of it
    for operation in operations:

        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=_strategies(operation, world))
        def check(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, before reporting
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_api_honours_its_own_document(app, client, seed, run_jobs):
    """Generated requests (valid and invalid) against every operation, as the owner of an account with data:
    no 5xx, and every status code and body is the one the document promises."""
    _run_schemathesis(app, client, seed, run_jobs, examples=SHORT_RUN_EXAMPLES)


@pytest.mark.verify
def test_api_honours_its_own_document_at_length(app, client, seed, run_jobs):
    """The same, with many more examples per operation (make verify)."""
    _run_schemathesis(app, client, seed, run_jobs, examples=LONG_RUN_EXAMPLES)
