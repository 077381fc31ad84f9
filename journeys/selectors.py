"""Reads of the journeys app, including the journey map that crosses into ideas, scoring
and budgets.

journeys sits left of those apps, so it never imports them: their data is read through the
ORM relation paths that start at ``Stage`` (``ideas``, ``ideas__allocations``) and, for the
latest-score subquery, through the model classes the relations lead to.
"""

import math
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Avg, Count, Exists, OuterRef, Q, Sum

from journeys.models import BUCKETS, LIVE_STATUSES, Cycle, Effect, Journey, Moment, Stage

METRICS = ("ideas", "score", "funding")
HEAT_LEVELS = 5
CENTS = Decimal("0.01")


def default_journey() -> Journey | None:
    return Journey.objects.default()


def stage_choices_grouped(journey: Journey | None = None) -> list[tuple[str, list]]:
    """Stage choices for a ``ChoiceField``, grouped by cycle for ``<optgroup>``:
    ``[("Buy", [(stage_id, "Discover"), ...]), ("Own", [...]), ("Advocate", [...])]``.

    ``journey`` defaults to the default journey; no journey gives ``[]``. One query.
    Junctures are labelled so the grouping stays readable ("Purchase (juncture)").
    """
    stages = (
        Stage.objects.of_journey(journey)
        if journey is not None
        else Stage.objects.of_default_journey()
    )
    groups: dict[str, list] = {}
    for stage in stages.only("id", "name", "cycle", "kind"):
        label = f"{stage.name} (juncture)" if stage.is_juncture else stage.name
        groups.setdefault(stage.cycle, []).append((stage.id, label))
    return [(Cycle(key).label, groups[key]) for key in Cycle.values if key in groups]


def moments_of_stage(stage_id: int):
    return Moment.objects.of_stage(stage_id).only("id", "name", "stage_id")


def _scope(prefix: str, campaign: int | None) -> Q:
    """Live ideas (optionally of one campaign) seen through the relation ``prefix``."""
    q = Q(**{f"{prefix}status__in": LIVE_STATUSES})
    if campaign is not None:
        q &= Q(**{f"{prefix}campaign": campaign})
    return q


def _latest_scores():
    """IdeaScore rows that are the latest per idea (no row of the same idea is newer).

    Reached through Stage.ideas -> Idea.idea_scores so journeys does not import scoring.
    """
    idea_model = Stage._meta.get_field("ideas").related_model
    score_model = idea_model._meta.get_field("idea_scores").related_model
    newer = score_model.objects.filter(idea=OuterRef("idea")).filter(
        Q(computed_at__gt=OuterRef("computed_at"))
        | Q(computed_at=OuterRef("computed_at"), id__gt=OuterRef("id"))
    )
    return score_model.objects.filter(~Exists(newer))


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
    - ``mean_score``: mean of each live idea's *latest* ``IdeaScore.overall`` (ideas never
      scored do not count), ``None`` when no idea is scored;
    - ``allocated``: sum of *committed* allocations of the stage's ideas whatever their status
      (money committed stays committed, as on the budget dashboard), only in ``fiscal_year``
      when given; ``None`` for viewers without ``journeys.view_funding``;
    - ``gaps``: ids of value-destroying moments with no live idea (in the campaign, if given).

    Four queries whatever the number of ideas (three when the viewer may not see money).
    Each relation is aggregated in its own query: counting ideas and summing allocations in
    one join would multiply every idea by its allocations (and by its scores).
    """
    can_see_money = bool(viewer.has_perm("journeys.view_funding"))
    if metric not in METRICS or (metric == "funding" and not can_see_money):
        metric = "ideas"

    # Query 1: live ideas counted per (stage, status): one plain COUNT per group over the
    # (stage, status) index (index-only scan), the buckets summed here. Five FILTERed counts
    # per idea (each an IN over statuses) made the GROUP BY itself take ~35 ms at 100,000
    # ideas. COUNT(status) inside a FILTER keeps the LEFT JOIN, so every stage has a row.
    stage_fields = ("id", "cycle", "kind", "name", "order")
    per_status = (
        Stage.objects.of_journey(journey)
        .values(*stage_fields, "ideas__status")
        .annotate(n=Count("ideas__status", filter=_scope("ideas__", campaign)))
        .order_by()
    )
    stages_by_id: dict[int, dict] = {}
    for row in per_status:
        stage = stages_by_id.setdefault(
            row["id"],
            {f: row[f] for f in stage_fields} | {"total": 0} | {b: 0 for b in BUCKETS},
        )
        stage["total"] += row["n"]
        for bucket, statuses in BUCKETS.items():
            if row["ideas__status"] in statuses:
                stage[bucket] += row["n"]
    stages = [
        SimpleNamespace(**stage)
        for stage in sorted(stages_by_id.values(), key=lambda st: (st["order"], st["id"]))
    ]

    # Query 2: mean of the latest score per live idea, grouped by the idea's stage.
    means = dict(
        _latest_scores()
        .filter(_scope("idea__", campaign), idea__stage__journey=journey)
        .values_list("idea__stage")
        .annotate(mean=Avg("overall"))
        .values_list("idea__stage", "mean")
        .order_by()
    )

    # Query 3 (money viewers only): committed allocations per stage, in its own GROUP BY.
    allocated: dict[int, Decimal] = {}
    if can_see_money:
        # Filter before annotating: inner joins that start from the (few) committed
        # allocations, instead of LEFT JOINs from every idea of the journey. Stages without
        # money are absent and read as 0 below.
        money = Q(ideas__allocations__status="committed")
        if campaign is not None:
            money &= Q(ideas__campaign=campaign)
        if fiscal_year is not None:
            money &= Q(ideas__allocations__fiscal_year=fiscal_year)
        allocated = dict(
            Stage.objects.filter(money, journey=journey)
            .values_list("id")
            .annotate(amount=Sum("ideas__allocations__amount"))
            .values_list("id", "amount")
            .order_by()
        )

    # Query 4: value-destroying moments without a live idea. NOT EXISTS, not a LEFT JOIN +
    # COUNT: each moment stops at its first live idea (index on moment), instead of every
    # idea with a moment being joined and counted.
    idea_model = Moment._meta.get_field("ideas").related_model
    live_idea = idea_model.objects.filter(_scope("", campaign), moment=OuterRef("pk"))
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


def _add_heat(rows: list[dict], metric: str) -> None:
    if metric == "score":
        for row in rows:
            row["heat"] = score_heat(row["mean_score"])
            row["heat_value"] = row["mean_score"]
        return
    values = [
        (row["allocated"] or Decimal(0)) if metric == "funding" else row["ideas"]["total"]
        for row in rows
    ]
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
    """Campaigns and fiscal years worth filtering by: those with ideas (allocations) on this
    journey. Read through relation paths, so journeys needs neither ideas nor budgets.
    Two queries (one without money)."""
    campaigns = list(
        Stage.objects.filter(journey=journey, ideas__campaign__isnull=False)
        .values_list("ideas__campaign", "ideas__campaign__title")
        .distinct()
        .order_by("ideas__campaign__title", "ideas__campaign")
    )
    fiscal_years: list = []
    if can_see_money:
        fiscal_years = list(
            Stage.objects.filter(journey=journey, ideas__allocations__isnull=False)
            .values_list(
                "ideas__allocations__fiscal_year", "ideas__allocations__fiscal_year__label"
            )
            .distinct()
            .order_by("ideas__allocations__fiscal_year__label")
        )
    return {"campaigns": campaigns, "fiscal_years": fiscal_years}


def stage_ideas(*, stage: Stage, campaign: int | None = None, limit: int = 50):
    """The live ideas of one stage (the map cell's panel), newest first. One query."""
    ideas = stage.ideas.filter(status__in=LIVE_STATUSES)
    if campaign is not None:
        ideas = ideas.filter(campaign=campaign)
    return ideas.select_related("moment").order_by("-created_at", "-id")[:limit]
