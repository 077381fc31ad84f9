"""The ideas app's part of a person's data export and account deletion
(registered with ``accounts.privacy`` in ``IdeasConfig.ready``)."""

from ideas.models import Comment, Follow, Idea, Notification, Support


def export(user) -> dict:
    ideas = Idea.objects.filter(author=user).order_by("pk")
    return {
        "ideas": [
            {
                "id": i.pk,
                "title": i.title,
                "customer_need": i.customer_need,
                "proposal": i.proposal,
                "status": i.status,
                "is_anonymous": i.is_anonymous,
                "created_at": i.created_at.isoformat(),
            }
            for i in ideas
        ],
        "comments": [
            {"idea": c.idea_id, "body": c.body, "created_at": c.created_at.isoformat()}
            for c in Comment.objects.filter(author=user).order_by("pk")
        ],
        "supports": [
            {"idea": s.idea_id, "created_at": s.created_at.isoformat()}
            for s in Support.objects.filter(user=user).order_by("pk")
        ],
        "follows": list(
            Follow.objects.filter(user=user).order_by("pk").values_list("idea_id", flat=True)
        ),
    }


def erase(user) -> dict:
    """Supports go (through the support service, so each idea's counter moves with its row);
    follows and notifications go; ideas and comments stay, their author row anonymised by
    the caller."""
    from ideas.engagement import support_remove

    removed = 0
    for support in Support.objects.filter(user=user).select_related("idea"):
        removed += support_remove(idea=support.idea, user=user)
    return {
        "supports": removed,
        "follows": Follow.objects.filter(user=user).delete()[0],
        "notifications": Notification.objects.filter(user=user).delete()[0],
        "ideas_kept": Idea.objects.filter(author=user).count(),
        "comments_kept": Comment.objects.filter(author=user).count(),
    }
