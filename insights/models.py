"""Stored results of insights computations that are too costly to run per request."""

from django.db import models


class AccuracySnapshot(models.Model):
    """The latest panel-accuracy figures (``insights.accuracy.accuracy_compute``), one row
    per ``key``, replaced in place by the Celery job (an upsert: running it twice leaves
    one row)."""

    key = models.CharField(max_length=40, unique=True, default="panel")
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"
