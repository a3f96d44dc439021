"""Fault tools: real `fairpact worker` processes to kill, pause points to hold a job, and a TCP proxy to cut.

The shared PostgreSQL and Redis servers are never stopped: an outage is a proxy of the test's own between
the app (or worker) and the server, cut and restored by the test.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from redis import Redis
from rq.registry import StartedJobRegistry

from tests.conftest import test_env
from workers.kinds import QUEUES

# Heartbeats every second while a job runs: a killed worker's job is abandoned 3 seconds later.
HEARTBEAT_SECONDS = "1"


class PausePoints:
    """Arms service/faults.py pause points in a folder of the test's own."""

    def __init__(self, folder: Path):
        self.folder = folder

    def arm(self, name: str) -> None:
        (self.folder / name).write_text("armed")

    def wait_reached(self, name: str, seconds: float = 90) -> int:
        """The process id of the work horse holding at ``name``."""
        reached = self.folder / f"{name}.reached"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if reached.exists() and reached.read_text().strip():
                return int(reached.read_text())
            time.sleep(0.05)
        raise AssertionError(f"no job reached the pause point {name} within {seconds} s")


def worker_env(database_url: str, smtp_port: int, pause_dir: Path | None = None, **extra: str) -> dict[str, str]:
    settings = {"WORKER_HEARTBEAT_SECONDS": HEARTBEAT_SECONDS, "RECONCILE_GRACE_SECONDS": "0", **extra}
    if pause_dir is not None:
        settings["FAULT_PAUSE_DIR"] = str(pause_dir)
    return {**os.environ, **test_env(database_url, smtp_port, **settings)}


def start_worker(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    """`fairpact worker` in its own process (forking a work horse per job), output into ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def kill_worker(worker: subprocess.Popen[bytes], horse_pid: int) -> None:
    """SIGKILL the worker and its work horse at once, as a lost machine or the OOM killer would."""
    worker.send_signal(signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(horse_pid, signal.SIGKILL)
    worker.wait(timeout=10)


def run_worker_until_idle(env: dict[str, str], log: Path, seconds: float = 180) -> None:
    """A new worker: `fairpact worker --burst` reconciles on start, runs every queued job, then exits."""
    process = start_worker(env, "--burst", log=log)
    try:
        assert process.wait(timeout=seconds) == 0, log.read_text()[-3000:]
    finally:
        if process.poll() is None:
            process.kill()


def wait_until_abandoned(redis: Redis, seconds: float = 30) -> None:
    """Until every started job's heartbeat has lapsed (its worker is dead), as the next worker will see it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lapses = [
            score
            for queue in QUEUES
            for _member, score in redis.zrange(StartedJobRegistry(queue, connection=redis).key, 0, -1, withscores=True)
        ]
        if lapses and max(lapses) < time.time():
            return
        time.sleep(0.2)
    raise AssertionError("the killed worker's job still has a live heartbeat")


class TcpProxy:
    """A threaded TCP forwarder on 127.0.0.1 that the test can cut (connections reset, new ones refused)."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.up = True
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True, name="tcp-proxy").start()

    def cut(self) -> None:
        """The server is gone: open connections are reset and new ones closed at once."""
        self.up = False
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                _reset(sock)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self._stopped = True
        self.cut()
        self.listener.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            upstream.settimeout(None)  # idle connections (a worker's BLPOP) wait as long as they like
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in sockets:
                _reset(sock)
            with self._lock:
                if (client, upstream) in self._pairs:
                    self._pairs.remove((client, upstream))


def _reset(sock: socket.socket) -> None:
    try:
        # SO_LINGER 0: close with a reset, as a crashed server's host answers.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
    except OSError:
        pass


__all__: list[Any] = [
    "PausePoints",
    "TcpProxy",
    "kill_worker",
    "run_worker_until_idle",
    "start_worker",
    "wait_until_abandoned",
    "worker_env",
]


class FakeStripeServer:
    """Serves a ``FakeStripe`` (tests/billing/fake_stripe.py) over HTTP on 127.0.0.1, for worker processes."""

    def __init__(self, fake: Any):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                url = f"http://127.0.0.1{self.path}"
                text, status, headers = fake.request(self.command.lower(), url, dict(self.headers.items()), body)
                data = text.encode()
                self.send_response(status)
                for name, value in {**headers, "Content-Type": "application/json"}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
