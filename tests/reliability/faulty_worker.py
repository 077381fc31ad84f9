"""A Celery app for the worker-fault test: the real Juncture app, except that the
aggregation, once it has written its rows (uncommitted), announces it through a marker file
and hangs inside its transaction, so the test can SIGKILL the worker mid-aggregation.

Run as ``celery -A tests.reliability.faulty_worker worker``; JUNCTURE_FAULT_MARKER names the
marker file. Nothing in the application imports this module."""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]


@task_prerun.connect
def _hang_after_writing(sender=None, **kwargs):
    if sender is None or sender.name != "scoring.aggregate_round":
        return
    from django.db import transaction

    from scoring import aggregation

    if getattr(aggregation.aggregate, "_faulty", False):
        return
    real = aggregation.aggregate

    def aggregate_then_hang(round_id):
        with transaction.atomic():
            written = real(round_id)
            Path(os.environ["JUNCTURE_FAULT_MARKER"]).write_text(str(written))
            time.sleep(600)  # killed here, before COMMIT
        return written

    aggregate_then_hang._faulty = True
    aggregation.aggregate = aggregate_then_hang
