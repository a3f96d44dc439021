"""Malformed request bodies on every operation of the OpenAPI document that takes one, addressed with real ids:
JSON that is not an object, JSON that does not parse, the wrong content type. Each gets a 4xx in the one error
shape, never a 500, and changes nothing.

schemathesis (tests/api/test_openapi.py) found ``true``, ``null`` and numbers as bodies answering 500 on several
operations; this walk asks every operation, every time, so none can come back.
"""

from __future__ import annotations

import re

from tests.security.world import build_world, snapshot

NOT_OBJECTS = ["true", "null", "0", "-1.5", '"text"', "[]", '[{"name": "x"}]']
NOT_JSON = ["{", '{"name": }', "\x00", "{'name': 'x'}", "\ufeff{}"]


def _json_operations(spec: dict) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method != "parameters" and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def test_every_json_body_that_is_not_an_object_or_not_json_is_a_clear_4xx(app, client, seed, run_jobs):
    world = build_world(app, client, seed, run_jobs)
    spec = client.get("/api/v1/openapi.json").json
    operations = _json_operations(spec)
    assert len(operations) >= 20, operations

    before = snapshot(app, world)
    problems = []
    for method, path in operations:
        url = re.sub(r"\{([a-z_]+)\}", lambda m: world.value_for(m.group(1)), path)
        for body, content_type in [(b, "application/json") for b in NOT_OBJECTS + NOT_JSON] + [
            ('{"name": "x"}', "text/plain"),
            ("name=x", "application/x-www-form-urlencoded"),
        ]:
            response = client.open(url, method=method, data=body, content_type=content_type, headers=world.headers)
            shape = response.is_json and set(response.json or {}) == {"code", "status", "message", "errors"}
            if not (400 <= response.status_code < 500 and shape):
                problems.append(f"{method} {path} with {body!r} ({content_type}): {response.status_code}")
    assert not problems, "\n".join(problems)
    assert snapshot(app, world) == before
