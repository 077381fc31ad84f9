"""Committed money per fiscal year and group (``budgets.CommittedMoney``): the groups the
dashboard splits by (innovation type, its confirmation, horizon, stage and so cycle,
campaign) and the journey map sums per stage; and its two roll-ups, over campaigns
(``CommittedByStage``) and per campaign (``CommittedByCampaign``), which the reads use so
that the rows they read do not grow with the campaigns.

PostgreSQL maintains the groups with statement triggers (migration ``budgets/0006``) in the
same transaction as the allocations, their spend and the ideas' changes of group, and the
roll-ups with a row trigger on the groups (``budgets/0007``).
:func:`committed_money_rebuild` recomputes all three from the allocations
(``manage.py rebuild_committed_money``).
"""

from django.db import connection, connections, router, transaction
from django.db.models import Count, Sum

from budgets.models import Allocation, CommittedByCampaign, CommittedByStage, CommittedMoney

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
    _rollups_rebuild()
    return len(rows)


_STAGE_KEYS = ("fiscal_year_id", "stage_id", "innovation_type", "type_confirmed", "horizon")
_CAMPAIGN_KEYS = ("fiscal_year_id", "campaign_id")


def _rollups_rebuild() -> None:
    """Recompute both roll-ups from the groups (whatever the row trigger did meanwhile)."""
    CommittedByStage.objects.all().delete()
    CommittedByCampaign.objects.all().delete()
    for model, keys in ((CommittedByStage, _STAGE_KEYS), (CommittedByCampaign, _CAMPAIGN_KEYS)):
        sums = (
            CommittedMoney.objects.values(*keys)
            .annotate(a=Sum("amount"), s=Sum("spent"), n=Sum("allocations"))
            .order_by()
        )
        model.objects.bulk_create(
            [
                model(**{k: g[k] for k in keys}, amount=g["a"], spent=g["s"], allocations=g["n"])
                for g in sums
            ],
            batch_size=5000,
        )


# One grouping set per split of the dashboard: the totals and the split by type (type x
# confirmation), horizon and journey cycle (through the stage) from the roll-up over
# campaigns; the split by campaign (with its title) from the roll-up per campaign.
_SETS_SQL = """
SELECT CASE WHEN GROUPING(m.horizon) = 0 THEN 'idea__horizon'
            WHEN GROUPING(s.cycle) = 0 THEN 'idea__stage__cycle'
            ELSE 'idea__innovation_type' END,
       m.innovation_type, m.type_confirmed, m.horizon, s.cycle,
       CAST(NULL AS bigint), CAST(NULL AS varchar),
       SUM(m.amount), SUM(m.spent), SUM(m.allocations)
FROM budgets_committedbystage m
LEFT JOIN journeys_stage s ON s.id = m.stage_id
WHERE m.fiscal_year_id = %s AND m.allocations > 0
GROUP BY GROUPING SETS ((m.innovation_type, m.type_confirmed), (m.horizon), (s.cycle))
UNION ALL
SELECT 'idea__campaign_id', NULL, NULL, NULL, NULL, m.campaign_id, c.title,
       m.amount, m.spent, m.allocations
FROM budgets_committedbycampaign m
LEFT JOIN ideas_campaign c ON c.id = m.campaign_id
WHERE m.fiscal_year_id = %s AND m.allocations > 0
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
    maintained roll-ups (PostgreSQL): ONE query of a row per type x confirmation, horizon,
    cycle and campaign with money, reading at most a few hundred rows over campaigns (their
    number is bounded by the stages and the choices) and one row per campaign, instead of
    every combination of stage, campaign, type and horizon (3,265 at 100,000 ideas). Each
    row names its grouping in ``"set"`` (``budgets.selectors.in_set`` picks them)."""
    # Raw SQL bypasses the router: ask it, so a report pinned to the replica reads there.
    with connections[router.db_for_read(CommittedMoney)].cursor() as cursor:
        cursor.execute(_SETS_SQL, [fy.pk, fy.pk])
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


def committed_rollup_rows() -> dict[str, set[tuple]]:
    """Both roll-ups as comparable tuples, rows left at zero dropped (the rebuild test
    compares them with the groups summed)."""

    def rows(model, keys):
        values = model.objects.values_list(*keys, "amount", "spent", "allocations")
        return {row for row in values if any(row[len(keys) :])}

    return {
        "by_stage": rows(CommittedByStage, _STAGE_KEYS),
        "by_campaign": rows(CommittedByCampaign, _CAMPAIGN_KEYS),
    }
