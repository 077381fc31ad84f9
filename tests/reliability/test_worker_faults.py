"""A worker killed with SIGKILL in the middle of a round's aggregation loses nothing: the task
(acks_late, reject_on_worker_lost) goes back to the queue, another worker runs it, and the
results equal a clean run's. Needs Redis and a database the worker processes can reach."""

import random
import signal
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from scoring import services
from scoring.models import IdeaScore, SignalResult
from scoring.tasks import aggregate_round_task
from tests.conftest import wait_for
from tests.reliability.processes import start_worker, stop_process
from tests.scoring.helpers import SIGNALS, build_round
from tests.services import require_redis

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

REVIEWERS = {
    "R1": "product",
    "R2": "sales",
    "R3": "it",
    "R4": "service",
    "R5": "marketing",
    "R6": "finance",
    "R7": "operations",
}


def _snapshot(round_id: int) -> dict:
    scores = {
        s.idea_id: (
            s.rank,
            round(s.overall, 9),
            s.passes_gate,
            s.contested,
            s.reviewers,
            s.functions,
            s.function_means,
        )
        for s in IdeaScore.objects.filter(round_id=round_id)
    }
    signals = {
        (r.idea_score.idea_id, r.signal_id): (round(r.raw, 9), round(r.calibrated, 9), r.n)
        for r in SignalResult.objects.filter(idea_score__round_id=round_id).select_related(
            "idea_score"
        )
    }
    return {"scores": scores, "signals": signals}


def _start_worker(app_module: str, extra_env: dict):
    # Redis redelivers an unacknowledged task after the visibility timeout: short here.
    return start_worker(
        app_module,
        settings.CELERY_BROKER_URL,
        extra_env={"CELERY_VISIBILITY_TIMEOUT": "3", **extra_env},
    )


def test_a_worker_killed_mid_aggregation_loses_nothing(tmp_path):
    require_redis()
    rng = random.Random(7)
    ideas = [f"I{n:02d}" for n in range(30)]
    table = {(i, r, s): rng.randint(1, 5) for i in ideas for r in REVIEWERS for s in SIGNALS}
    round_, _, _ = build_round(table, REVIEWERS)

    # The clean run, in process, is the reference; then start from nothing.
    services.aggregation_run(round_id=round_.pk)
    clean = _snapshot(round_.pk)
    assert len(clean["scores"]) == 30 and len(clean["signals"]) == 120
    IdeaScore.objects.filter(round=round_).delete()

    marker = tmp_path / "aggregation-written"
    before = (celery_app.conf.task_always_eager, settings.CELERY_TASK_ALWAYS_EAGER)
    celery_app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = False
    faulty = _start_worker(
        "tests.reliability.faulty_worker", {"JUNCTURE_FAULT_MARKER": str(marker)}
    )
    healthy = None
    try:
        result = aggregate_round_task.apply_async(args=[round_.pk])
        wait_for(marker.exists, timeout=90)
        assert Path(marker).read_text() == "30"  # rows written inside the open transaction
        stop_process(faulty, signal.SIGKILL)
        # The killed transaction never committed.
        assert not IdeaScore.objects.filter(round=round_).exists()

        healthy = _start_worker("config", {})
        assert result.get(timeout=120) == {"round": round_.pk, "ideas": 30}
        assert _snapshot(round_.pk) == clean

        # Idempotent: running it again changes nothing.
        aggregate_round_task.apply_async(args=[round_.pk]).get(timeout=60)
        assert _snapshot(round_.pk) == clean
    finally:
        stop_process(faulty, signal.SIGKILL)
        if healthy is not None:
            stop_process(healthy)
        celery_app.conf.task_always_eager, settings.CELERY_TASK_ALWAYS_EAGER = before
