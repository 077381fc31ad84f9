"""Notifications: in-app rows for an idea's followers, and their e-mails.

The services that change an idea call ``notify_followers`` inside their transaction; the
e-mails go out from a Celery task queued on commit (``ideas.tasks.notify_task``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ideas.models import Follow, Idea, Notification


def notify_followers(
    *, idea: Idea, verb: str, message: str, actor=None, user_ids: Iterable[int] | None = None
) -> list[int]:
    """Create in-app notifications for the idea's followers (or ``user_ids``), never for the
    actor, and queue their e-mails once the transaction commits.

    The in-app rows are written in the caller's transaction, so they exist exactly when the
    change does; only the e-mail (slow, may fail) goes to Celery.
    """
    if user_ids is None:
        user_ids = Follow.objects.filter(idea=idea).values_list("user_id", flat=True)
    recipients = sorted({uid for uid in user_ids if actor is None or uid != actor.pk})
    if not recipients:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(user_id=uid, idea=idea, verb=verb, message=message[:300])
            for uid in recipients
        ]
    )
    ids = [row.pk for row in rows if row.pk is not None]
    if ids:
        from ideas.tasks import notify_task

        transaction.on_commit(lambda: notify_task.delay(ids))
    return ids


def notification_emails_send(*, notification_ids: Iterable[int]) -> int:
    """E-mail the given notifications to their users. Each row is claimed with a conditional
    UPDATE first, so running the task twice sends each e-mail once. Returns how many went."""
    from django.core.mail import send_mail

    sent = 0
    for pk in notification_ids:
        claimed = Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        note = Notification.objects.select_related("user", "idea").get(pk=pk)
        if not note.user.email or not note.user.is_active:
            continue
        try:
            send_mail(
                f"Juncture: {note.message}"[:150],
                f"{note.message}\n\nSee the idea: /ideas/{note.idea_id}/\n\n"
                "You get this because you follow the idea. Unfollow it on its page.",
                None,
                [note.user.email],
            )
        except Exception:
            # Release the claim so the task's retry sends it.
            Notification.objects.filter(pk=pk).update(emailed_at=None)
            raise
        sent += 1
    return sent


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
