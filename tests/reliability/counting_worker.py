"""A Celery app for the broker-outage test: the real Juncture app, plus a line appended to
the file named by JUNCTURE_TASK_LOG for every task it starts (``name task_id``), so the test
can count how many times each task ran. Nothing in the application imports this module."""

import os

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]


@task_prerun.connect
def _record(sender=None, task_id=None, **kwargs):
    if sender is None:
        return
    with open(os.environ["JUNCTURE_TASK_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{sender.name} {task_id}\n")
