"""A round's progress (``scoring.ReviewerProgress``): per round and reviewer, the assignments
and how many are submitted — what the round page's progress per reviewer, the rounds list
and the managers' home show.

The scoring services keep it in the same transaction as the assignments, under the round's
row lock: ``round_open`` adds what it creates (:func:`progress_add`), ``assignment_submit``
counts the submission (:func:`progress_submitted`). Writers that set assignments in bulk
without the services (demo data, test data) call :func:`progress_refresh` for the round
afterwards; the bench generator fills the table with :data:`PROGRESS_FILL_SQL`.
:func:`progress_rebuild` recomputes every row from the assignments
(``manage.py rebuild_round_progress``), and each round's ``idea_count`` (kept with the
round's ideas by ``round_create`` and the admin) from its ideas.
"""

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from scoring.models import Assignment, ReviewerProgress, ReviewRound

TABLE = ReviewerProgress._meta.db_table

# Adds to a row, creating it for the round's first assignments of that reviewer; the same
# statement on PostgreSQL and SQLite.
_ADD_SQL = (
    f"INSERT INTO {TABLE} (round_id, reviewer_id, assigned, submitted) VALUES {{rows}} "
    "ON CONFLICT (round_id, reviewer_id) DO UPDATE SET "
    f"assigned = {TABLE}.assigned + excluded.assigned, "
    f"submitted = {TABLE}.submitted + excluded.submitted"
)

# The set-based fill of an empty table, for bulk loads that write assignments without the
# services (bench/generate.py) and for the migration that created the table.
PROGRESS_FILL_SQL = f"""
INSERT INTO {TABLE} (round_id, reviewer_id, assigned, submitted)
SELECT round_id, reviewer_id, COUNT(*), COUNT(submitted_at)
FROM {Assignment._meta.db_table} GROUP BY round_id, reviewer_id
"""


def progress_add(*, round_id: int, assignments: Iterable[Assignment]) -> None:
    """Count ``assignments`` (just created in round ``round_id``) in its progress: one
    statement for all their reviewers."""
    assigned: Counter[int] = Counter()
    submitted: Counter[int] = Counter()
    for a in assignments:
        assigned[a.reviewer_id] += 1
        submitted[a.reviewer_id] += a.submitted_at is not None
    if not assigned:
        return
    rows = [(round_id, reviewer, n, submitted[reviewer]) for reviewer, n in assigned.items()]
    with connection.cursor() as cursor:
        cursor.execute(
            _ADD_SQL.format(rows=", ".join(["(%s, %s, %s, %s)"] * len(rows))),
            [value for row in rows for value in row],
        )


def progress_submitted(assignment: Assignment) -> None:
    """Count one more submitted assignment of its reviewer in its round."""
    ReviewerProgress.objects.filter(
        round_id=assignment.round_id, reviewer_id=assignment.reviewer_id
    ).update(submitted=F("submitted") + 1)


def _counted(rounds=None) -> dict[tuple[int, int], tuple[int, int]]:
    """``{(round, reviewer): (assigned, submitted)}`` counted from the assignments (of
    ``rounds`` only, when given): one grouped query."""
    qs = Assignment.objects.all()
    if rounds is not None:
        qs = qs.filter(round_id__in=rounds)
    rows = (
        qs.values("round_id", "reviewer_id")
        .annotate(assigned=Count("id"), submitted=Count("submitted_at"))
        .order_by()
    )
    return {(r["round_id"], r["reviewer_id"]): (r["assigned"], r["submitted"]) for r in rows}


def _sync(wanted: dict[tuple[int, int], tuple[int, int]], have) -> int:
    """Make the rows of ``have`` (a queryset, locked by the caller) equal ``wanted``; returns
    how many rows differed (added, changed or removed)."""
    current = {(p.round_id, p.reviewer_id): (p.assigned, p.submitted, p.pk) for p in have}
    stale = [pk for key, (*_, pk) in current.items() if key not in wanted]
    fix = {key: row for key, row in wanted.items() if row != current.get(key, (None, None))[:2]}
    ReviewerProgress.objects.filter(
        pk__in=stale + [current[key][2] for key in fix if key in current]
    ).delete()
    ReviewerProgress.objects.bulk_create(
        ReviewerProgress(round_id=r, reviewer_id=u, assigned=a, submitted=s)
        for (r, u), (a, s) in fix.items()
    )
    return len(stale) + len(fix)


def _idea_counts():
    """Each round's number of ideas, counted in the ideas' M2M table (its unique index)."""
    links = ReviewRound.ideas.through.objects.filter(reviewround=OuterRef("pk")).order_by()
    counted = links.values("reviewround").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def idea_count_refresh(round_id: int) -> None:
    """Recount one round's ideas after a write of its ideas (the admin's form)."""
    ReviewRound.objects.filter(pk=round_id).update(idea_count=_idea_counts())


def _idea_counts_rebuild() -> int:
    """Recount every round's ideas; returns how many rounds had a wrong count."""
    wrong = ReviewRound.objects.alias(n=_idea_counts()).exclude(idea_count=F("n"))
    return wrong.update(idea_count=_idea_counts())


@transaction.atomic
def progress_refresh(round_id: int) -> int:
    """Recompute one round's progress from its assignments (after a bulk write that went
    around the services); returns how many rows differed."""
    have = ReviewerProgress.objects.select_for_update().filter(round_id=round_id)
    return _sync(_counted([round_id]), have)


@transaction.atomic
def progress_rebuild() -> int:
    """Recompute every round's progress from the assignments, holding off writers of
    assignments meanwhile (on PostgreSQL), so no submission slips between the count and the
    fix; returns how many rows differed (0 when the maintained rows were right), rounds
    whose idea count was wrong included."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            links = ReviewRound.ideas.through._meta.db_table
            cursor.execute(f"LOCK TABLE {Assignment._meta.db_table}, {links} IN SHARE MODE")
    fixed = _sync(_counted(), ReviewerProgress.objects.select_for_update())
    return fixed + _idea_counts_rebuild()
