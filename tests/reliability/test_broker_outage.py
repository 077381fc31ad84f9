"""The broker is down: a transition, a scorecard submission and an allocation each succeed
quickly, their tasks wait in the outbox, and once Redis is back a real worker (with beat
running the relay) runs every one of them exactly once."""

import time
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from config.celery import app as celery_app
from core.models import OutboxMessage
from ideas.models import Follow, Idea, Notification
from scoring.models import ReviewRound
from tests import factories
from tests.conftest import wait_for
from tests.reliability.processes import (
    RedisServer,
    free_port,
    start_worker,
    stop_process,
)
from tests.scoring.helpers import SIGNALS, build_round
from tests.services import require_redis_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

# A request may spend at most about the outbox's inline timeout on the broker.
REQUEST_BUDGET_SECONDS = 3.0


@pytest.fixture
def broker_config(monkeypatch):
    """Publish for real (not eagerly) to whatever broker the test names."""

    def point_at(url: str) -> None:
        # Celery reads CELERY_BROKER_URL from the environment before its own setting.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.broker_url = url
        settings.CELERY_BROKER_URL = url

    before = (celery_app.conf.task_always_eager, settings.CELERY_TASK_ALWAYS_EAGER)
    before_url = (celery_app.conf.broker_url, settings.CELERY_BROKER_URL)
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = False
    yield point_at
    celery_app.conf.task_always_eager, settings.CELERY_TASK_ALWAYS_EAGER = before
    celery_app.conf.broker_url, settings.CELERY_BROKER_URL = before_url


def _world():
    """A submitted idea, an open round with one unsubmitted assignment, an approved idea
    with budget to fund it; each idea followed by its author (who gets the e-mails)."""
    manager = factories.ManagerFactory(display_name="Maya Manager", function="marketing")
    author = factories.EmployeeFactory(email="author@example.com", function="service")
    submitted = factories.IdeaFactory(status="submitted", author=author)
    approved = factories.IdeaFactory(
        status="approved", author=author, owner=author, innovation_type="new_technology"
    )
    for idea in (submitted, approved):
        Follow.objects.create(idea=idea, user=author)
    round_, _, reviewers = build_round(
        {("I1", "R1", s): 4 for s in SIGNALS}, {"R1": "product"}, status="open"
    )
    today = date.today()
    fy = factories.FiscalYearFactory(
        label=f"FY{today.year}",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        marketing_budget=Decimal("1000000.00"),
        innovation_target_pct=Decimal("10.00"),
    )
    assignment = round_.assignments.get()
    return manager, submitted, approved, round_, reviewers["R1"], assignment, fy


def _timed(call):
    started = time.monotonic()
    response = call()
    took = time.monotonic() - started
    print(f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}: {took:.2f}s")
    return response, took


def test_no_task_is_lost_or_repeated_while_the_broker_is_down(
    tmp_path, broker_config, django_capture_on_commit_callbacks
):
    binary = require_redis_server()
    redis = RedisServer(binary, free_port(), tmp_path)
    redis.start()
    redis.stop()  # the broker the app is configured for is now down
    broker_config(redis.url)

    manager, submitted, approved, round_, reviewer, assignment, fy = _world()
    as_manager = APIClient()
    as_manager.force_authenticate(manager)
    # Warm up (URL conf, imports), so the timings below measure the broker's cost.
    assert as_manager.get("/api/v1/ideas/").status_code == 200

    response, took = _timed(
        lambda: as_manager.post(
            f"/api/v1/ideas/{submitted.pk}/transitions/", {"to": "screening"}, format="json"
        )
    )
    assert response.status_code == 201, response.content
    assert took < REQUEST_BUDGET_SECONDS, took

    from django.test import Client

    browser = Client()
    browser.force_login(reviewer)
    form = (
        {f"{key}-value": "4" for key in SIGNALS}
        | {f"{key}-rationale": "Seen in the complaints" for key in SIGNALS}
        | {"submit": "1"}
    )
    response, took = _timed(lambda: browser.post(f"/review/{assignment.pk}/", form, follow=True))
    assert response.status_code == 200 and response.redirect_chain, response.content[:300]
    assert took < REQUEST_BUDGET_SECONDS, took

    response, took = _timed(
        lambda: as_manager.post(
            "/api/v1/budgets/allocations/",
            {"fiscal_year": fy.pk, "idea": approved.pk, "amount": "25000.00"},
            format="json",
        )
    )
    assert response.status_code == 201, response.content
    assert took < REQUEST_BUDGET_SECONDS, took

    # Every change is committed, and each task it causes waits in the outbox.
    assert Idea.objects.get(pk=submitted.pk).status == "screening"
    assert Idea.objects.get(pk=approved.pk).status == "funded"
    pending = list(OutboxMessage.objects.filter(sent_at__isnull=True).order_by("id"))
    assert [m.task_name for m in pending] == [
        "ideas.notify",
        "scoring.aggregate_round",
        "ideas.notify",
    ]
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    assert ReviewRound.objects.get(pk=round_.pk).aggregated_at is None

    # Redis comes back (empty); a worker with beat starts; the relay runs every second.
    log = tmp_path / "tasks.log"
    log.touch()
    redis.start()
    worker = start_worker(
        "tests.reliability.counting_worker",
        redis.url,
        extra_env={
            "JUNCTURE_TASK_LOG": str(log),
            "OUTBOX_RELAY_INTERVAL": "1",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        },
        beat_schedule=tmp_path / "beat-schedule",
    )
    expected = {m.task_id: m.task_name for m in pending}
    started = time.monotonic()
    try:

        def delivered():
            ran = Counter(line.split()[1] for line in log.read_text().splitlines() if line.strip())
            done = not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
            return done and all(ran[task_id] >= 1 for task_id in expected) and ran

        wait_for(delivered, timeout=90, interval=0.25)
        recovery = time.monotonic() - started
        wait_for(
            lambda: (
                ReviewRound.objects.filter(pk=round_.pk, aggregated_at__isnull=False).exists()
                and not Notification.objects.filter(emailed_at__isnull=True).exists()
            ),
            timeout=30,
        )
        time.sleep(3)  # a few more relay passes: nothing may run twice
        runs = Counter(tuple(line.split()) for line in log.read_text().splitlines() if line.strip())
    finally:
        stop_process(worker)
        redis.stop()

    outbox_runs = {key: n for key, n in runs.items() if key[1] in expected}
    assert outbox_runs == {(name, task_id): 1 for task_id, name in expected.items()}
    assert all(name == "core.relay_outbox" for name, _ in set(runs) - set(outbox_runs))
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 3
    assert ReviewRound.objects.get(pk=round_.pk).results.count() == 1
    print(f"recovered in {recovery:.1f}s: {sorted(n for n, _ in outbox_runs)}")


@pytest.mark.django_db(transaction=False)
def test_the_recompute_progress_survives_a_dead_result_backend(client, settings, monkeypatch):
    """Redis also keeps task results: while it is down, the progress poll answers from the
    round's own bookkeeping instead of failing."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    import scoring.views

    class DeadBackendResult:
        def __init__(self, task_id):
            self.task_id = task_id

        @property
        def state(self):
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(scoring.views, "AsyncResult", DeadBackendResult)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    manager = factories.ManagerFactory()
    round_, _, _ = build_round({("I1", "R1", s): 4 for s in SIGNALS}, {"R1": "product"})
    ReviewRound.objects.filter(pk=round_.pk).update(aggregation_task_id="t-1")
    client.force_login(manager)
    url = f"/rounds/{round_.pk}/recompute/t-1/"
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "every 1s" in response.content.decode()
