"""The database is down: HTML pages answer the branded 503 page with Retry-After, the API a
JSON 503 ``{detail, code}``; never a 500. When it is back, the same process serves again."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from config.views import server_error
from tests import factories
from tests.conftest import ROOT
from tests.reliability.processes import free_port
from tests.services import require_postgres

# Signed-in pages: each one reads the database (session, user, its own rows).
PAGES = ["/", "/ideas/", "/campaigns/", "/review/", "/notifications/", "/accounts/audit/"]
API = ["/api/v1/ideas/", "/api/v1/campaigns/", "/api/v1/rounds/"]
NEW_IDEA = {
    "title": "Show the card PIN in the app",
    "customer_need": "Customers who forget their PIN wait 5 days for a letter.",
    "innovation_type": "new_experience",
}


def _assert_branded_503(response) -> None:
    assert response.status_code == 503, (response.request["PATH_INFO"], response.status_code)
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "We'll be right back" in body and "Juncture" in body
    assert "Server Error" not in body


def _assert_json_503(response) -> None:
    assert response.status_code == 503, (response.request["PATH_INFO"], response.status_code)
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["code"] == "database_unavailable" and body["detail"]


@pytest.mark.django_db(transaction=True)
def test_it_answers_503_while_the_database_is_down_and_recovers_without_restart(tmp_path):
    manager = factories.ManagerFactory()
    browser = Client(raise_request_exception=False)
    browser.force_login(manager)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(manager)

    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        # A PostgreSQL port with nothing listening.
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    try:
        for path in PAGES:
            _assert_branded_503(browser.get(path))
        _assert_branded_503(browser.post("/ideas/new/", {"title": "x"}))
        for path in API:
            _assert_json_503(api.get(path))
        _assert_json_503(api.post("/api/v1/ideas/", NEW_IDEA, format="json"))
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    # Back: the next requests connect again, in the same process.
    for path in PAGES[:3]:
        assert browser.get(path).status_code == 200, path
    assert api.get(API[0]).status_code == 200


def test_an_outage_outside_a_view_is_a_503_too():
    # handler500: e.g. the session saved after the view, when the database just went away.
    request = RequestFactory().get("/ideas/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    api_request = RequestFactory().get("/api/v1/ideas/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(api_request)
    assert json.loads(response.content)["code"] == "database_unavailable"
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500


# A fresh process configured with DATABASE_URL pointing at a PostgreSQL port with nothing
# listening, as an operator would see it: DEBUG off, a session cookie, an API token.
_PROBE = textwrap.dedent(
    """
    import json, os, time
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(raise_request_exception=False, HTTP_HOST="localhost")
    client.cookies["sessionid"] = "x" * 32
    out = {}
    for path in ["/", "/ideas/", "/budgets/"]:
        started = time.monotonic()
        r = client.get(path)
        out[path] = [r.status_code, r.get("Retry-After"), "We'll be right back" in r.text,
                     round(time.monotonic() - started, 2)]
    r = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    out["login"] = [r.status_code, r.get("Retry-After"), "We'll be right back" in r.text, 0]
    api = Client(raise_request_exception=False, HTTP_HOST="localhost",
                 HTTP_AUTHORIZATION="Token " + "0" * 40)
    r = api.get("/api/v1/ideas/")
    out["api"] = [r.status_code, r.get("Retry-After"), r.json(), 0]
    print(json.dumps(out))
    """
)


def test_a_process_pointed_at_a_dead_postgresql_port_answers_503(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/juncture",
        DEBUG="False",
        SECRET_KEY="outage-test-" + "k" * 40,
        FEEDBACK_PEPPER="outage-test-pepper-" + "p" * 20,
        ALLOWED_HOSTS="localhost",
        SECURE_SSL_REDIRECT="False",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    env.pop("CELERY_BROKER_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    for path in ["/", "/ideas/", "/budgets/", "login"]:
        status, retry_after, branded, _ = out[path]
        assert (status, retry_after, branded) == (503, "30", True), (path, out[path])
    status, retry_after, body, _ = out["api"]
    assert (status, retry_after, body["code"]) == (503, "30", "database_unavailable")
    assert "Traceback" not in done.stderr


@pytest.mark.django_db
def test_postgresql_connections_carry_the_statement_timeout(settings):
    require_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (value,) = cursor.fetchone()
    expected = settings.DATABASE_STATEMENT_TIMEOUT_MS
    assert value == ("0" if expected == 0 else f"{expected}ms").replace("000ms", "s")


@pytest.mark.django_db
def test_a_statement_over_the_timeout_is_cancelled_as_an_outage():
    # The cancelled statement raises the error the 503 handlers catch.
    require_postgres()
    from core.web import DATABASE_UNAVAILABLE_ERRORS

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 100")
        with pytest.raises(DATABASE_UNAVAILABLE_ERRORS, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(2)")
