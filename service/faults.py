"""Pause points: named places in long jobs where a fault test can hold a job and kill its worker.

Only the test suite arms them (``FAULT_PAUSE_DIR``, refused outside ``FAIRPACT_ENV=test``); anywhere else
``pause_point`` returns after one dictionary lookup. A test arms a point by creating ``<dir>/<name>``; the
first job to reach it removes that file (so a worker that takes the job over later runs straight through),
writes its process id to ``<dir>/<name>.reached`` and waits until ``<dir>/<name>.release`` appears.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from flask import current_app

MAX_WAIT_SECONDS = 120.0


def pause_point(name: str) -> None:
    folder = current_app.config.get("FAULT_PAUSE_DIR")
    if not folder:
        return
    armed = Path(folder) / name
    try:
        armed.unlink()  # atomic: exactly one process takes an armed point
    except FileNotFoundError:
        return
    reached = armed.with_name(f"{name}.reached")
    reached.write_text(str(os.getpid()))
    release = armed.with_name(f"{name}.release")
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
