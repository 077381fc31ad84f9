"""Template helpers of the ideas app."""

from django import template

from ideas.models import Notification

register = template.Library()


@register.filter
def author_name(idea, viewer) -> str:
    """``{{ idea|author_name:user }}``: the author's name, or "Anonymous" when hidden from
    the viewer (see Idea.author_for)."""
    return idea.author_name_for(viewer)


@register.simple_tag
def evidence_added_by(evidence, idea, viewer) -> str:
    """``{% evidence_added_by e idea user %}``: who added the evidence, or "the author" when
    that would name the anonymous author (see Evidence.added_by_for)."""
    person = evidence.added_by_for(viewer, idea)
    return str(person) if person is not None else "the author"


@register.simple_tag
def comment_author(idea, comment, viewer) -> str:
    """``{% comment_author idea comment user %}``: the comment's signature for the viewer,
    "Author (anonymous)" for the hidden author's own comments."""
    return idea.comment_author_name_for(comment, viewer)


@register.simple_tag
def unread_notifications(user) -> int:
    """The bell's number: loaded with a session's user (``accounts.layout``), else one COUNT
    query, remembered on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, "_unread_notifications", None)
    if cached is None:
        cached = Notification.objects.filter(user=user, read_at__isnull=True).count()
        user._unread_notifications = cached
    return cached
