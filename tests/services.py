"""Skip-or-fail for tests that need an outside service.

A test that needs PostgreSQL, Redis or Chromium (or a streaming replica: ``replica``) calls
``require(name, available, reason)`` (or one of the ``require_*`` helpers below). Without the
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

# The binary Playwright launches; the availability check looks at this same path, so a
# chromium elsewhere on PATH never makes the check pass while the launch fails.
CHROMIUM = os.environ.get("JUNCTURE_CHROMIUM") or (
    "/usr/bin/chromium"
    if os.path.exists("/usr/bin/chromium")
    else shutil.which("chromium") or "/usr/bin/chromium"
)


def _required(name: str) -> bool:
    raw = os.environ.get("JUNCTURE_REQUIRE_SERVICES", "").strip().lower()
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    return bool(wanted & {"1", "all", "true", name})


def require(name: str, available: bool, reason: str) -> None:
    if available:
        return
    if _required(name):
        pytest.fail(f"{name} is required (JUNCTURE_REQUIRE_SERVICES) but unavailable: {reason}")
    pytest.skip(_skip_reason(name, reason))


def _skip_reason(name: str, reason: str) -> str:
    return f"{name} unavailable: {reason}"


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


_CHROMIUM_REASON = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


def chromium_skip_marker() -> pytest.MarkDecorator | None:
    """A skip mark for browser tests when Chromium is absent and not required, else None.

    Applied at collection, so the session-scoped browser fixture is never set up (a launch
    that fails would otherwise error every browser test before any skip check ran)."""
    if chromium_available() or _required("chromium"):
        return None
    return pytest.mark.skip(reason=_skip_reason("chromium", _CHROMIUM_REASON))


def require_chromium() -> None:
    require("chromium", chromium_available(), _CHROMIUM_REASON)


def require_redis_server() -> str:
    """The path of ``redis-server``, for tests that start (and stop) their own Redis."""
    path = shutil.which("redis-server")
    require(
        "redis",
        path is not None,
        "this test starts its own redis-server; install it (apt-get install redis-server)",
    )
    return path or ""
