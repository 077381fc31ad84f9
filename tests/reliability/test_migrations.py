"""Every migration runs forwards, backwards to zero, and forwards again, on a scratch
database of the same vendor as the suite (SQLite file, or a fresh PostgreSQL database)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# Reverse dependency order: budgets -> scoring -> ideas -> journeys -> accounts.
APPS_RIGHT_TO_LEFT = ["outcomes", "budgets", "scoring", "ideas", "journeys"]


def _manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result


@pytest.fixture
def scratch_database_url(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    import psycopg

    settings_dict = connection.settings_dict
    name = f"juncture_migrations_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = settings_dict["USER"] + (
        f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    )
    yield f"postgres://{auth}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.django_db
def test_it_migrates_forwards_backwards_and_forwards_again(scratch_database_url):
    _manage(scratch_database_url, "migrate", "--noinput")
    _manage(scratch_database_url, "seed_demo", "--quiet-logins")  # reversing must cope with data
    for app in APPS_RIGHT_TO_LEFT:
        _manage(scratch_database_url, "migrate", app, "zero", "--noinput")
    _manage(scratch_database_url, "migrate", "--noinput")
    plan = _manage(scratch_database_url, "showmigrations", "--plan").stdout
    assert "[ ]" not in plan
    # Nothing the models say is missing from the migrations.
    _manage(scratch_database_url, "makemigrations", "--check", "--dry-run")
