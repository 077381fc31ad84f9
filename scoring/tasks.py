"""Celery tasks of the scoring app: thin wrappers over scoring.services."""

from celery import shared_task

from scoring import services


@shared_task(
    bind=True,
    name="scoring.aggregate_round",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def aggregate_round_task(self, round_id: int) -> dict:
    """Aggregate one round. Idempotent, so a redelivery after a lost worker is harmless."""
    if self.request.id and not self.request.is_eager:
        self.update_state(state="PROGRESS", meta={"round": round_id, "step": "computing"})
    ideas = services.aggregation_run(round_id=round_id)
    return {"round": round_id, "ideas": ideas}


@shared_task(name="scoring.aggregate_open_rounds")
def aggregate_open_rounds_task() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): queue an aggregation for every open round."""
    return services.open_rounds_queue()
