"""Celery tasks of the feedback app: thin, by id, safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from feedback import services


@shared_task(
    name="feedback.import_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def import_batch_task(batch_id: int) -> str:
    """Import one uploaded file. A redelivered or retried task resumes after the last
    committed chunk (``services.batch_run``)."""
    return services.batch_run(batch_id=batch_id)


@shared_task(name="feedback.purge_expired")
def purge_expired_task() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): delete items past FEEDBACK_RETENTION_MONTHS."""
    return services.retention_purge()
