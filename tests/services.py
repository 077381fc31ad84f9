"""Skip-or-fail for tests that need an outside service.

A test that needs PostgreSQL, Redis or Chromium calls ``require(name, reason)`` (or one of the
``require_*`` helpers below). Without the
service it is skipped with the reason, unless JUNCTURE_REQUIRE_SERVICES names it
(``1``/``all`` for every service, or a comma list such as ``chromium,redis``): then it fails,
so CI never passes by skipping.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

CHROMIUM = os.environ.get("JUNCTURE_CHROMIUM", "/usr/bin/chromium")


def _required(name: str) -> bool:
    raw = os.environ.get("JUNCTURE_REQUIRE_SERVICES", "").strip().lower()
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    return bool(wanted & {"1", "all", "true", name})


def require(name: str, available: bool, reason: str) -> None:
    if available:
        return
    if _required(name):
        pytest.fail(f"{name} is required (JUNCTURE_REQUIRE_SERVICES) but unavailable: {reason}")
    pytest.skip(f"{name} unavailable: {reason}")


def _port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    require(
        "postgres",
        connection.vendor == "postgresql",
        "this test needs PostgreSQL; set DATABASE_URL=postgres://... to run it",
    )


def require_redis() -> None:
    url = settings.CELERY_BROKER_URL
    require(
        "redis",
        bool(url) and url.startswith("redis") and _port_open(url, 6379),
        "this test needs a Redis broker; set CELERY_BROKER_URL=redis://127.0.0.1:6379/0",
    )


def require_chromium() -> None:
    require(
        "chromium",
        os.path.exists(CHROMIUM) or bool(shutil.which("chromium")),
        f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
    )


def require_redis_server() -> str:
    """The path of ``redis-server``, for tests that start (and stop) their own Redis."""
    path = shutil.which("redis-server")
    require(
        "redis",
        path is not None,
        "this test starts its own redis-server; install it (apt-get install redis-server)",
    )
    return path or ""
