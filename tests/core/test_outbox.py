"""core.outbox: a task message is a row written with the change; delivered after the commit
(inline, bounded) or by the relay; never lost with a broker down, never with a rollback."""

import socket
import time
from io import StringIO

import pytest
from celery import shared_task
from django.core.management import call_command
from django.db import transaction

from config.celery import app as celery_app
from core import outbox
from core.models import OutboxMessage
from tests.reliability.processes import free_port

pytestmark = pytest.mark.django_db

RUNS: list = []


@shared_task(name="tests.outbox_probe")
def probe_task(value: int, *, fail: bool = False) -> int:
    RUNS.append(value)
    if fail:
        raise ConnectionError("still down")
    return value


@pytest.fixture(autouse=True)
def _reset():
    RUNS.clear()
    outbox._broker_down_until = 0.0
    yield
    outbox._broker_down_until = 0.0


@pytest.fixture
def dead_broker(monkeypatch, settings):
    url = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield url
    celery_app.conf.task_always_eager = before


def test_it_writes_the_row_in_the_transaction_and_runs_the_task_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        task_id = outbox.enqueue(probe_task, args=[7])
        assert OutboxMessage.objects.get(task_id=task_id).sent_at is None
        assert RUNS == []  # nothing runs before the commit
    assert len(callbacks) == 1 and RUNS == [7]
    message = OutboxMessage.objects.get(task_id=task_id)
    assert message.sent_at is not None and message.attempts == 1


def test_a_rollback_drops_the_message(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue("tests.outbox_probe", args=[1])
        raise RuntimeError("the change failed")
    assert callbacks == [] and RUNS == [] and not OutboxMessage.objects.exists()


def test_a_failing_task_stays_pending_for_the_relay_without_failing_the_caller(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        task_id = outbox.enqueue(probe_task, args=[1], kwargs={"fail": True})
    message = OutboxMessage.objects.get(task_id=task_id)
    assert message.sent_at is None and "still down" in message.last_error
    assert RUNS == [1]  # once: in process the task's retry schedule is not run inline
    # The cause is gone: the relay delivers it (in process, as the embedded mode does).
    OutboxMessage.objects.filter(pk=message.pk).update(kwargs={"fail": False})
    result = outbox.relay()
    assert (result.sent, result.failed) == (1, 0) and RUNS == [1, 1]
    assert OutboxMessage.objects.get(pk=message.pk).sent_at is not None
    assert outbox.relay().sent == 0  # sent rows are never sent again


def test_a_dead_broker_costs_the_request_about_a_second_and_loses_nothing(
    dead_broker, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.enqueue(probe_task, args=[1])
    assert time.monotonic() - started < 2.5
    message = OutboxMessage.objects.get(task_id=first)
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    # While the broker is known to be down, later messages skip the inline attempt.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = outbox.enqueue(probe_task, args=[2])
    assert callbacks == []
    # The relay finds the broker down and leaves every row as it was.
    result = outbox.relay()
    assert result.broker_down and result.sent == 0
    assert OutboxMessage.objects.get(task_id=first).attempts == 1
    assert OutboxMessage.objects.get(task_id=second).attempts == 0
    assert RUNS == []


def test_the_relay_command_reports_what_it_did(django_capture_on_commit_callbacks):
    OutboxMessage.objects.create(task_name="tests.outbox_probe", args=[5], task_id="t-5")
    out = StringIO()
    call_command("relay_outbox", stdout=out)
    assert out.getvalue().strip() == "published 1, failed 0, pending 0"
    assert RUNS == [5]


def test_a_broker_that_accepts_but_never_answers_costs_about_a_second(
    monkeypatch, django_capture_on_commit_callbacks
):
    # A listening socket nobody reads: the connection opens, no reply ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        before = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        try:
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                task_id = outbox.enqueue(probe_task, args=[3])
            took = time.monotonic() - started
        finally:
            celery_app.conf.task_always_eager = before
    assert took < 3, took
    assert OutboxMessage.objects.get(task_id=task_id).sent_at is None
