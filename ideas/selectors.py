"""Reads of the ideas app shared by the HTML views and the API (the reusable ones that start
from a model are QuerySet methods in ``ideas.models``)."""

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Kind
from ideas.models import Comment, Follow, Idea, Status, Support

# The board's tabs: everything the person may see, or their own, followed, supported ideas.
BOARD_TABS = [("all", "All"), ("mine", "Mine"), ("following", "Following"), ("supported", "Supported")]
# Hidden from customers' board unless they ask for them ("Show closed ideas").
CLOSED_FOR_CUSTOMERS = (Status.PARKED, Status.REJECTED, Status.MERGED)


def visible_comments(idea: Idea, user):
    """Comments of ``idea`` the user may read: internal ones only for employees; hidden
    ones only for moderators (flagged), gone for everyone else."""
    qs = Comment.objects.filter(idea=idea).select_related("author")
    if not user.has_perm("ideas.view_internal_comments"):
        qs = qs.filter(is_internal=False)
    if not user.has_perm("ideas.moderate_comment"):
        qs = qs.filter(is_hidden=False)
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
