"""Celery tasks of ``core``: the outbox relay (see ``core.outbox``)."""

from celery import shared_task

from core import outbox


@shared_task(name="core.relay_outbox", ignore_result=True)
def relay_outbox_task() -> int:
    """Every few seconds (CELERY_BEAT_SCHEDULE): publish the outbox rows that are due."""
    return outbox.relay().sent


@shared_task(name="core.prune_outbox", ignore_result=True)
def prune_outbox_task() -> int:
    """Daily: forget rows sent more than a week ago."""
    return outbox.prune()
