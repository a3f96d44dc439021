"""The baseline of the API benchmark: a bare Flask app answering a small JSON, nothing else.

Served by the same gunicorn settings as Fairpact (``bench/gunicorn_bench.py``), so the ratio shows what the
app adds: API key check, tenancy, PostgreSQL, ORM and schema dump.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/ping")
def ping() -> dict[str, object]:
    return {"status": "ok", "items": [{"id": 1, "name": "bench"}]}
