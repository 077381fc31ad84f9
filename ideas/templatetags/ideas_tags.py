"""Template helpers of the ideas app."""

from django import template
from django.utils import timezone

from core.templatetags.juncture import date_day
from ideas import cards, page
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
    """The bell's number: loaded with a session's user (``accounts.layout``); else one COUNT
    query (for moderators the same query also counts the moderation queue, kept on the user
    object for the nav's ``moderation_waiting``), remembered on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return 0
    cached = getattr(user, "_unread_notifications", None)
    if cached is not None:
        return cached
    if not user.has_perm("ideas.moderate"):
        cached = Notification.objects.filter(user=user, read_at__isnull=True).count()
    else:
        from ideas.moderation import unread_and_waiting

        cached, user._moderation_waiting = unread_and_waiting(user)
    user._unread_notifications = cached
    return cached


@register.simple_tag
def moderation_waiting(user) -> int:
    """The moderators' nav number: counted with the bell's (``unread_notifications``), or by
    one COUNT of the open cases when the bell did not run, remembered on the user for the
    request (the nav shows it twice: on the Manage menu and on its Moderation link)."""
    waiting = getattr(user, "_moderation_waiting", None)
    if waiting is None:
        from ideas.moderation import waiting_count

        waiting = user._moderation_waiting = waiting_count()
    return waiting


@register.simple_tag
def campaign_when(campaign, now=None) -> str:
    """When a campaign takes ideas, as people say it: "Opens 10 Dec" (not yet open),
    "Closes 3 Jan" (open), "Closed 3 Jan" (over), "Open, no end date"."""
    now = now or timezone.now()
    if campaign.opens_at > now:
        return f"Opens {date_day(campaign.opens_at)}"
    if campaign.closes_at is None:
        return "Open, no end date"
    verb = "Closes" if campaign.closes_at > now else "Closed"
    return f"{verb} {date_day(campaign.closes_at)}"


@register.simple_tag(takes_context=True)
def idea_cards(context, ideas, viewer, query: str = "") -> str:
    """``{% idea_cards page.object_list user query %}``: the board's cards (ideas.cards)."""
    return cards.idea_cards(cards.CardPage.build(context, viewer, query), ideas)


@register.simple_tag(takes_context=True)
def idea_card_support(context, idea, viewer, query: str = "") -> str:
    """``{% idea_card_support idea user query %}``: one card's footer, the region its support
    button swaps (ideas.cards)."""
    return cards.card_support(cards.CardPage.build(context, viewer, query), idea)


@register.simple_tag(takes_context=True)
def comment_items(context, idea, comments, viewer, can_moderate):
    """``{% comment_items idea comments user can_moderate %}``: the idea page's comments
    (``ideas.page.comment_items``)."""
    return page.comment_items(context, idea, comments, viewer, bool(can_moderate))


@register.simple_tag
def timeline_items(transitions, viewer):
    """``{% timeline_items transitions user %}``: the idea page's timeline entries
    (``ideas.page.timeline_items``)."""
    return page.timeline_items(transitions, viewer)
