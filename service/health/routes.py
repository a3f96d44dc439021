"""``/healthz``: the process answers. ``/readyz``: the database and Redis answer too."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from service.extensions import csrf, db, limiter
from service.jobs import redis_connection

bp = Blueprint("health", __name__)
csrf.exempt(bp)
limiter.exempt(bp)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def _check_database() -> str:
    db.session.execute(text("SELECT 1"))
    db.session.rollback()
    return "ok"


def _check_redis() -> str:
    connection = redis_connection()
    if connection is None:
        return "not configured (jobs run in-process)"
    connection.ping()
    return "ok"


@bp.get("/readyz")
def readyz():
    checks: dict[str, str] = {}
    ready = True
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        try:
            checks[name] = check()
        except Exception as exc:  # a probe reports the failure instead of raising it
            current_app.logger.warning("readiness check %s failed: %s", name, exc)
            checks[name] = "unreachable"
            ready = False
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return jsonify(body), 200 if ready else 503
