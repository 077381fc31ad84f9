import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "x8#kq2!v7zPp0rLw4sT9uYb3nHc6mJd1fGa5eRk8oQi2lZx7wVt4",
    "FEEDBACK_PEPPER": "r4Tq8wZp1nVx6cLm0sKd3hJb9yGf2eUa",
    "ALLOWED_HOSTS": "juncture.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://juncture.example.com",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.com",
}


def _manage(*args: str, extra_env: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "FEEDBACK_PEPPER", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_a_production_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", extra_env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_it_defaults_to_debug_off_and_refuses_to_start_without_a_key():
    # No DEBUG in the environment at all: the secure default applies.
    result = _manage("check", extra_env={})
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_it_refuses_the_committed_development_key_when_debug_is_off():
    from config import settings as settings_module

    env = {**PRODUCTION_ENV, "SECRET_KEY": settings_module._DEV_SECRET_KEY}
    result = _manage("check", extra_env=env)
    assert result.returncode != 0
    assert "committed development key" in result.stderr


def test_make_run_turns_debug_on_explicitly():
    makefile = (ROOT / "Makefile").read_text()
    assert "migrate demo run: export DEBUG = true" in makefile


def test_it_refuses_to_start_without_a_feedback_pepper_when_debug_is_off():
    env = {**PRODUCTION_ENV, "FEEDBACK_PEPPER": ""}
    result = _manage("check", extra_env=env)
    assert result.returncode != 0
    assert "FEEDBACK_PEPPER is required when DEBUG is off" in result.stderr


def test_it_refuses_a_malformed_boolean_loudly():
    result = _manage("check", extra_env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("off", False), ("TRUE", True), ("no", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is expected


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", " a.example.com, ,b.example.com ")
    assert env_int("X_INT", 3) == 12
    assert env_list("X_LIST") == ["a.example.com", "b.example.com"]
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_INT must be an integer"):
        env_int("X_INT", 3)


def test_env_url_names_only_the_scheme_of_a_bad_value(monkeypatch):
    monkeypatch.setenv("X_URL", "mysql://user:s3cret@db/x")
    with pytest.raises(ImproperlyConfigured, match="X_URL must be a URL") as exc:
        env_url("X_URL", ("postgres",))
    assert "s3cret" not in str(exc.value)
    monkeypatch.setenv("X_URL", "postgres://db/x")
    assert env_url("X_URL", ("postgres",)) == "postgres://db/x"


# DATABASE_REPLICA_URL: read from settings in a fresh process, since settings load once.
_PRINT_DATABASES = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'aliases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS, "
    "'no_server_cursors': [d['DISABLE_SERVER_SIDE_CURSORS'] for d in s.DATABASES.values()], "
    "'replica': {k: s.DATABASES['replica'][k] for k in ('HOST', 'PORT', 'NAME')} "
    "| {'mirror': s.DATABASES['replica']['TEST']['MIRROR']} "
    "if 'replica' in s.DATABASES else None}))"
)


def _databases(extra_env: dict) -> subprocess.CompletedProcess:
    env = {"DEBUG": "true", "DATABASE_URL": "postgres://juncture@db.internal:5432/juncture"}
    return _manage("shell", "--no-imports", "-c", _PRINT_DATABASES, extra_env={**env, **extra_env})


def test_without_a_replica_url_there_is_one_database_and_no_router():
    result = _databases({"DATABASE_REPLICA_URL": ""})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "aliases": ["default"],
        "routers": [],
        "no_server_cursors": [False],
        "replica": None,
    }


def test_a_replica_url_adds_the_replica_alias_and_the_router():
    result = _databases(
        {
            "DATABASE_REPLICA_URL": "postgres://juncture@replica.internal:5433/juncture",
            # Behind PgBouncer: both aliases stream without server-side cursors.
            "DB_DISABLE_SERVER_SIDE_CURSORS": "true",
        }
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "aliases": ["default", "replica"],
        "routers": ["core.db.ReplicaRouter"],
        "no_server_cursors": [True, True],
        # In the test suite the alias mirrors the test database: no second one to create.
        "replica": {
            "HOST": "replica.internal",
            "PORT": 5433,
            "NAME": "juncture",
            "mirror": "default",
        },
    }


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_URL": "mysql://replica/x"}, "DATABASE_REPLICA_URL must be a URL"),
        (
            {"DATABASE_URL": "sqlite:///x.sqlite3", "DATABASE_REPLICA_URL": "postgres://r/x"},
            "DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL",
        ),
    ],
)
def test_it_refuses_a_replica_it_cannot_use(env, message):
    result = _databases(env)
    assert result.returncode != 0
    assert message in result.stderr
