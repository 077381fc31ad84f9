"""The aggregation through a real Celery worker on Redis (skipped without Redis)."""

import pytest
from django.db import transaction

from scoring import services
from scoring.models import ReviewRound
from tests.conftest import wait_for
from tests.scoring.helpers import build_round
from tests.scoring.test_aggregation import FUNCTIONS, GRID, table_from


@pytest.mark.services
def test_a_real_worker_aggregates_a_round(celery_worker_process):
    round, ideas, _ = build_round(table_from(GRID), FUNCTIONS)
    with transaction.atomic():
        task_id = services.request_aggregation(round_id=round.pk)
    assert task_id
    from celery.result import AsyncResult

    assert AsyncResult(task_id).get(timeout=60) == {"round": round.pk, "ideas": 4}
    round = wait_for(
        lambda: ReviewRound.objects.filter(pk=round.pk, aggregated_at__isnull=False).first()
    )
    assert round.aggregation_requested_at is None
    assert round.results.get(idea=ideas["A"]).passes_gate
    assert celery_worker_process.poll() is None
