"""Real processes for the outage and fault tests: a private redis-server that can be stopped
and started again on the same port, and a Celery worker (with embedded beat) pointed at a
broker and at the test database. Every process is stopped by its own PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, _database_url_for, wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.5):
            return True
    except OSError:
        return False


class RedisServer:
    """``redis-server`` on ``port`` with no persistence: a restart comes back empty, as a
    broker that lost its data would (the outbox still has every message)."""

    def __init__(self, binary: str, port: int, workdir: Path):
        self.binary, self.port, self.workdir = binary, port, workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(lambda: port_answers(self.port), timeout=15, interval=0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        wait_for(lambda: not port_answers(self.port), timeout=10, interval=0.05)


def start_worker(
    app_module: str, broker_url: str, *, extra_env: dict, beat_schedule: Path | None = None
) -> subprocess.Popen:
    """``celery -A app_module worker`` (``-B`` with a beat schedule file) on this session's
    queue, against the test database. Shared by the outage and worker-fault tests."""
    from django.db import connection

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=broker_url,
        DATABASE_URL=_database_url_for(connection.settings_dict),
    )
    env.update(extra_env)
    beat = ["-B", "-s", str(beat_schedule)] if beat_schedule else []
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app_module,
            "worker",
            *beat,
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            os.environ["CELERY_QUEUE"],
            "-n",
            f"test-worker-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_process(proc: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    """Stop ``proc``'s process group with ``sig`` (SIGKILL: a worker lost mid-task), then
    SIGKILL if it has not gone after 20 seconds."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
