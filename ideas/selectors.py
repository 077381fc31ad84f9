"""Reads of the ideas app shared by the HTML views and the API (the reusable ones that start
from a model are QuerySet methods in ``ideas.models``)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Kind
from ideas.models import (
    FUNDABLE_STATUSES,
    Campaign,
    Comment,
    Follow,
    Idea,
    IdeaTransition,
    Status,
    Support,
    published,
)

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
    supported = Support.objects.filter(idea=OuterRef("pk"), user=user)
    return ideas.for_list().annotate(is_supported=Exists(supported))


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


@dataclass(frozen=True)
class Triage:
    """What a manager should look at: counts per reason, and the oldest ideas needing it.
    ``ideas`` carry ``triage`` (awaiting | no_owner | stuck)."""

    awaiting: int
    no_owner: int
    stuck: int
    stuck_days: int
    ideas: list

    @property
    def total(self) -> int:
        return self.awaiting + self.no_owner + self.stuck


def triage(*, stuck_days: int, limit: int = 8) -> Triage:
    """Submitted ideas awaiting screening, ideas past the approval gate with no accountable
    owner, and ideas on their way whose row has not changed for ``stuck_days`` days (a move
    or an edit changes it). Two queries: the counts in one aggregate, then the oldest
    ``limit`` ideas with their reason."""
    cutoff = timezone.now() - timedelta(days=stuck_days)
    awaiting = Q(status=Status.SUBMITTED)
    no_owner = Q(status__in=FUNDABLE_STATUSES, owner__isnull=True)
    stuck = Q(status__in=ON_THEIR_WAY, updated_at__lt=cutoff) & ~awaiting
    counts = Idea.objects.aggregate(
        awaiting=Count("id", filter=awaiting),
        no_owner=Count("id", filter=no_owner),
        stuck=Count("id", filter=stuck),
    )
    rows = list(
        Idea.objects.filter(awaiting | no_owner | stuck)
        .annotate(
            triage=Case(
                When(no_owner, then=Value("no_owner")),
                When(awaiting, then=Value("awaiting")),
                default=Value("stuck"),
            )
        )
        .only("id", "title", "status", "updated_at")
        .order_by("updated_at", "id")[:limit]
    )
    return Triage(stuck_days=stuck_days, ideas=rows, **counts)
