"""Reads of the ideas app shared by the HTML views and the API (the reusable ones that start
from a model are QuerySet methods in ``ideas.models``)."""

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connections, router
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Kind
from core.compiled import compiled, compiled_objects
from ideas.models import (
    FUNDABLE_STATUSES,
    Campaign,
    Comment,
    Follow,
    Idea,
    IdeaDay,
    IdeaTransition,
    Status,
    Support,
    published,
)
from ideas.stage_counts import use_maintained as use_day_counters

# The board's tabs: everything the person may see, or their own, followed, supported ideas.
BOARD_TABS = [
    ("all", "All"),
    ("mine", "Mine"),
    ("following", "Following"),
    ("supported", "Supported"),
]
# Hidden from customers' board unless they ask for them ("Show closed ideas").
CLOSED_FOR_CUSTOMERS = (Status.PARKED, Status.REJECTED, Status.MERGED)


def visible_comments(idea: Idea, user):
    """Comments of ``idea`` the user may read: internal ones only for employees; of other
    people's comments only the published ones, except for moderators (who see held,
    rejected and hidden comments with their state). Authors always see their own."""
    # The idea and its campaign ride along: the rules asked per comment (may this reader
    # flag it?) read them.
    qs = Comment.objects.filter(idea=idea).select_related("author", "idea__campaign")
    if not user.has_perm("ideas.view_internal_comments"):
        qs = qs.filter(is_internal=False)
    if not user.has_perm("ideas.moderate"):
        qs = qs.filter(published() | Q(author=user))
    return qs


# Stand for the idea's and the reader's ids in the idea page's compiled statements.
_IDEA_ID = -8_102_334_521
_READER_ID = -8_102_334_523


def page_comments(idea: Idea, user) -> list[Comment]:
    """:func:`visible_comments` as the idea page lists them, with their authors: compiled
    once per connection for each shape of the reading rule (may ``user`` read internal
    comments, moderate) and run as a prepared statement. Each comment's idea is ``idea``
    itself (the rules asked per comment read it and its campaign), not read again."""
    internal = user.has_perm("ideas.view_internal_comments")
    moderator = user.has_perm("ideas.moderate")
    alias = router.db_for_read(Comment)
    query = compiled_objects(
        alias,
        ("ideas.page_comments", internal, moderator),
        lambda: _page_comments(user, internal, moderator),
    )
    found = query.fetch({_IDEA_ID: idea.pk, _READER_ID: user.pk})
    cache_idea = Comment.idea.field.set_cached_value
    for comment in found:
        cache_idea(comment, idea)
    return found


def _page_comments(user, internal: bool, moderator: bool) -> QuerySet:
    # The reader with another id: the same kind and groups (the rules read their cache,
    # filled by the questions asked before), so the same filters, with a sentinel for the id.
    stand_in = copy.copy(user)
    stand_in.pk = _READER_ID
    if (
        stand_in.has_perm("ideas.view_internal_comments") != internal
        or stand_in.has_perm("ideas.moderate") != moderator
    ):
        raise RuntimeError("the stand-in reader does not have the reader's rule")
    return (
        visible_comments(Idea(pk=_IDEA_ID), stand_in).select_related(None).select_related("author")
    )


def page_transitions(idea: Idea) -> list[IdeaTransition]:
    """The idea's status changes, oldest first, with their actors (``idea.transitions``),
    compiled once per connection and run as a prepared statement; each one's idea is
    ``idea`` itself (the timeline's rules read it)."""
    alias = router.db_for_read(IdeaTransition)
    query = compiled_objects(
        alias,
        "ideas.page_transitions",
        lambda: IdeaTransition.objects.filter(idea_id=_IDEA_ID).select_related("actor"),
    )
    found = query.fetch({_IDEA_ID: idea.pk})
    cache_idea = IdeaTransition.idea.field.set_cached_value
    for transition in found:
        cache_idea(transition, idea)
    return found


def board_ideas(user, *, tab: str = "all", show_closed: bool = False) -> QuerySet:
    """The ideas the board starts from (its filters narrow them further): those ``user``
    may see, in the ``tab`` (``mine``, ``following``, ``supported`` or ``all``). Customers
    see live ideas only unless ``show_closed`` (their own tab shows all of theirs). Each idea
    carries ``is_supported`` (a subquery in the same query: the card's support button)."""
    ideas = Idea.objects.visible_to(user)
    if tab == "mine":
        ideas = ideas.filter(author=user)
    elif tab == "following":
        ideas = ideas.filter(Exists(Follow.objects.filter(idea=OuterRef("pk"), user=user)))
    elif tab == "supported":
        ideas = ideas.filter(Exists(Support.objects.filter(idea=OuterRef("pk"), user=user)))
    if user.kind == Kind.CUSTOMER and not show_closed and tab != "mine":
        ideas = ideas.exclude(status__in=CLOSED_FOR_CUSTOMERS)
    return ideas.for_list().annotate(is_supported=supported_by(user))


def supported_by(user) -> Coalesce:
    """Whether ``user`` supports the idea of the row: a scalar subquery, one probe of the
    unique (idea, user) index per row. (As ``EXISTS`` PostgreSQL may plan it as a hashed
    subplan that first reads every support the person ever gave, hundreds of rows, for a
    page of twenty.)"""
    one = Support.objects.filter(idea=OuterRef("pk"), user=user).values(yes=Value(True))[:1]
    return Coalesce(Subquery(one, output_field=BooleanField()), Value(False))


# --- Home page blocks --------------------------------------------------------------------------

HOME_ROWS = 5
# "Ideas I follow that moved": status changes in this many days.
MOVED_DAYS = 14


def my_ideas(user, limit: int = HOME_ROWS) -> list[Idea]:
    """The person's own ideas, drafts included, most recently changed first. One query."""
    return list(
        Idea.objects.filter(author=user)
        .only("id", "title", "status", "updated_at")
        .order_by("-updated_at", "-id")[:limit]
    )


def open_campaigns(user, limit: int = HOME_ROWS) -> list[Campaign]:
    """Campaigns ``user`` may submit to now, closing soonest first. One query."""
    return list(Campaign.objects.accepting(user).order_by("closes_at", "-opens_at", "id")[:limit])


def followed_moves(user, *, days: int = MOVED_DAYS, limit: int = HOME_ROWS) -> list:
    """Status changes, in the last ``days`` days, of ideas ``user`` follows and may see,
    made by someone else; newest first, with their idea. One query."""
    since = timezone.now() - timedelta(days=days)
    followed = Idea.objects.visible_to(user).filter(
        Exists(Follow.objects.filter(idea=OuterRef("pk"), user=user))
    )
    return list(
        IdeaTransition.objects.filter(idea__in=followed, at__gte=since)
        # Moves only: not the idea's creation (as a draft, or submitted at once).
        .exclude(from_status="")
        .exclude(actor=user)
        .select_related("idea")
        .order_by("-at", "-id")[:limit]
    )


# Ideas on their way through the gates: the ones that can get stuck.
ON_THEIR_WAY = (
    Status.SUBMITTED,
    Status.SCREENING,
    Status.IN_REVIEW,
    Status.SHORTLISTED,
    Status.APPROVED,
)
# Every status a triage reason can hold (the partial index ``idea_triage_updated``).
TRIAGE_STATUSES = tuple(dict.fromkeys(ON_THEIR_WAY + FUNDABLE_STATUSES))


# The triage counts stuck ideas up to this many and then says "1,000+": an exact figure
# would visit every stuck idea (34,000 at 100,000 ideas) on every manager's home page.
STUCK_CAP = 1000


@dataclass(frozen=True)
class Triage:
    """What a manager should look at: counts per reason, and the oldest ideas needing it.
    ``ideas`` carry ``triage`` (awaiting | no_owner | stuck). ``stuck`` stops at
    :data:`STUCK_CAP` + 1 (``stuck_more`` says so)."""

    awaiting: int
    no_owner: int
    stuck: int
    stuck_days: int
    ideas: list

    @property
    def stuck_more(self) -> bool:
        return self.stuck > STUCK_CAP

    @property
    def stuck_shown(self) -> int:
        return min(self.stuck, STUCK_CAP)

    @property
    def total(self) -> int:
        return self.awaiting + self.no_owner + self.stuck


def _count(queryset: QuerySet) -> Coalesce:
    """A scalar subquery counting ``queryset``'s rows (no GROUP BY: ``COUNT`` as a plain
    function), 0 when there are none."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _awaiting_count() -> Coalesce:
    """Submitted ideas: on PostgreSQL the sum of the maintained ideas-per-day counters (a few
    hundred rows, however many ideas), elsewhere a count of the ideas."""
    if use_day_counters():
        summed = (
            IdeaDay.objects.filter(status=Status.SUBMITTED)
            .order_by()
            .annotate(n=Func(F("ideas"), function="SUM"))
            .values("n")
        )
        return Coalesce(Subquery(summed, output_field=IntegerField()), 0)
    return _count(Idea.objects.filter(status=Status.SUBMITTED))


# Stands for the triage's "unchanged since" instant in its compiled statements.
_CUTOFF = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)


def _triage_counts() -> QuerySet:
    _, no_owner, stuck = _triage_reasons(_CUTOFF)
    stuck_some = Idea.objects.filter(stuck).order_by().values("pk")[: STUCK_CAP + 1]
    return (
        Idea.objects.order_by()
        .annotate(
            awaiting_n=_awaiting_count(),
            no_owner_n=_count(Idea.objects.filter(no_owner)),
            stuck_n=_count(Idea.objects.filter(pk__in=stuck_some)),
        )
        .values_list("awaiting_n", "no_owner_n", "stuck_n")[:1]
    )


_TRIAGE_FIELDS = ("id", "title", "status", "updated_at")


def _triage_ideas(limit: int) -> QuerySet:
    awaiting, no_owner, stuck = _triage_reasons(_CUTOFF)
    return (
        # The status list repeats the index's condition so the planner can use it.
        Idea.objects.filter(status__in=TRIAGE_STATUSES)
        .filter(awaiting | no_owner | stuck)
        .annotate(
            triage=Case(
                When(no_owner, then=Value("no_owner")),
                When(awaiting, then=Value("awaiting")),
                default=Value("stuck"),
            )
        )
        .order_by("updated_at", "id")
        .values_list(*_TRIAGE_FIELDS, "triage")[:limit]
    )


def _triage_reasons(cutoff) -> tuple[Q, Q, Q]:
    awaiting = Q(status=Status.SUBMITTED)
    no_owner = Q(status__in=FUNDABLE_STATUSES, owner__isnull=True)
    stuck = Q(status__in=ON_THEIR_WAY, updated_at__lt=cutoff) & ~awaiting
    return awaiting, no_owner, stuck


def triage(*, stuck_days: int, limit: int = 8) -> Triage:
    """Submitted ideas awaiting screening, ideas past the approval gate with no accountable
    owner, and ideas on their way whose row has not changed for ``stuck_days`` days (a move
    or an edit changes it). Two queries whose cost does not grow with the ideas: the three
    counts as scalar subqueries of one statement (maintained counters, the partial index of
    ideas without an owner, a count that stops at :data:`STUCK_CAP`), then the oldest
    ``limit`` ideas with their reason, walked in ``updated_at`` order on the partial index
    ``idea_triage_updated``. Both are compiled once per connection (``core.compiled``):
    building them cost more CPU than running them, on every manager's home page."""
    alias = router.db_for_read(Idea)
    ops = connections[alias].ops
    cutoff = timezone.now() - timedelta(days=stuck_days)
    bind = {ops.adapt_datetimefield_value(_CUTOFF): ops.adapt_datetimefield_value(cutoff)}
    shape = ("ideas.triage_counts", use_day_counters(), STUCK_CAP)
    counts = compiled(alias, shape, _triage_counts)
    found = counts.fetch(alias, bind)
    awaiting_n, no_owner_n, stuck_n = found[0] if found else (0, 0, 0)
    ideas = compiled(alias, ("ideas.triage_ideas", limit), lambda: _triage_ideas(limit))
    rows = []
    for row in ideas.fetch(alias, bind):
        idea = Idea.from_db(alias, _TRIAGE_FIELDS, row[: len(_TRIAGE_FIELDS)])
        idea.triage = row[-1]
        rows.append(idea)
    return Triage(
        stuck_days=stuck_days,
        ideas=rows,
        awaiting=awaiting_n,
        no_owner=no_owner_n,
        stuck=stuck_n,
    )
