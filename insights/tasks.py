"""Celery tasks of the insights app: thin wrappers over insights services."""

from celery import shared_task

from insights import accuracy


@shared_task(name="insights.compute_accuracy", acks_late=True)
def compute_accuracy_task() -> dict:
    """Recompute the panel-accuracy figures (nightly, and after an experiment is decided).
    Idempotent: it replaces the one stored row."""
    snapshot = accuracy.accuracy_refresh()
    return {"n": snapshot.data.get("n", 0), "computed_at": snapshot.computed_at.isoformat()}
