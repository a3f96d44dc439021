#!/usr/bin/env python3
"""Fail fast, before any setup work, when the PostgreSQL or Redis the tests need is not reachable.

Standard library only, so it runs before the virtualenv exists. Usage:
    python3 .ci/check_services.py [POSTGRES_URL [REDIS_URL]]
Without arguments it checks what the test suite will use (TEST_DATABASE_ADMIN_URL, TEST_REDIS_URL).
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"

START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
START_REDIS = (
    "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no "
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def _address(url: str, default_port: int) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or default_port


def postgres_problem(url: str) -> str | None:
    host, port = _address(url, 5432)
    try:
        # An SSLRequest packet: any PostgreSQL answers it with one byte, 'S' or 'N'.
        with socket.create_connection((host, port), timeout=3) as conn:
            conn.sendall((8).to_bytes(4, "big") + (80877103).to_bytes(4, "big"))
            if conn.recv(1) not in (b"S", b"N"):
                return f"something answers on {host}:{port}, but it is not PostgreSQL"
    except OSError as exc:
        return f"PostgreSQL is not reachable at {host}:{port} ({exc})"
    return None


def redis_problem(url: str) -> str | None:
    host, port = _address(url, 6379)
    try:
        with socket.create_connection((host, port), timeout=3) as conn:
            conn.sendall(b"PING\r\n")
            reply = conn.recv(64)
    except OSError as exc:
        return f"Redis is not reachable at {host}:{port} ({exc})"
    if not reply.startswith(b"+PONG"):
        return f"Redis at {host}:{port} did not answer PING with PONG (got {reply[:40]!r})"
    return None


def main(argv: list[str]) -> int:
    postgres_url = argv[0] if argv else os.environ.get("TEST_DATABASE_ADMIN_URL", DEFAULT_POSTGRES)
    redis_url = argv[1] if len(argv) > 1 else os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS)
    problems = []
    if problem := postgres_problem(postgres_url):
        problems.append(f"{problem}.\n    Start it with: {START_POSTGRES}")
    if problem := redis_problem(redis_url):
        problems.append(f"{problem}.\n    Start it with: {START_REDIS}")
    if problems:
        print("The tests run against a real PostgreSQL and Redis, and they are not all there:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
