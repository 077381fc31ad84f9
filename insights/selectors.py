"""Reads across apps behind the journey map: live ideas (ideas), their latest panel score
(``ideas.LatestScore``, kept by scoring) and committed money (budgets) per stage of a journey
(journeys), and the value-destroying moments no live idea addresses.

:func:`journey_map` is the ONE computation behind the map page and
``GET /api/v1/journeys/{id}/map/``.
"""

import math
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Sum

from budgets.committed import use_maintained as money_maintained
from budgets.models import (
    Allocation,
    AllocationStatus,
    CommittedByStage,
    CommittedMoney,
    FiscalYear,
)
from ideas.models import LIVE_STATUSES, Campaign, Idea, Status, published
from ideas.stage_counts import ALL_CAMPAIGNS
from ideas.stage_counts import use_maintained as counts_maintained
from journeys.models import Cycle, Effect, Journey, Moment, Stage, StageKind

METRICS = ("ideas", "score", "funding", "evidence")
HEAT_LEVELS = 5
CENTS = Decimal("0.01")
# The map's buckets partition the live statuses (a test checks they do).
BUCKETS = {
    "new": (Status.SUBMITTED, Status.SCREENING),
    "in_review": (Status.IN_REVIEW, Status.SHORTLISTED),
    "approved": (Status.APPROVED, Status.FUNDED, Status.IN_EXPERIMENT),
    "launched": (Status.LAUNCHED,),
}


def _scope(prefix: str, campaign: int | None) -> Q:
    """Live, published ideas (optionally of one campaign) seen through the relation
    ``prefix``: the map is the same for every viewer, so ideas held for moderation (or
    rejected, hidden) count nowhere."""
    q = Q(**{f"{prefix}status__in": LIVE_STATUSES}) & published(prefix)
    if campaign is not None:
        q &= Q(**{f"{prefix}campaign": campaign})
    return q


def heat_level(value, maximum) -> int:
    """0 for nothing, else 1..5 in proportion to the largest value on the map."""
    if not value or not maximum:
        return 0
    return max(1, min(HEAT_LEVELS, math.ceil(float(value) / float(maximum) * HEAT_LEVELS)))


def score_heat(mean: float | None) -> int:
    # Scores live on an absolute 1-5 scale, so the heat is the rounded score itself rather
    # than a share of the best stage (a map of mediocre ideas should not glow).
    if mean is None:
        return 0
    # Half up (3.5 -> 4, 2.5 -> 3), not Python's round-half-even.
    return max(1, min(HEAT_LEVELS, math.floor(mean + 0.5)))


def journey_map(
    *,
    journey: Journey,
    viewer,
    campaign: int | None = None,
    fiscal_year: int | None = None,
    metric: str = "ideas",
) -> dict:
    """The journey map in the shape of the API (``GET /api/v1/journeys/{id}/map/``), plus
    what the page needs (``heat``, ``gap_moments``, ``metric``, ``can_see_money``).

    Per stage, over the *live* ideas (``LIVE_STATUSES``), optionally of one ``campaign``:
    - ``ideas``: counts per bucket (``BUCKETS``) and ``total``;
    - ``mean_score``: mean of each live idea's latest panel score (``ideas.LatestScore``,
      kept by scoring; ideas never scored do not count), ``None`` when no idea is scored;
    - ``allocated``: sum of *committed* allocations of the stage's ideas whatever their status
      (money committed stays committed, as on the budget dashboard), only in ``fiscal_year``
      when given; ``None`` for viewers without ``insights.view_funding``;
    - ``gaps``: ids of value-destroying moments with no live idea (in the campaign, if given);
    - ``customers_affected``: the customers the live ideas' evidence speaks for (the sum of
      the ideas' ``customers_affected`` counters) — the "evidence" heat.

    Three queries whatever the number of ideas (two when the viewer may not see money):
    stages with their counts, money per stage, gaps. On PostgreSQL the first two read
    maintained counters (``ideas.StageCount``, ``budgets.CommittedMoney``, kept by triggers in
    the same transaction as the ideas and allocations): a few dozen rows, however many ideas.
    Elsewhere they aggregate the ideas and allocations, each relation in its own query
    (counting ideas and summing allocations in one join would multiply every idea by its
    allocations).
    """
    can_see_money = bool(viewer.has_perm("insights.view_funding"))
    if metric not in METRICS or (metric == "funding" and not can_see_money):
        metric = "ideas"

    # Query 1: every stage with its live ideas per status, their evidence volume and
    # latest-score sums (maintained counters on PostgreSQL), the buckets and means summed here.
    stage_fields = ("id", "cycle", "kind", "name", "order")
    stages_by_id: dict[int, dict] = {}
    for row in _stage_rows(journey, campaign, stage_fields):
        stage = stages_by_id.setdefault(
            row["id"],
            {f: row[f] for f in stage_fields}
            | {"total": 0, "customers_affected": 0, "score_sum": Decimal(0), "scored": 0}
            | {b: 0 for b in BUCKETS},
        )
        status = row["status"]
        if status not in LIVE_STATUSES:  # the stage's LEFT JOIN row when it has no idea
            continue
        n = row["n"] or 0
        stage["total"] += n
        stage["customers_affected"] += row["customers"] or 0
        stage["score_sum"] += Decimal(row["score_sum"] or 0)
        stage["scored"] += row["scored"] or 0
        for bucket, statuses in BUCKETS.items():
            if status in statuses:
                stage[bucket] += n
    stages = [
        SimpleNamespace(**stage)
        for stage in sorted(stages_by_id.values(), key=lambda st: (st["order"], st["id"]))
    ]
    # The mean of the live ideas' latest scores (ideas never scored do not count).
    means = {st.id: float(st.score_sum / st.scored) for st in stages if st.scored}

    # Query 2 (money viewers only): committed allocations per stage.
    allocated: dict[int, Decimal] = {}
    if can_see_money:
        allocated = _allocated(journey, campaign, fiscal_year)

    # Query 3: value-destroying moments without a live idea. NOT EXISTS, not a LEFT JOIN +
    # COUNT: each moment stops at its first live idea (index on moment), instead of every
    # idea with a moment being joined and counted.
    live_idea = Idea.objects.filter(_scope("", campaign), moment=OuterRef("pk"))
    gap_rows = (
        Moment.objects.filter(stage__journey=journey, effect=Effect.DESTROYS_VALUE)
        .filter(~Exists(live_idea))
        .order_by("stage__order", "-severity", "name", "id")
        .values("id", "name", "severity", "stage_id")
    )
    gaps: dict[int, list[dict]] = {}
    for row in gap_rows:
        gaps.setdefault(row["stage_id"], []).append(row)

    rows = []
    for stage in stages:
        mean = means.get(stage.id)
        amount = (allocated.get(stage.id) or Decimal(0)).quantize(CENTS) if can_see_money else None
        rows.append(
            {
                "id": stage.id,
                "name": stage.name,
                "cycle": stage.cycle,
                "kind": stage.kind,
                "is_juncture": stage.kind == StageKind.JUNCTURE,
                "order": stage.order,
                "ideas": {
                    "new": stage.new,
                    "in_review": stage.in_review,
                    "approved": stage.approved,
                    "launched": stage.launched,
                    "total": stage.total,
                },
                "mean_score": round(mean, 2) if mean is not None else None,
                "allocated": amount,
                "customers_affected": stage.customers_affected,
                "gaps": [gap["id"] for gap in gaps.get(stage.id, [])],
                "gap_moments": gaps.get(stage.id, []),
            }
        )

    _add_heat(rows, metric)
    return {
        "journey": journey.id,
        "name": journey.name,
        "metric": metric,
        "can_see_money": can_see_money,
        "campaign": campaign,
        "fiscal_year": fiscal_year,
        "stages": rows,
        "cycles": _group_by_cycle(rows),
    }


def _stage_rows(journey: Journey, campaign: int | None, stage_fields: tuple) -> list[dict]:
    """Every stage of ``journey`` (``stage_fields``) with, per status, its published ideas
    (``n``), their evidence volume (``customers``) and the sum and number of their latest
    scores; a stage without ideas comes once with a ``None`` status. One query."""
    if counts_maintained():
        # The counters of the stage's every idea (key 0) or of one campaign: a LEFT JOIN on
        # the counter table's key, so every stage has a row.
        key = campaign if campaign is not None else ALL_CAMPAIGNS
        return list(
            Stage.objects.of_journey(journey)
            .annotate(
                c=FilteredRelation(
                    "idea_counts",
                    condition=Q(idea_counts__campaign_key=key, idea_counts__ideas__gt=0),
                )
            )
            .values(
                *stage_fields,
                status=F("c__status"),
                n=F("c__ideas"),
                customers=F("c__customers_affected"),
                score_sum=F("c__score_sum"),
                scored=F("c__scored"),
            )
            .order_by()
        )
    # Live ideas counted per (stage, status): one plain COUNT per group over the (stage,
    # status) index. COUNT(status) inside a FILTER keeps the LEFT JOIN, so every stage has a
    # row. The evidence volume and score sums ride along in the same GROUP BY.
    scope = _scope("ideas__", campaign)
    return list(
        Stage.objects.of_journey(journey)
        .values(*stage_fields, status=F("ideas__status"))
        .annotate(
            n=Count("ideas__status", filter=scope),
            customers=Sum("ideas__customers_affected", filter=scope),
            score_sum=Sum("ideas__latest__score", filter=scope),
            scored=Count("ideas__latest__score", filter=scope),
        )
        .order_by()
    )


def _allocated(journey: Journey, campaign: int | None, fiscal_year: int | None) -> dict:
    """Committed allocations per stage of ``journey`` (stages without money are absent).
    One query: the maintained groups on PostgreSQL, the allocations elsewhere."""
    if money_maintained():
        # Every campaign: the roll-up over campaigns (a few rows per stage, however many
        # campaigns); one campaign: its groups.
        if campaign is None:
            groups = CommittedByStage.objects.filter(stage__journey=journey)
        else:
            groups = CommittedMoney.objects.filter(stage__journey=journey, campaign=campaign)
        if fiscal_year is not None:
            groups = groups.filter(fiscal_year=fiscal_year)
        return dict(
            groups.values_list("stage")
            .annotate(amount=Sum("amount"))
            .values_list("stage", "amount")
            .order_by()
        )
    # Filter before annotating: inner joins that start from the (few) committed allocations,
    # instead of LEFT JOINs from every idea of the journey.
    money = Q(ideas__allocations__status=AllocationStatus.COMMITTED)
    if campaign is not None:
        money &= Q(ideas__campaign=campaign)
    if fiscal_year is not None:
        money &= Q(ideas__allocations__fiscal_year=fiscal_year)
    return dict(
        Stage.objects.filter(money, journey=journey)
        .values_list("id")
        .annotate(amount=Sum("ideas__allocations__amount"))
        .values_list("id", "amount")
        .order_by()
    )


def _add_heat(rows: list[dict], metric: str) -> None:
    if metric == "score":
        for row in rows:
            row["heat"] = score_heat(row["mean_score"])
            row["heat_value"] = row["mean_score"]
        return

    def value(row):
        if metric == "funding":
            return row["allocated"] or Decimal(0)
        if metric == "evidence":
            return row["customers_affected"]
        return row["ideas"]["total"]

    values = [value(row) for row in rows]
    maximum = max(values, default=0)
    for row, value in zip(rows, values, strict=True):
        row["heat"] = heat_level(value, maximum)
        row["heat_value"] = value


def _group_by_cycle(rows: list[dict]) -> list[dict]:
    """Consecutive stages of one cycle, for the page's cycle headers."""
    groups: list[dict] = []
    for row in rows:
        if not groups or groups[-1]["cycle"] != row["cycle"]:
            groups.append({"cycle": row["cycle"], "label": Cycle(row["cycle"]).label, "stages": []})
        groups[-1]["stages"].append(row)
    return groups


def filter_options(journey: Journey, *, can_see_money: bool) -> dict[str, list]:
    """Campaigns and fiscal years worth filtering by: those with ideas (committed money, the
    money the map shows) on this journey. Two queries (one without money), each a semi-join
    from the few campaigns and fiscal years that stops at the first idea (group of committed
    money) found on the journey, instead of a DISTINCT over every idea (allocation)."""
    on_journey = Idea.objects.filter(campaign=OuterRef("pk"), stage__journey=journey)
    campaigns = list(
        Campaign.objects.filter(Exists(on_journey))
        .order_by("title", "pk")
        .values_list("pk", "title")
    )
    fiscal_years: list = []
    if can_see_money:
        if money_maintained():
            # The roll-up over campaigns: a few rows per stage and year, however many
            # allocations the year has.
            committed = CommittedByStage.objects.filter(
                fiscal_year=OuterRef("pk"), stage__journey=journey, allocations__gt=0
            )
        else:
            committed = Allocation.objects.filter(
                fiscal_year=OuterRef("pk"),
                idea__stage__journey=journey,
                status=AllocationStatus.COMMITTED,
            )
        fiscal_years = list(
            FiscalYear.objects.filter(Exists(committed))
            .order_by("label", "pk")
            .values_list("pk", "label")
        )
    return {"campaigns": campaigns, "fiscal_years": fiscal_years}


def stage_ideas(*, stage: Stage, campaign: int | None = None, limit: int = 50):
    """The live ideas of one stage (the map cell's panel), newest first. One query."""
    ideas = Idea.objects.filter(published(), stage=stage, status__in=LIVE_STATUSES)
    if campaign is not None:
        ideas = ideas.filter(campaign=campaign)
    return ideas.select_related("moment").order_by("-created_at", "-id")[:limit]
