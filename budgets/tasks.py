"""Thin Celery tasks: ids in, one service call, safe to run twice (the snapshot is an upsert)."""

from datetime import date

from celery import shared_task

from budgets import services
from budgets.models import FiscalYear


# acks_late + reject_on_worker_lost: a worker that dies mid-run leaves the message on the
# broker for another worker; rerunning is harmless because snapshot_take upserts.
@shared_task(name="budgets.snapshot_all", acks_late=True, reject_on_worker_lost=True)
def snapshot_all_task(day: str | None = None) -> int:
    """Snapshot every fiscal year containing ``day`` (ISO date; default today)."""
    snapshots = services.snapshots_take_for_day(day=date.fromisoformat(day) if day else None)
    return len(snapshots)


@shared_task(name="budgets.snapshot", acks_late=True, reject_on_worker_lost=True)
def snapshot_task(fiscal_year_id: int, day: str) -> int | None:
    fiscal_year = FiscalYear.objects.filter(pk=fiscal_year_id).first()
    if fiscal_year is None:
        return None  # deleted since it was queued: nothing to do
    return services.snapshot_take(fiscal_year=fiscal_year, date=date.fromisoformat(day)).pk
