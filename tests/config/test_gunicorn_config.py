"""config/gunicorn.py: the process model docs/deployment.md recommends, changeable from the
environment without editing the file."""

import os
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.py"


def _load(monkeypatch, **env) -> dict:
    for name in [
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_WORKER_CLASS",
        "GUNICORN_KEEPALIVE",
        "GUNICORN_BIND",
    ]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_are_one_gthread_process_per_core_with_four_threads(monkeypatch):
    config = _load(monkeypatch)
    assert config["workers"] == (os.cpu_count() or 2)
    assert config["worker_class"] == "gthread"
    assert config["threads"] == 4
    assert config["keepalive"] == 5
    assert config["bind"] == "0.0.0.0:8000"
    assert config["preload_app"] is False


def test_the_environment_changes_the_process_model(monkeypatch):
    config = _load(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="8",
        GUNICORN_WORKER_CLASS="sync",
        GUNICORN_KEEPALIVE="75",
        GUNICORN_BIND="127.0.0.1:9000",
    )
    assert (config["workers"], config["threads"], config["worker_class"]) == (3, 8, "sync")
    assert (config["keepalive"], config["bind"]) == (75, "127.0.0.1:9000")
