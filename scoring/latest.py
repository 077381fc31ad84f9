"""``ideas.LatestScore``: the overall of each idea's latest panel result, kept by scoring.

A narrow table of its own (one row per scored idea, ``idea.latest.score``) rather than a
column of the idea: it is read by the board, the journey map and the dashboard without
joining the score history, and a run that moves 10,000 ideas' scores rewrites 10,000 small
rows instead of 10,000 wide, much-indexed idea rows. Only this module writes it. The
aggregation calls :func:`latest_scores_refresh` for the ideas of the round it just wrote,
inside the same transaction, and ``manage.py rebuild_latest_scores`` recomputes it from the
results. On PostgreSQL, statement triggers on the table keep the journey map's score sums
(``ideas.StageCount``) in step (migration ``ideas/0018``).
"""

from django.db import connection
from django.db.models import DecimalField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast

from ideas.models import LatestScore
from scoring.models import IdeaScore

_SCORE = LatestScore._meta.get_field("score")


def _write(candidates: QuerySet) -> int:
    """Upsert the latest score of the ideas ``candidates`` names (IdeaScore rows, by
    ``idea_id``), writing only the rows that are new or whose value moved (compared at the
    column's precision: the float overall is rounded when stored). One statement."""
    new = Cast(
        Subquery(IdeaScore.objects.latest_overall_of(OuterRef("idea_id"))),
        DecimalField(max_digits=_SCORE.max_digits, decimal_places=_SCORE.decimal_places),
    )
    ideas = (
        candidates.order_by()
        .values("idea_id")
        .distinct()
        .annotate(new=new)
        .values_list("idea_id", "new")
    )
    sql, params = ideas.query.sql_with_params()
    t = LatestScore._meta.db_table
    with connection.cursor() as cursor:
        # Only new or moved values reach the upsert (which would lock every row it finds).
        cursor.execute(
            f"INSERT INTO {t} (idea_id, score) SELECT m.idea_id, m.new FROM ({sql}) m "
            f"LEFT JOIN {t} o ON o.idea_id = m.idea_id "
            # (every candidate has a result: ``new`` is never NULL)
            "WHERE o.score IS NULL OR o.score <> m.new "
            "ON CONFLICT (idea_id) DO UPDATE SET score = excluded.score",
            params,
        )
        return cursor.rowcount


def _delete_unscored(ideas: Q) -> int:
    """Delete the latest score of the ideas (``ideas``, a condition on LatestScore) that have
    no result left. One statement."""
    has_result = Exists(IdeaScore.objects.filter(idea=OuterRef("idea")))
    deleted, _ = LatestScore.objects.filter(ideas).exclude(has_result).delete()
    return deleted


# The key of the transaction-level advisory lock that orders the refreshes of two
# aggregations running at once (any constant the app uses for nothing else).
_REFRESH_LOCK = 7_215_400_301


def latest_scores_refresh(*, round_id: int, extra_idea_ids=(), changed_at=None) -> int:
    """Recompute the latest score of the ideas with a result in round ``round_id`` plus
    ``extra_idea_ids`` (ideas whose result in that round was just deleted). With
    ``changed_at`` (the ``computed_at`` the aggregation gives the rows it rewrote) only the
    ideas whose result in the round changed in that run are candidates: an unchanged result
    keeps its ``computed_at`` and overall, so it cannot move any idea's latest score, and a
    rerun that changed nothing writes and locks nothing. Set-based: one upsert of the values
    that move, and (when results were deleted) one DELETE. Returns the number of rows
    written."""
    in_round = Q(round_id=round_id)
    if changed_at is not None:
        in_round &= Q(computed_at=changed_at)
    extra = list(extra_idea_ids)
    if extra:
        in_round |= Q(idea_id__in=extra)
    if connection.vendor == "postgresql":
        # Two rounds aggregated at once may share ideas. Their refreshes take turns (a
        # transaction-level advisory lock, held to commit): the upsert below then starts
        # after the other run committed, and its snapshot sees that run's results too.
        # (SQLite writes one transaction at a time.)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
    written = _write(IdeaScore.objects.filter(in_round))
    if extra:
        # (an idea with a result only in this round has one no longer)
        written += _delete_unscored(Q(idea_id__in=extra))
    return written


def latest_scores_rebuild(*, idea_ids=None) -> int:
    """Recompute the latest score of every idea (or of ``idea_ids``) from the results.
    Returns the number of rows written (0: they were right)."""
    results = IdeaScore.objects.all()
    ideas = Q()
    if idea_ids:
        results = results.filter(idea_id__in=idea_ids)
        ideas = Q(idea_id__in=idea_ids)
    return _delete_unscored(ideas) + _write(results)
