"""The journey map's counters (``ideas.StageCount``): published ideas per stage, campaign and
status, with the sums of their evidence volume and latest panel scores; and the dashboard
funnel's (``ideas.IdeaDay``): ideas per day of creation (UTC) and status.

PostgreSQL maintains them with statement triggers (migration ``ideas/0015``) in the same
transaction as every write to the ideas. :func:`stage_counts_rebuild` recomputes them from
the ideas (``manage.py rebuild_stage_counts``): after a TRUNCATE, to check them, or to fill
them on a database without the triggers.
"""

from datetime import UTC

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from ideas.models import Idea, IdeaDay, StageCount, published

# The row of a stage that counts its ideas of every campaign.
ALL_CAMPAIGNS = 0


def use_maintained() -> bool:
    """Whether the triggers keep ``StageCount`` on this database (PostgreSQL); elsewhere the
    journey map counts the ideas themselves."""
    return connection.vendor == "postgresql"


def _groups(*fields: str) -> list[dict]:
    return list(
        Idea.objects.filter(published(), stage__isnull=False)
        .values("stage_id", "status", *fields)
        .annotate(
            n=Count("id"),
            customers=Sum("customers_affected"),
            score_sum=Sum("latest__score"),
            scored=Count("latest__score"),
        )
        .order_by()
    )


@transaction.atomic
def stage_counts_rebuild() -> int:
    """Recompute every counter from the ideas, in one transaction that holds off writers of
    the ideas meanwhile (on PostgreSQL), so no change slips between the count and the swap.
    Returns the number of counter rows (both tables)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Idea._meta.db_table} IN SHARE MODE")
    StageCount.objects.all().delete()
    IdeaDay.objects.all().delete()
    days = [
        IdeaDay(day=row["day"], status=row["status"], ideas=row["n"])
        for row in Idea.objects.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day", "status")
        .annotate(n=Count("id"))
        .order_by()
    ]
    IdeaDay.objects.bulk_create(days, batch_size=5000)
    rows = [(ALL_CAMPAIGNS, g) for g in _groups()] + [
        (g["campaign_id"], g) for g in _groups("campaign_id") if g["campaign_id"] is not None
    ]
    StageCount.objects.bulk_create(
        [
            StageCount(
                stage_id=g["stage_id"],
                campaign_key=key,
                status=g["status"],
                ideas=g["n"],
                customers_affected=g["customers"] or 0,
                score_sum=g["score_sum"] or 0,
                scored=g["scored"],
            )
            for key, g in rows
        ],
        batch_size=5000,
    )
    return len(rows) + len(days)


def stage_count_rows() -> set[tuple]:
    """The counters as comparable tuples, rows left at zero by the triggers dropped (the
    rebuild test compares them)."""
    rows = StageCount.objects.values_list(
        "stage_id", "campaign_key", "status", "ideas", "customers_affected", "score_sum", "scored"
    )
    return {row for row in rows if any(row[3:])}


def idea_day_rows() -> set[tuple]:
    """The funnel's day counters as comparable tuples, zeroed rows dropped."""
    return {row for row in IdeaDay.objects.values_list("day", "status", "ideas") if row[2]}
