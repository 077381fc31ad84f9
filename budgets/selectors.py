"""Reads of the budgets app. :func:`fiscal_year_summary` is the ONE computation behind the
dashboard, its CSV export and ``GET /api/v1/budgets/fiscal-years/{id}/summary/``.

Definitions (docs/budgets.md says the same):
- innovation budget = marketing budget * target % / 100, rounded half-up to the cent;
- committed = sum of committed allocations; spent = sum of spend of the year's allocations;
- "new only" (the strict definition) leaves out ideas whose innovation type is optimization;
- every ``*_pct`` is a percentage of the marketing budget, except ``spent_of_innovation_pct``
  and ``elapsed_pct``; percentages are rounded half-up to 2 places (Decimal, never float);
- behind pace: spent as a % of the innovation budget is more than ``PACE_TOLERANCE_POINTS``
  percentage points below the % of the fiscal year elapsed (days elapsed including today /
  days in the year);
- forecast: linear extrapolation of the average daily spend over the last
  ``FORECAST_WINDOW_DAYS`` days of snapshots (the latest snapshot and the earliest one inside
  the window) from the latest snapshot to ``ends_on``; null with fewer than 2 snapshots.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from budgets.models import Allocation, BudgetSnapshot, FiscalYear, Spend
from ideas.models import Idea, InnovationType, Status
from journeys.models import Cycle
from scoring.models import IdeaScore

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PACE_TOLERANCE_POINTS = Decimal("10")
FORECAST_WINDOW_DAYS = 30
TOP_IDEAS = 10
# The funnel, in workflow order (closed side-exits last).
FUNNEL_ORDER = [
    Status.SUBMITTED,
    Status.SCREENING,
    Status.IN_REVIEW,
    Status.SHORTLISTED,
    Status.APPROVED,
    Status.FUNDED,
    Status.IN_EXPERIMENT,
    Status.LAUNCHED,
    Status.PARKED,
    Status.REJECTED,
]
# Ideas past the approval gate must each have one accountable owner.
NEEDS_OWNER = [Status.APPROVED, Status.FUNDED, Status.IN_EXPERIMENT]
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def pct(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, rounded half-up to 2 places (0 if whole is 0)."""
    if not whole:
        return ZERO
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def default_fiscal_year(today: date | None = None) -> FiscalYear | None:
    """The fiscal year containing today, else the most recent one (1 query each)."""
    today = today or timezone.localdate()
    return FiscalYear.objects.containing(today).first() or FiscalYear.objects.first()


def _split(rows, key: str, labels: dict, committed: Decimal, marketing: Decimal) -> list[dict]:
    out = []
    for row in rows:
        amount = money(row["amount"])
        value = row[key]
        out.append(
            {
                "key": value if value is not None else "none",
                "label": labels.get(value, value) if value is not None else "Not placed",
                "amount": amount,
                "allocations": row["n"],
                "share_pct": pct(amount, committed),
                "of_marketing_pct": pct(amount, marketing),
            }
        )
    return out


def _rollup(groups: list[dict], field: str, order_by: dict | None = None) -> list[dict]:
    """Sum ``amount`` and ``n`` of ``groups`` per ``field``; largest amount first, then by
    the field's value (or ``order_by[value]``), "none" last."""
    out: dict = {}
    for g in groups:
        row = out.setdefault(g[field], {field: g[field], "amount": ZERO, "n": 0})
        row["amount"] += g["amount"]
        row["n"] += g["n"]

    def key(row):
        value = row[field]
        label = order_by.get(value) if order_by is not None else value
        return (-row["amount"], value is None, label or "", value or 0)

    return sorted(out.values(), key=key)


def _forecast(fy: FiscalYear, series: list[dict]) -> dict | None:
    if len(series) < 2:
        return None
    last = series[-1]
    window_start = date.fromordinal(last["date"].toordinal() - FORECAST_WINDOW_DAYS)
    first = next(s for s in series if s["date"] >= window_start)
    if first is last:
        first = series[-2]
    days = (last["date"] - first["date"]).days
    daily = (last["spent"] - first["spent"]) / days
    days_left = max((fy.ends_on - last["date"]).days, 0)
    return {
        "method": (
            f"Linear: average daily spend between {first['date']} and {last['date']} "
            f"(snapshots), extended from {last['date']} to {fy.ends_on}."
        ),
        "from_date": last["date"],
        "window_start": first["date"],
        "daily_spend": money(daily),
        "year_end_date": fy.ends_on,
        "year_end_spent": money(last["spent"] + daily * days_left),
    }


def fiscal_year_summary(fiscal_year: FiscalYear, *, today: date | None = None) -> dict:
    """Everything the dashboard and the summary API show for ``fiscal_year``.

    6 queries, all aggregations in the database: 1 committed allocations grouped by
    innovation type x journey cycle x campaign (totals and the three splits are rolled up from
    it), 2 spent totals, 3 funnel by status, 4 top ideas with latest score and allocated
    amount, 5 ideas without owner, 6 snapshots.
    Money values are Decimals with 2 places; see the module docstring for the definitions.
    """
    fy = fiscal_year
    today = today or timezone.localdate()
    marketing = fy.marketing_budget
    innovation = fy.innovation_budget
    committed_qs = Allocation.objects.filter(fiscal_year=fy).committed()

    # ONE grouped read of the committed allocations (by type x cycle x campaign: a few
    # hundred rows at most) rolled up here into the totals and the three splits; sums of
    # Decimals are exact, so this equals four separate SUM queries over the same rows.
    groups = list(
        committed_qs.order_by()
        .values(
            "idea__innovation_type",
            "idea__stage__cycle",
            "idea__campaign_id",
            "idea__campaign__title",
        )
        .annotate(amount=Sum("amount"), n=Count("id"))
    )
    committed = money(sum((g["amount"] for g in groups), ZERO))
    committed_new = money(
        sum(
            (
                g["amount"]
                for g in groups
                if g["idea__innovation_type"] != InnovationType.OPTIMIZATION
            ),
            ZERO,
        )
    )
    allocations = sum(g["n"] for g in groups)
    spent_totals = Spend.objects.filter(allocation__fiscal_year=fy).aggregate(
        spent=Coalesce(Sum("amount"), ZERO),
        spent_new_only=Coalesce(
            Sum("amount", filter=~Q(allocation__idea__innovation_type="optimization")), ZERO
        ),
    )
    spent = money(spent_totals["spent"])
    spent_new = money(spent_totals["spent_new_only"])

    by_type = _split(
        _rollup(groups, "idea__innovation_type"),
        "idea__innovation_type",
        dict(InnovationType.choices),
        committed,
        marketing,
    )
    by_cycle = _split(
        _rollup(groups, "idea__stage__cycle"),
        "idea__stage__cycle",
        dict(Cycle.choices),
        committed,
        marketing,
    )
    titles = {g["idea__campaign_id"]: g["idea__campaign__title"] for g in groups}
    by_campaign = _split(
        _rollup(groups, "idea__campaign_id", order_by=titles),
        "idea__campaign_id",
        titles,
        committed,
        marketing,
    )
    for row in by_campaign:
        if row["key"] == "none":
            row["label"] = "Open idea box (no campaign)"

    counts = dict(
        Idea.objects.order_by()
        .values_list("status")
        # COUNT(*), not COUNT(id): PostgreSQL then counts from a narrow index alone
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    funnel = [
        {"status": s.value, "label": s.label, "ideas": counts.get(s.value, 0)} for s in FUNNEL_ORDER
    ]

    # Top ideas by their LATEST score: walk the scores best first (index "ideascore_top")
    # and keep a score only if no newer one exists for its idea (index
    # "ideascore_idea_latest"), stopping after TOP_IDEAS, instead of computing the latest
    # score of every live idea (~97,000) and sorting them all.
    newer = IdeaScore.objects.filter(idea=OuterRef("idea")).filter(
        Q(computed_at__gt=OuterRef("computed_at"))
        | Q(computed_at=OuterRef("computed_at"), id__gt=OuterRef("id"))
    )
    allocated = (
        Allocation.objects.filter(fiscal_year=fy, idea=OuterRef("idea"))
        .committed()
        .order_by()
        .values("idea")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    top = (
        IdeaScore.objects.filter(~Exists(newer))
        .exclude(idea__status__in=[Status.DRAFT, Status.MERGED])
        .annotate(allocated=Coalesce(Subquery(allocated, output_field=MONEY_FIELD), Value(ZERO)))
        .select_related("idea__owner")
        .only(
            "overall",
            "idea__id",
            "idea__title",
            "idea__status",
            "idea__owner__display_name",
        )
        .order_by("-overall", "idea_id")[:TOP_IDEAS]
    )
    top_ideas = [
        {
            "id": row.idea.pk,
            "title": row.idea.title,
            "status": row.idea.status,
            "status_label": row.idea.get_status_display(),
            "owner": row.idea.owner.display_name if row.idea.owner else None,
            "score": round(row.overall, 2),
            "allocated": money(row.allocated),
        }
        for row in top
    ]
    no_owner = [
        {"id": i["id"], "title": i["title"], "status": i["status"]}
        for i in Idea.objects.filter(status__in=NEEDS_OWNER, owner__isnull=True)
        .order_by("id")
        .values("id", "title", "status")[:50]
    ]

    series = [
        {
            "date": s["date"],
            "committed": s["committed"],
            "spent": s["spent"],
            "committed_new_only": s["committed_new_only"],
            "spent_new_only": s["spent_new_only"],
            "remaining": money(innovation - s["spent"]),
        }
        for s in BudgetSnapshot.objects.filter(fiscal_year=fy)
        .order_by("date")
        .values("date", "committed", "spent", "committed_new_only", "spent_new_only")
    ]
    forecast = _forecast(fy, series)

    days_total = (fy.ends_on - fy.starts_on).days + 1
    days_elapsed = min(max((today - fy.starts_on).days + 1, 0), days_total)
    elapsed_pct = pct(Decimal(days_elapsed), Decimal(days_total))
    spent_of_innovation_pct = pct(spent, innovation)
    committed_pct = pct(committed, marketing)

    alerts = []
    if committed > innovation:
        alerts.append(
            {
                "code": "over_target",
                "level": "bad",
                "message": (
                    f"Over target: {committed_pct}% of the marketing budget is committed, "
                    f"above the {fy.innovation_target_pct}% target "
                    f"({committed - innovation} {fy.currency} over)."
                ),
            }
        )
    if days_elapsed and spent_of_innovation_pct < elapsed_pct - PACE_TOLERANCE_POINTS:
        alerts.append(
            {
                "code": "behind_pace",
                "level": "warn",
                "message": (
                    f"Behind pace: {spent_of_innovation_pct}% of the innovation budget is spent "
                    f"with {elapsed_pct}% of the year elapsed (more than "
                    f"{PACE_TOLERANCE_POINTS} points behind)."
                ),
            }
        )
    if no_owner:
        alerts.append(
            {
                "code": "no_owner",
                "level": "warn",
                "message": f"{len(no_owner)} approved idea(s) have no accountable owner.",
            }
        )

    return {
        "fiscal_year": {
            "id": fy.pk,
            "label": fy.label,
            "starts_on": fy.starts_on,
            "ends_on": fy.ends_on,
            "currency": fy.currency,
        },
        "as_of": today,
        "marketing_budget": money(marketing),
        "target_pct": money(fy.innovation_target_pct),
        "innovation_budget": innovation,
        "committed": committed,
        "spent": spent,
        "remaining": innovation - committed,
        "unspent": committed - spent,
        "committed_pct": committed_pct,
        "spent_pct": pct(spent, marketing),
        "committed_new_only": committed_new,
        "committed_new_only_pct": pct(committed_new, marketing),
        "spent_new_only": spent_new,
        "spent_new_only_pct": pct(spent_new, marketing),
        "remaining_new_only": innovation - committed_new,
        "spent_of_innovation_pct": spent_of_innovation_pct,
        "elapsed_pct": elapsed_pct,
        "allocations": allocations,
        "by_innovation_type": by_type,
        "by_cycle": by_cycle,
        "by_campaign": by_campaign,
        "funnel": funnel,
        "top_ideas": top_ideas,
        "ideas_without_owner": no_owner,
        "alerts": alerts,
        "spend_over_time": series,
        "forecast": forecast,
    }


def jsonable(value):
    """The summary with Decimals as 2-place strings and dates as ISO strings (for the API,
    json_script and CSV; DRF would otherwise turn a bare Decimal into a float)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value.quantize(CENT, rounding=ROUND_HALF_UP)}"
    if isinstance(value, date):
        return value.isoformat()
    return value


SUMMARY_CSV_FIELDS = [
    "marketing_budget",
    "target_pct",
    "innovation_budget",
    "committed",
    "committed_pct",
    "committed_new_only",
    "committed_new_only_pct",
    "spent",
    "spent_pct",
    "spent_new_only",
    "spent_new_only_pct",
    "remaining",
    "remaining_new_only",
    "spent_of_innovation_pct",
    "elapsed_pct",
]


def summary_csv_rows(summary: dict) -> list[list[str]]:
    """The summary as CSV rows: (section, key, label, value, extra)."""
    data = jsonable(summary)
    rows = [["section", "key", "label", "amount_or_value", "pct"]]
    for name in SUMMARY_CSV_FIELDS:
        rows.append(["totals", name, name.replace("_", " "), data[name], ""])
    for section in ("by_innovation_type", "by_cycle", "by_campaign"):
        for row in data[section]:
            rows.append([section, row["key"], row["label"], row["amount"], row["share_pct"]])
    for row in data["funnel"]:
        rows.append(["funnel", row["status"], row["label"], row["ideas"], ""])
    for row in data["top_ideas"]:
        rows.append(["top_ideas", row["id"], row["title"], row["allocated"], row["score"]])
    for row in data["ideas_without_owner"]:
        rows.append(["ideas_without_owner", row["id"], row["title"], row["status"], ""])
    for row in data["alerts"]:
        rows.append(["alerts", row["code"], row["message"], "", ""])
    if data["forecast"]:
        rows.append(
            [
                "forecast",
                "year_end_spent",
                data["forecast"]["method"],
                data["forecast"]["year_end_spent"],
                "",
            ]
        )
    return rows
