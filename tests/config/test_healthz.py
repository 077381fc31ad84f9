import pytest
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db


def test_it_answers_200_when_the_database_answers(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_it_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken(self, sql, params=None):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_it_answers_503_when_a_configured_broker_is_unreachable(client, settings):
    # Port 9 (discard) is closed on loopback: the broker cannot answer.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_it_reports_a_reachable_broker(client, settings):
    from tests.services import require_redis

    require_redis()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"
