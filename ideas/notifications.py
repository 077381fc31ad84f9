"""Notifications: in-app rows for an idea's followers, and their e-mails.

The services that change an idea call ``notify_followers`` inside their transaction; the
e-mails go out from a Celery task (``ideas.tasks.notify_task``) queued through the outbox in
the same transaction and published after the commit (``core.outbox``). Each notification stays
unsent (``emailed_at`` empty) until its e-mail is accepted; ``ideas.tasks.notify_sweep_task``
re-sends what the task's retries did not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core.web import absolute_url
from ideas.models import Comment, Follow, Idea, Notification

COMMENTED = "commented"


def notify_followers(
    *, idea: Idea, verb: str, message: str, actor=None, user_ids: Iterable[int] | None = None
) -> list[int]:
    """Create in-app notifications for the idea's followers (or ``user_ids``), never for the
    actor, and queue their e-mails in the outbox (published once the transaction commits).

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
        from core.outbox import enqueue
        from ideas.tasks import notify_task

        # Comment e-mails wait for the batch window, so a burst of comments makes one e-mail
        # per follower (the first run claims the whole batch); the rest go at once.
        minutes = settings.COMMENT_EMAIL_BATCH_MINUTES if verb == COMMENTED else 0
        enqueue(notify_task, args=[ids], delay=timedelta(minutes=minutes) if minutes else None)
    return ids


def notify_comment(*, idea: Idea, comment: Comment) -> list[int]:
    """Tell the followers about a public comment (when it is posted, or when a moderator
    publishes a held one). The signature is the one anyone may know: an anonymous idea's
    author signs as "Author (anonymous)" (a viewer of None sees no hidden author)."""
    return notify_followers(
        idea=idea,
        verb=COMMENTED,
        message=f"{idea.comment_author_name_for(comment, None)} commented on “{idea.title[:150]}”.",
        actor=comment.author,
    )


def notification_emails_send(*, notification_ids: Iterable[int]) -> int:
    """E-mail the given notifications to their users. Each row is claimed with a conditional
    UPDATE first, so running the task twice sends each e-mail once. A comment notification
    claims every unsent comment notification of the same person and idea with it: one
    e-mail for the batch. Links are absolute (``SITE_URL``). Returns how many went."""
    from django.core.mail import send_mail

    sent = 0
    for pk in notification_ids:
        note = Notification.objects.select_related("user", "idea").filter(pk=pk).first()
        if note is None or note.emailed_at is not None:
            continue
        batch = Notification.objects.filter(pk=pk)
        if note.verb == COMMENTED:
            batch = Notification.objects.filter(
                user=note.user_id, idea=note.idea_id, verb=COMMENTED
            )
        now = timezone.now()
        claimed_ids = list(batch.filter(emailed_at__isnull=True).values_list("pk", flat=True))
        claimed = Notification.objects.filter(pk__in=claimed_ids, emailed_at__isnull=True).update(
            emailed_at=now
        )
        if not claimed:
            continue
        if not note.user.email or not note.user.is_active:
            continue
        messages = list(
            Notification.objects.filter(pk__in=claimed_ids, emailed_at=now)
            .order_by("created_at", "id")
            .values_list("message", flat=True)
        )
        subject = (
            messages[0]
            if len(messages) == 1
            else (f"{len(messages)} new comments on “{note.idea.title[:100]}”")
        )
        link = absolute_url(reverse("ideas:detail", args=[note.idea_id]))
        try:
            send_mail(
                f"Juncture: {subject}"[:150],
                "\n".join(messages) + f"\n\nSee the idea: {link}\n\n"
                "You get this because you follow the idea. Unfollow it on its page.",
                None,
                [note.user.email],
            )
        except Exception:
            # Release the claim so the task's retry sends it.
            Notification.objects.filter(pk__in=claimed_ids, emailed_at=now).update(emailed_at=None)
            raise
        sent += 1
    return sent


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    marked = qs.update(read_at=timezone.now())
    user.__dict__.pop("_unread_notifications", None)  # the bell counts again if it shows
    return marked


def unread_count_expression():
    """The bell's number as an expression on the user query (see ``accounts.layout``)."""
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(unread), Value(0))
