"""The one table ``core`` owns: the transactional outbox (see ``core.outbox``)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """A Celery task to publish, written in the same transaction as the change that causes it.

    ``task_id`` is fixed when the row is written, so every publish of the row (the inline
    attempt, then any relay attempt) carries the same Celery task id.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The relay leaves a row alone until then: the inline attempt's window, a claim's lease,
    # or the backoff after a failed publish.
    available_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["available_at", "id"],
                condition=Q(sent_at__isnull=True),
                name="outbox_pending",
            ),
            # Pruning deletes old sent rows.
            models.Index(
                fields=["sent_at"], condition=Q(sent_at__isnull=False), name="outbox_sent"
            ),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "pending"
        return f"{self.task_name} {self.task_id} ({state})"
