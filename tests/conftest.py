import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from config.celery import app as celery_app
from tests import factories
from tests.services import require_redis

ROOT = Path(__file__).resolve().parent.parent

# Each test session sends tasks to its own queue, so workers of parallel runs (or leftovers)
# never pick up this run's tasks. The worker subprocess inherits CELERY_QUEUE.
os.environ["CELERY_QUEUE"] = f"juncture-test-{os.getpid()}"
celery_app.conf.task_default_queue = os.environ["CELERY_QUEUE"]
settings.CELERY_TASK_DEFAULT_QUEUE = os.environ["CELERY_QUEUE"]


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # pytest groups tests by parametrized session fixtures (Playwright's browser) after
    # pytest-django has put transactional tests last, which can pull browser tests ahead of
    # ordinary ones. A transactional test ends with a flush that also removes rows created by
    # data migrations (the default journey, signals), so run them all at the end again.
    items.sort(key=_is_transactional)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories hash a password per user; PBKDF2 is slow by design and would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploads from tests never land in the project's media folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _eager_tasks(request, settings):
    """Run tasks in process, as the embedded default does, even when CELERY_BROKER_URL is set
    for the run (CI): only tests that start a real worker send tasks to the broker."""
    if "celery_worker_process" in request.fixturenames:
        yield
        return
    before = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(display_name="Chloe Customer")


@pytest.fixture
def employee(db):
    return factories.EmployeeFactory(display_name="Erin Employee", function="service")


@pytest.fixture
def manager(db):
    return factories.ManagerFactory(display_name="Maya Manager", function="marketing")


@pytest.fixture
def executive(db):
    return factories.ExecutiveFactory(display_name="Eli Executive", function="finance")


@pytest.fixture
def outsider(db):
    """Another customer with no relation to anything under test."""
    return factories.CustomerFactory(display_name="Otto Outsider")


@pytest.fixture
def api():
    return APIClient()


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real ``celery -A config worker`` subprocess on the configured Redis broker,
    pointed at the test database. Yields the Popen; stopped (and reaped) afterwards."""
    require_redis()
    from django.db import connection

    env = dict(os.environ)
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    env["DATABASE_URL"] = _database_url_for(connection.settings_dict)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    yield proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _database_url_for(settings_dict: dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy; returns its value or raises AssertionError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture
def panelist(db):
    """An employee (product) who is a member of a panel."""
    user = factories.EmployeeFactory(display_name="Paul Panelist", function="product")
    factories.PanelFactory(name="Panelist's panel", members=[user])
    return user
