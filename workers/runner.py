"""``fairpact worker``: an RQ worker with the scheduler (retries, delayed jobs) and the periodic ticker."""

from __future__ import annotations

import importlib
import threading

from flask import current_app
from rq import Worker

from service.jobs import redis_connection
from workers.base import set_worker_app
from workers.kinds import QUEUES
from workers.schedule import start_ticker


def run_worker(queues: list[str] | None, burst: bool = False) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = redis_connection(app)
    if connection is None:
        raise SystemExit("REDIS_URL is not set: without Redis, jobs run in-process and no worker is needed.")
    unknown = set(queues or []) - set(QUEUES)
    if unknown:
        raise SystemExit(f"Unknown queue(s): {', '.join(sorted(unknown))}. Known: {', '.join(QUEUES)}.")
    set_worker_app(app)
    # Warm what every forked job would otherwise load again: mapper configuration, and the disclosure
    # rule packs with the check code (seconds to load, and a batch job would pay it on every run).
    from sqlalchemy.orm import configure_mappers

    from service.disclosure.rulebook import default_rule_book

    configure_mappers()
    importlib.import_module("service.disclosure.checking")
    default_rule_book()
    stop = threading.Event()
    if not burst:
        start_ticker(connection, stop)
    try:
        Worker(queues or list(QUEUES), connection=connection).work(with_scheduler=True, burst=burst)
    finally:
        stop.set()
