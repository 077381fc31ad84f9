"""Committed money per fiscal year and group (``budgets.CommittedMoney``): the groups the
dashboard splits by (innovation type, its confirmation, horizon, stage and so cycle,
campaign) and the journey map sums per stage.

PostgreSQL maintains it with statement triggers (migration ``budgets/0006``) in the same
transaction as the allocations, their spend and the ideas' changes of group.
:func:`committed_money_rebuild` recomputes it from the allocations
(``manage.py rebuild_committed_money``).
"""

from django.db import connection, connections, router, transaction
from django.db.models import Count, Sum

from budgets.models import Allocation, CommittedMoney

GROUP_FIELDS = (
    "fiscal_year_id",
    "idea__stage_id",
    "idea__campaign_id",
    "idea__innovation_type",
    "idea__type_confirmed",
    "idea__horizon",
)


def use_maintained() -> bool:
    """Whether the triggers keep ``CommittedMoney`` on this database (PostgreSQL); elsewhere
    reads join the allocations themselves."""
    return connection.vendor == "postgresql"


@transaction.atomic
def committed_money_rebuild() -> int:
    """Recompute every group from the committed allocations, in one transaction that holds
    off writers of allocations and ideas meanwhile (on PostgreSQL), so no change slips
    between the sum and the swap. Returns the number of groups."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE budgets_allocation, ideas_idea IN SHARE MODE")
    CommittedMoney.objects.all().delete()
    groups = (
        Allocation.objects.committed()
        .values(*GROUP_FIELDS)
        .annotate(amount=Sum("amount"), spent=Sum("spent"), n=Count("id"))
        .order_by()
    )
    rows = [
        CommittedMoney(
            fiscal_year_id=g["fiscal_year_id"],
            stage_id=g["idea__stage_id"],
            campaign_id=g["idea__campaign_id"],
            innovation_type=g["idea__innovation_type"],
            type_confirmed=g["idea__type_confirmed"],
            horizon=g["idea__horizon"],
            amount=g["amount"],
            spent=g["spent"],
            allocations=g["n"],
        )
        for g in groups
    ]
    CommittedMoney.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# One grouping set per split of the dashboard: the totals and the split by type (type x
# confirmation), horizon, journey cycle (through the stage), campaign (with its title).
_SETS_SQL = """
SELECT CASE WHEN GROUPING(m.horizon) = 0 THEN 'idea__horizon'
            WHEN GROUPING(s.cycle) = 0 THEN 'idea__stage__cycle'
            WHEN GROUPING(m.campaign_id) = 0 THEN 'idea__campaign_id'
            ELSE 'idea__innovation_type' END,
       m.innovation_type, m.type_confirmed, m.horizon, s.cycle, m.campaign_id, c.title,
       SUM(m.amount), SUM(m.spent), SUM(m.allocations)
FROM budgets_committedmoney m
LEFT JOIN journeys_stage s ON s.id = m.stage_id
LEFT JOIN ideas_campaign c ON c.id = m.campaign_id
WHERE m.fiscal_year_id = %s AND m.allocations > 0
GROUP BY GROUPING SETS ((m.innovation_type, m.type_confirmed), (m.horizon), (s.cycle),
                        (m.campaign_id, c.title))
"""
_SET_COLUMNS = (
    "set",
    "idea__innovation_type",
    "idea__type_confirmed",
    "idea__horizon",
    "idea__stage__cycle",
    "idea__campaign_id",
    "idea__campaign__title",
    "amount",
    "spent",
    "n",
)


def committed_sets(fy) -> list[dict]:
    """The fiscal year's committed money rolled up once per split of the dashboard, from the
    maintained groups (PostgreSQL): ONE query of ~170 rows (a row per type x confirmation,
    horizon, cycle and campaign) instead of the ~2,000 combinations of them. Each row names
    its grouping in ``"set"`` (``budgets.selectors.in_set`` picks them)."""
    # Raw SQL bypasses the router: ask it, so a report pinned to the replica reads there.
    with connections[router.db_for_read(CommittedMoney)].cursor() as cursor:
        cursor.execute(_SETS_SQL, [fy.pk])
        return [dict(zip(_SET_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def committed_money_rows() -> set[tuple]:
    """The groups as comparable tuples, groups left at zero by the triggers dropped (the
    rebuild test compares them)."""
    rows = CommittedMoney.objects.values_list(
        "fiscal_year_id",
        "stage_id",
        "campaign_id",
        "innovation_type",
        "type_confirmed",
        "horizon",
        "amount",
        "spent",
        "allocations",
    )
    return {row for row in rows if any(row[6:])}
