"""Malformed requests on every operation of the OpenAPI document, addressed with real ids: bodies that are JSON
but not an object, that do not parse or come in another media type, and query parameters the operation does
not take. Each gets a 4xx in the one error shape, never a 500, and changes nothing.

schemathesis (tests/api/test_openapi.py) found ``true``, ``null`` and numbers as bodies answering 500 on several
operations; this walk asks every operation, every time, so none can come back.
"""

from __future__ import annotations

import re

from tests.security.world import build_world, snapshot

NOT_OBJECTS = ["true", "null", "0", "-1.5", '"text"', "[]", '[{"name": "x"}]']
NOT_JSON = ["{", '{"name": }', "\x00", "{'name': 'x'}", "\ufeff{}"]


def _operations(spec: dict) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    ]


def _json_operations(spec: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [
        (method, path)
        for method, path, operation in _operations(spec)
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def _url(path: str, world) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\{([a-z_]+)\}", lambda m: world.value_for(m.group(1)), path)


def _error_shaped(response) -> bool:  # type: ignore[no-untyped-def]
    return response.is_json and set(response.json or {}) == {"code", "status", "message", "errors"}


def test_every_json_body_that_is_not_an_object_or_not_json_is_a_clear_4xx(app, client, seed, run_jobs):
    world = build_world(app, client, seed, run_jobs)
    spec = client.get("/api/v1/openapi.json").json
    operations = _json_operations(spec)
    assert len(operations) >= 20, operations

    before = snapshot(app, world)
    problems = []
    for method, path in operations:
        url = _url(path, world)
        for body, content_type in [(b, "application/json") for b in NOT_OBJECTS + NOT_JSON] + [
            ('{"name": "x"}', "text/plain"),
            ("name=x", "application/x-www-form-urlencoded"),
        ]:
            response = client.open(url, method=method, data=body, content_type=content_type, headers=world.headers)
            if not (400 <= response.status_code < 500 and _error_shaped(response)):
                problems.append(f"{method} {path} with {body!r} ({content_type}): {response.status_code}")
    assert not problems, "\n".join(problems)
    assert snapshot(app, world) == before


def test_every_operation_refuses_a_query_parameter_it_does_not_take(app, client, seed, run_jobs):
    """A misspelt filter must not quietly answer with everything (``?stauts=violation`` on the post list)."""
    world = build_world(app, client, seed, run_jobs)
    spec = client.get("/api/v1/openapi.json").json
    before = snapshot(app, world)
    problems = []
    for method, path, _operation in _operations(spec):
        response = client.open(f"{_url(path, world)}?stauts=violation", method=method, json={}, headers=world.headers)
        errors = response.json.get("errors", {}) if _error_shaped(response) else {}
        if response.status_code != 422 or "stauts" not in errors.get("query", {}):
            problems.append(f"{method} {path}: {response.status_code} {response.get_data(as_text=True)[:200]}")
    assert not problems, "\n".join(problems)
    assert snapshot(app, world) == before
