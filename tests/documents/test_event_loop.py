"""Sealing and verifying work while an event loop runs in the thread (async servers, browser test harnesses)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from service.documents.sealing import outside_event_loop


def in_fresh_thread(work: Callable[[], Any]) -> Any:
    """Each test starts from a thread without a loop, whatever other tests left running in the main one."""
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(work()))
    thread.start()
    thread.join(timeout=30)
    return result[0]


def test_work_runs_in_the_callers_thread_when_no_loop_runs():
    def probe() -> bool:
        caller = threading.current_thread().name
        return outside_event_loop(lambda: threading.current_thread().name) == caller

    assert in_fresh_thread(probe) is True


def test_asyncio_run_inside_works_even_when_a_loop_is_running():
    async def caller() -> int:
        # What pyHanko's synchronous API does internally: a nested asyncio.run() would raise here.
        return outside_event_loop(lambda: asyncio.run(asyncio.sleep(0, result=42)))

    assert in_fresh_thread(lambda: asyncio.run(caller())) == 42
