import pytest

from config.celery import ping


@pytest.mark.services
def test_a_real_worker_runs_a_task_through_redis(celery_worker_process):
    result = ping.apply_async()
    assert result.get(timeout=60) == "pong"
    assert celery_worker_process.poll() is None  # still running: we stop it, not the task
