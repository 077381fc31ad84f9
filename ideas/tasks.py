"""Celery tasks of the ideas app: thin, by id, safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from ideas import notifications
from ideas.models import Notification

logger = logging.getLogger(__name__)


@shared_task(
    name="ideas.notify",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def notify_task(notification_ids: list[int]) -> int:
    """E-mail followers the in-app notifications already written by the services."""
    return notifications.notification_emails_send(notification_ids=notification_ids)


# Old enough that its own task has had its first tries; recent enough to still be news.
SWEEP_AFTER = timedelta(minutes=5)
SWEEP_WITHIN = timedelta(days=3)


@shared_task(name="ideas.notify_sweep", ignore_result=True)
def notify_sweep_task() -> int:
    """Every few minutes (CELERY_BEAT_SCHEDULE): e-mail the notifications still unsent,
    for instance after the mail server was down longer than ``notify_task`` retries.
    The send claims each row first, so a notification is never e-mailed twice."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True, created_at__range=(now - SWEEP_WITHIN, now - SWEEP_AFTER)
        )
        .order_by("id")
        .values_list("pk", flat=True)[:500]
    )
    if not ids:
        return 0
    try:
        return notifications.notification_emails_send(notification_ids=ids)
    except OSError as exc:
        # Still down: the failed row was released; the next sweep tries again.
        logger.warning("mail server unavailable, %s notification(s) wait: %s", len(ids), exc)
        return 0
