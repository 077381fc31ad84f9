"""Celery tasks of the ideas app: thin, by id, safe to run twice."""

from celery import shared_task

from ideas import notifications


@shared_task(
    name="ideas.notify",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def notify_task(notification_ids: list[int]) -> int:
    """E-mail followers the in-app notifications already written by the services."""
    return notifications.notification_emails_send(notification_ids=notification_ids)
