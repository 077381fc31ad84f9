"""``Idea.latest_score``: the overall of each idea's latest panel result, kept by scoring.

The column belongs to ideas (it is read by the board, the API, the journey map and the
dashboard without joining the score history); only this module writes it. The aggregation
calls :func:`latest_scores_refresh` for the ideas of the round it just wrote, inside the same
transaction, and ``manage.py rebuild_latest_scores`` recomputes it from the results.
"""

from django.db import connection
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from ideas.models import Idea
from scoring.models import IdeaScore


def _set_latest(ideas: QuerySet) -> int:
    return ideas.update(latest_score=Subquery(IdeaScore.objects.latest_overall_of(OuterRef("pk"))))


# The key of the transaction-level advisory lock that orders the refreshes of two
# aggregations running at once (any constant the app uses for nothing else).
_REFRESH_LOCK = 7_215_400_301


def latest_scores_refresh(*, round_id: int, extra_idea_ids=(), changed_at=None) -> int:
    """Recompute ``latest_score`` of the ideas with a result in round ``round_id`` plus
    ``extra_idea_ids`` (ideas whose result in that round was just deleted). With
    ``changed_at`` (the ``computed_at`` the aggregation gives the rows it rewrote) only the
    ideas whose result in the round changed in that run are candidates: an unchanged result
    keeps its ``computed_at`` and overall, so it cannot move any idea's latest score, and a
    rerun that changed nothing reads and locks no idea. Set-based: one UPDATE, of the ideas
    whose value moves only. Returns the number of ideas updated."""
    in_round = Q(idea_scores__round_id=round_id)
    if changed_at is not None:
        in_round &= Q(idea_scores__computed_at=changed_at)
    touched = in_round
    if extra_idea_ids:
        touched |= Q(pk__in=list(extra_idea_ids))
    ideas = Idea.objects.filter(pk__in=Subquery(Idea.objects.filter(touched).values("pk")))
    if connection.vendor == "postgresql":
        # Two rounds aggregated at once may share ideas. Their refreshes take turns (a
        # transaction-level advisory lock, held to commit): the UPDATE below then starts
        # after the other run committed, and its snapshot sees that run's results too.
        # Locking the idea rows instead would write a lock into 10,000 rows on every run.
        # (SQLite writes one transaction at a time.)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
    moved = Q(pk__in=list(extra_idea_ids)) | Q(latest_score__isnull=True)
    # Compared at the column's precision (the float overall is rounded when stored).
    column = Idea._meta.get_field("latest_score")
    new = Subquery(IdeaScore.objects.latest_overall_of(OuterRef("pk")))
    changed = ideas.annotate(
        new=Cast(
            new, DecimalField(max_digits=column.max_digits, decimal_places=column.decimal_places)
        )
    ).filter(moved | ~Q(latest_score=F("new")))
    return _set_latest(Idea.objects.filter(pk__in=Subquery(changed.values("pk"))))


def latest_scores_rebuild(*, idea_ids=None) -> int:
    """Recompute ``latest_score`` of every idea (or of ``idea_ids``) from the results."""
    ideas = Idea.objects.all()
    if idea_ids:
        ideas = ideas.filter(pk__in=idea_ids)
    return _set_latest(ideas)
