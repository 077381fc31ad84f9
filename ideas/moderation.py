"""Moderation of ideas and comments: what is held for review, flags, and the moderators'
decisions. Conventions as in ``ideas.services``.

Content is held (``Moderation.HELD``) and a ``ModerationCase`` opened when:

- a customer submits an idea or a comment in a campaign that pre-moderates customers;
- the text looks suspect (``screen_text``: profanity from ``better_profanity``'s word
  list, or our own spam signals: many links, a character repeated many times);
- ``MODERATION_FLAG_THRESHOLD`` people flagged it (each flag opens or joins the item's
  open case; below the threshold the item stays published and the case waits in the queue).

Moderators' own content is never held: they are the ones who would approve it. Held,
rejected and hidden content is shown only to its author and to moderators
(``IdeaQuerySet.visible_to``, ``ideas.selectors.visible_comments``); only published,
public comments count in ``Idea.comment_count``. Every hold, flag and decision is audited.
"""

from __future__ import annotations

import re

from better_profanity import profanity
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Kind
from core.exceptions import Conflict
from core.web import require_perm
from ideas.models import (
    CaseCause,
    Comment,
    Decision,
    Flag,
    Idea,
    Moderation,
    ModerationCase,
    Notification,
    Status,
)
from ideas.notifications import notify_comment, notify_followers

# Loaded once at import: the library builds its word set lazily on first use otherwise,
# and two threads doing that at once would race.
profanity.load_censor_words()

# Spam signals the profanity library does not look for.
MAX_LINKS = 3
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
REPEATED = re.compile(r"(\S)\1{9,}")  # one character ten or more times in a row
MODERATED = "moderated"  # the notification verb


def spam_signal(text: str) -> str:
    """A short reason when ``text`` looks like spam, else ``""``."""
    links = len(LINK.findall(text))
    if links > MAX_LINKS:
        return f"{links} links"
    if REPEATED.search(text):
        return "Repeated characters"
    return ""


def screen_text(*texts: str) -> str:
    """Why the texts look suspect (``"Profanity"``, ``"5 links"``, ...), or ``""``."""
    text = "\n".join(t for t in texts if t)
    if not text:
        return ""
    if profanity.contains_profanity(text):
        return "Profanity"
    return spam_signal(text)


def hold_reason(*, author, campaign, texts, premoderate: bool = True) -> tuple[str, str] | None:
    """``(cause, detail)`` when content by ``author`` must wait for a moderator: suspect
    text first, then (``premoderate``) a campaign that pre-moderates customers."""
    if author.has_perm("ideas.moderate"):
        return None
    detail = screen_text(*texts)
    if detail:
        return CaseCause.SUSPECT, detail
    customer = author.kind == Kind.CUSTOMER
    if premoderate and customer and campaign is not None and campaign.premoderation:
        return CaseCause.PREMODERATION, ""
    return None


def _open_case(*, idea: Idea, comment: Comment | None, cause: str, detail: str = ""):
    """The item's open case, opened now if it has none. Locked: flags and decisions on the
    same item queue behind each other (the partial unique index settles two openings)."""
    lookup = {"idea": idea, "comment": comment, "closed_at__isnull": True}
    case = ModerationCase.objects.select_for_update().filter(**lookup).first()
    if case is None:
        try:
            with transaction.atomic():
                case = ModerationCase.objects.create(
                    idea=idea, comment=comment, cause=cause, detail=detail[:200]
                )
        except IntegrityError:
            case = ModerationCase.objects.select_for_update().get(**lookup)
    return case


def _label(content: Idea | Comment) -> str:
    if isinstance(content, Comment):
        return f"Comment #{content.pk} on idea #{content.idea_id}"
    return f"Idea #{content.pk}"


def _set_state(content: Idea | Comment, state: str, *, actor=None, note: str = "") -> bool:
    """Move an idea or comment to ``state`` (row locked), keeping ``comment_count`` exact.
    Returns whether the state changed. Call inside a transaction."""
    model = type(content)
    locked = model.objects.select_for_update().get(pk=content.pk)
    changed = locked.moderation != state
    was_public = isinstance(locked, Comment) and locked.is_public
    values = {"moderation": state, "moderation_note": note}
    if isinstance(locked, Comment):
        values["moderated_by"] = actor if state != Moderation.PUBLISHED else None
    model.objects.filter(pk=content.pk).update(**values)
    for field, value in values.items():
        setattr(content, field, value)
    if isinstance(content, Comment) and changed:
        delta = int(content.is_public) - int(was_public)
        if delta:
            counted = Idea.objects.filter(pk=content.idea_id)
            if delta < 0:
                counted = counted.filter(comment_count__gt=0)
            counted.update(comment_count=F("comment_count") + delta)
    return changed


def _hold(content: Idea | Comment, *, cause: str, detail: str) -> ModerationCase:
    idea = content.idea if isinstance(content, Comment) else content
    comment = content if isinstance(content, Comment) else None
    _set_state(content, Moderation.HELD)
    case = _open_case(idea=idea, comment=comment, cause=cause, detail=detail)
    audit_record(
        actor=None,
        action="moderation.hold",
        target=content,
        summary=f"{_label(content)} held for review: "
        f"{CaseCause(cause).label.lower()}{f' ({detail})' if detail else ''}",
        data={"case": case.pk, "cause": cause, "detail": detail},
    )
    return case


# --- Holding on submission --------------------------------------------------------------


def idea_screen(*, idea: Idea, premoderate: bool) -> bool:
    """Hold a submitted idea when it must wait for a moderator (``hold_reason``); called by
    the workflow when a draft is submitted (``premoderate``) and after the author edits it
    (text only: an approved idea is not pre-moderated again). Returns True if held now."""
    if idea.status == Status.DRAFT or idea.moderation != Moderation.PUBLISHED:
        return False
    found = hold_reason(
        author=idea.author,
        campaign=idea.campaign,
        texts=(idea.title, idea.customer_need, idea.proposal),
        premoderate=premoderate,
    )
    if found is None:
        return False
    _hold(idea, cause=found[0], detail=found[1])
    return True


def comment_screen(*, comment: Comment) -> bool:
    """Hold a new comment when it must wait for a moderator. Called by ``comment_add``
    before the comment is counted or anyone is told about it."""
    idea = comment.idea
    found = hold_reason(author=comment.author, campaign=idea.campaign, texts=(comment.body,))
    if found is None:
        return False
    _hold(comment, cause=found[0], detail=found[1])
    return True


# --- Flags -------------------------------------------------------------------------------


@transaction.atomic
def flag_add(*, user, content: Idea | Comment, reason: str) -> Flag:
    """Flag someone else's published idea or comment. One open flag per person and item
    (Conflict otherwise); at ``MODERATION_FLAG_THRESHOLD`` flags the item is held."""
    require_perm(user, "ideas.flag_content", content, message="You cannot flag this.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say what is wrong with it."]})
    if len(reason) > 500:
        raise ValidationError({"reason": ["Keep it under 500 characters."]})
    comment = content if isinstance(content, Comment) else None
    idea = comment.idea if comment is not None else content
    case = _open_case(idea=idea, comment=comment, cause=CaseCause.FLAGS)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(case=case, user=user, reason=reason)
    except IntegrityError:
        raise Conflict(
            "You have already flagged this: a moderator will look at it.", code="flagged"
        ) from None
    ModerationCase.objects.filter(pk=case.pk).update(flag_count=F("flag_count") + 1)
    case.refresh_from_db(fields=["flag_count"])
    audit_record(
        actor=user,
        action="moderation.flag",
        target=content,
        summary=f"{_label(content)} flagged ({case.flag_count})",
        data={"case": case.pk, "reason": reason[:200]},
    )
    held = case.flag_count >= settings.MODERATION_FLAG_THRESHOLD
    if held and content.moderation == Moderation.PUBLISHED:
        _set_state(content, Moderation.HELD)
        audit_record(
            actor=None,
            action="moderation.hold",
            target=content,
            summary=f"{_label(content)} held for review: {case.flag_count} flags",
            data={"case": case.pk, "cause": CaseCause.FLAGS},
        )
    return flag


# --- Decisions ---------------------------------------------------------------------------

STATE_FOR = {
    Decision.APPROVED: Moderation.PUBLISHED,
    Decision.REJECTED: Moderation.REJECTED,
    Decision.HIDDEN: Moderation.HIDDEN,
}


def _tell_author(*, content: Idea | Comment, decision: str, reason: str, actor) -> None:
    idea = content.idea if isinstance(content, Comment) else content
    title = idea.title[:100]
    what = f"Your comment on “{title}”" if isinstance(content, Comment) else f"Your idea “{title}”"
    if decision == Decision.APPROVED:
        message = f"{what} is published."
    elif decision == Decision.REJECTED:
        message = f"{what} was not published: {reason}"
    else:
        message = f"{what} was hidden by a moderator.{f' {reason}' if reason else ''}"
    notify_followers(
        idea=idea, verb=MODERATED, message=message, actor=actor, user_ids=[content.author_id]
    )


@transaction.atomic
def case_decide(*, case: ModerationCase, actor, decision: str, reason: str = "") -> ModerationCase:
    """A moderator's decision on an open case: approve (publish), reject (with a reason
    the author reads) or hide. Closes the case; its flags go with it. The author is told;
    an approved comment that others had not seen yet reaches the idea's followers now.
    Conflict when another moderator decided first."""
    require_perm(actor, "ideas.moderate", message="Only moderators decide.")
    reason = (reason or "").strip()
    if decision not in Decision.values:
        raise ValidationError({"decision": ["Approve, reject or hide."]})
    if decision == Decision.REJECTED and not reason:
        raise ValidationError({"reason": ["Tell the author why it is rejected."]})
    if len(reason) > 1000:
        raise ValidationError({"reason": ["Keep it under 1000 characters."]})
    locked = ModerationCase.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None or locked.closed_at is not None:
        raise Conflict("This item was already decided by another moderator.", code="decided")
    content = (
        Comment.objects.select_related("idea", "author").get(pk=locked.comment_id)
        if locked.comment_id
        else Idea.objects.select_related("campaign").get(pk=locked.idea_id)
    )
    was = content.moderation
    _set_state(
        content,
        STATE_FOR[decision],
        actor=actor,
        note=reason if decision == Decision.REJECTED else "",
    )
    values = {
        "closed_at": timezone.now(),
        "closed_by": actor,
        "decision": decision,
        "reason": reason,
    }
    ModerationCase.objects.filter(pk=locked.pk).update(**values)
    for field, value in values.items():
        setattr(case, field, value)
    audit_record(
        actor=actor,
        action=f"moderation.{decision}",
        target=content,
        summary=f"{_label(content)} {Decision(decision).label.lower()}"
        + (f": {reason}" if reason else ""),
        data={"case": case.pk, "from": was, "reason": reason},
    )
    if decision != Decision.APPROVED or was != Moderation.PUBLISHED:
        _tell_author(content=content, decision=decision, reason=reason, actor=actor)
    if (
        decision == Decision.APPROVED
        and isinstance(content, Comment)
        and was != Moderation.PUBLISHED
        and not content.is_internal
    ):
        notify_comment(idea=content.idea, comment=content)
    return case


@transaction.atomic
def comment_hide(*, comment: Comment, actor, hidden: bool = True) -> Comment:
    """Hide a comment from the idea page (or show it again); moderators only. Closes the
    comment's open case, if any, as decided. Keeps ``comment_count`` exact."""
    require_perm(actor, "ideas.moderate", comment, message="Only moderators hide comments.")
    state = Moderation.HIDDEN if hidden else Moderation.PUBLISHED
    if _set_state(comment, state, actor=actor):
        audit_record(
            actor=actor,
            action="comment.hide" if hidden else "comment.show",
            target=comment,
            summary=f"Comment #{comment.pk} on idea #{comment.idea_id} "
            + ("hidden" if hidden else "shown again"),
        )
    ModerationCase.objects.filter(comment=comment, closed_at__isnull=True).update(
        closed_at=timezone.now(),
        closed_by=actor,
        decision=Decision.HIDDEN if hidden else Decision.APPROVED,
    )
    return comment


# --- The queue ---------------------------------------------------------------------------


def open_cases():
    """The queue: open cases, oldest first, with the item, its author and its flags (two
    queries for a page: the cases with their items, the flags with who flagged)."""
    return (
        ModerationCase.objects.filter(closed_at__isnull=True)
        .select_related("idea__author", "idea__campaign", "comment__author")
        .prefetch_related(Prefetch("flags", queryset=Flag.objects.select_related("user")))
        .order_by("opened_at", "id")
    )


def unread_and_waiting(user) -> tuple[int, int]:
    """A moderator's unread notifications and the open cases, in ONE query (the layout's
    bell and the nav's moderation number)."""
    from accounts.models import User

    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        User.objects.filter(pk=user.pk)
        .values_list(Coalesce(Subquery(unread), 0), _open_cases_count())
        .first()
    )
    return row if row is not None else (0, 0)


def _open_cases_count():
    # Grouped by closed_at, which is NULL on every open case: one row, or none.
    return Coalesce(
        Subquery(
            ModerationCase.objects.filter(closed_at__isnull=True)
            .order_by()
            .values("closed_at")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def waiting_expression():
    """The nav's moderation number as an expression on the signed-in user's query (see
    ``accounts.layout``): the open cases for a moderator, NULL for anyone else. The
    condition is the ``accounts.moderate_content`` rule in SQL; PostgreSQL and SQLite run the
    uncorrelated count only where the condition holds. Where the two ever disagreed, nothing
    shown would change: the nav asks the rule, and ``moderation_waiting`` counts itself when
    the value is missing."""
    from django.contrib.auth.models import Group

    from accounts.models import MANAGERS_GROUP, MODERATORS_GROUP

    def member_of(name: str):
        return Exists(Group.objects.filter(user=OuterRef("pk"), name=name))

    moderator = (
        Q(is_superuser=True)
        | Q(member_of(MANAGERS_GROUP))
        | (Q(kind=Kind.STAFF) & Q(member_of(MODERATORS_GROUP)))
    )
    return Case(
        When(moderator, then=_open_cases_count()), default=None, output_field=IntegerField()
    )


def waiting_count() -> int:
    """How many cases wait (the navigation's number): one COUNT over a partial index."""
    return ModerationCase.objects.filter(closed_at__isnull=True).count()
