"""The executive dashboard: a fiscal year's money (``budgets.selectors``) together with the
parts that read other apps: the pipeline funnel (ideas), the top ideas by their latest panel
score (``ideas.LatestScore``, kept by scoring) with the money committed to each, approved ideas
without an accountable owner, and funded ideas whose innovation type is not confirmed.

:func:`executive_summary` is the ONE computation behind the dashboard page, its CSV export
and ``GET /api/v1/budgets/fiscal-years/{id}/summary/``; :meth:`ExecutiveSummary.as_dict`
gives the API's field names.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from budgets.models import Allocation, AllocationStatus, FiscalYear
from budgets.selectors import (
    PACE_TOLERANCE_POINTS,
    ZERO,
    Alert,
    BudgetSummary,
    fiscal_year_summary,
    jsonable,
    money,
    pct,
    row_dict,
)
from ideas.models import Idea, IdeaDay, Status
from ideas.stage_counts import use_maintained as counts_maintained

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


@dataclass(frozen=True)
class FunnelRow:
    status: str
    label: str
    ideas: int


@dataclass(frozen=True)
class TopIdea:
    id: int
    title: str
    status: str
    status_label: str
    owner: str | None
    score: float
    allocated: Decimal


@dataclass(frozen=True)
class IdeaRef:
    id: int
    title: str
    status: str


@dataclass(frozen=True)
class ExecutiveSummary:
    budget: BudgetSummary
    funnel: list[FunnelRow] = field(default_factory=list)
    top_ideas: list[TopIdea] = field(default_factory=list)
    ideas_without_owner: list[IdeaRef] = field(default_factory=list)
    ideas_unconfirmed: list[IdeaRef] = field(default_factory=list)

    @property
    def alerts(self) -> list[Alert]:
        out = list(self.budget.alerts)
        if self.ideas_without_owner:
            n = len(self.ideas_without_owner)
            out.append(
                Alert(
                    code="no_owner",
                    level="warn",
                    message=f"{n} approved idea(s) have no accountable owner.",
                )
            )
        return out

    def as_dict(self) -> dict:
        """The API's fields, Decimals and dates as they are (``jsonable`` makes strings)."""
        data = self.budget.as_dict()
        series, fc = data.pop("spend_over_time"), data.pop("forecast")
        data.pop("alerts")
        return {
            **data,
            "funnel": [row_dict(r) for r in self.funnel],
            "top_ideas": [row_dict(r) for r in self.top_ideas],
            "ideas_without_owner": [row_dict(r) for r in self.ideas_without_owner],
            "ideas_unconfirmed": [row_dict(r) for r in self.ideas_unconfirmed],
            "alerts": [row_dict(a) for a in self.alerts],
            "spend_over_time": series,
            "forecast": fc,
        }


def funnel(fy: FiscalYear) -> list[FunnelRow]:
    """Ideas submitted in ``fy`` (created between its first and last day, in the site's time
    zone) per current status, in workflow order. One query.

    On PostgreSQL it sums the maintained day counters (``ideas.IdeaDay``: ideas per UTC day
    of creation and status, kept by triggers) over the UTC days the year covers whole, and
    counts the ideas themselves only in the hours at either end that a UTC day does not
    cover (none when the site's time zone is UTC): ~365 x 12 small rows instead of the
    year's ~40,000 ideas."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(fy.starts_on, time.min, tzinfo=tz)
    end = datetime.combine(fy.ends_on + timedelta(days=1), time.min, tzinfo=tz)
    if counts_maintained():
        rows = _funnel_rows_maintained(start, end)
    else:
        rows = (
            Idea.objects.filter(created_at__gte=start, created_at__lt=end)
            .order_by()
            .values_list("status")
            # COUNT(*), not COUNT(id): PostgreSQL then counts from a narrow index alone
            .annotate(n=Count("*"))
            .values_list("status", "n")
        )
    counts: dict[str, int] = {}
    for status, n in rows:
        counts[status] = counts.get(status, 0) + (n or 0)
    return [
        FunnelRow(status=s.value, label=s.label, ideas=counts.get(s.value, 0)) for s in FUNNEL_ORDER
    ]


def _funnel_rows_maintained(start: datetime, end: datetime):
    """(status, n) rows of the ideas created in [start, end): the day counters of the whole
    UTC days inside it, plus the ideas of the partial days at its ends. One query."""
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    first = start_utc.date()
    if start_utc.time() != time.min:
        first += timedelta(days=1)
    last = end_utc.date()  # exclusive: the day that ``end`` falls in is not whole
    if first > last:
        first = last = start_utc.date()  # no whole day (cannot happen for a fiscal year)
    first_at = datetime.combine(first, time.min, tzinfo=UTC)
    last_at = datetime.combine(last, time.min, tzinfo=UTC)
    days = (
        IdeaDay.objects.filter(day__gte=first, day__lt=last)
        .order_by()
        .values_list("status")
        .annotate(n=Sum("ideas"))
        .values_list("status", "n")
    )
    # The partial days at either end; none when the year's bounds are UTC midnights (the
    # site in UTC): then no idea is read at all.
    edge = Q()
    for low, high in ((start, max(first_at, start)), (max(last_at, start), end)):
        if low < high:
            edge |= Q(created_at__gte=low, created_at__lt=high)
    if not edge:
        return days
    edges = (
        Idea.objects.filter(edge)
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    return days.union(edges, all=True)


def top_ideas(fy: FiscalYear, *, limit: int = TOP_IDEAS) -> list[TopIdea]:
    """The best ideas by their latest panel score, with the money committed to each in
    ``fy``. One query: the maintained latest scores (``ideas.LatestScore``, kept by
    scoring), read best first from their index, instead of finding each idea's latest result
    in the score history."""
    allocated = (
        Allocation.objects.filter(fiscal_year=fy, idea=OuterRef("pk"))
        .committed()
        .order_by()
        .values("idea")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = (
        Idea.objects.filter(latest__isnull=False)
        .exclude(status__in=[Status.DRAFT, Status.MERGED])
        .annotate(allocated=Coalesce(Subquery(allocated, output_field=MONEY_FIELD), Value(ZERO)))
        .select_related("owner")
        .annotate(score=F("latest__score"))
        .only("id", "title", "status", "owner__display_name")
        .order_by("-latest__score", "id")[:limit]
    )
    return [
        TopIdea(
            id=idea.pk,
            title=idea.title,
            status=idea.status,
            status_label=idea.get_status_display(),
            owner=idea.owner.display_name if idea.owner else None,
            score=float(round(idea.score, 2)),
            allocated=money(idea.allocated),
        )
        for idea in rows
    ]


def ideas_without_owner(limit: int = 50) -> list[IdeaRef]:
    """Ideas past the approval gate with no accountable owner. One query."""
    return [
        IdeaRef(**row)
        for row in Idea.objects.filter(status__in=NEEDS_OWNER, owner__isnull=True)
        .order_by("id")
        .values("id", "title", "status")[:limit]
    ]


def ideas_unconfirmed(fy: FiscalYear, limit: int = 50) -> list[IdeaRef]:
    """Ideas with money committed in ``fy`` whose innovation type no manager has confirmed
    (the new-only figure leaves them out). One query; none when nothing is unconfirmed."""
    return [
        IdeaRef(**row)
        for row in Idea.objects.filter(
            type_confirmed=False,
            allocations__fiscal_year=fy,
            allocations__status=AllocationStatus.COMMITTED,
        )
        .distinct()
        .order_by("id")
        .values("id", "title", "status")[:limit]
    ]


def executive_summary(fiscal_year: FiscalYear, *, today: date | None = None) -> ExecutiveSummary:
    """Everything the dashboard and the summary API show for ``fiscal_year``. 6 queries:
    the 3 of ``budgets.selectors.fiscal_year_summary``, funnel, top ideas, ideas without an
    owner; a 7th lists the funded ideas with an unconfirmed type, only when the summary says
    money is committed to some."""
    budget = fiscal_year_summary(fiscal_year, today=today)
    return ExecutiveSummary(
        budget=budget,
        funnel=funnel(fiscal_year),
        top_ideas=top_ideas(fiscal_year),
        ideas_without_owner=ideas_without_owner(),
        ideas_unconfirmed=(
            ideas_unconfirmed(fiscal_year) if budget.totals.committed_unconfirmed else []
        ),
    )


def _share(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a % of ``whole`` for a bar's length: 0 to 100 (an overrun fills it)."""
    return min(max(pct(part, whole), ZERO), Decimal(100)) if whole else ZERO


def headline(summary: dict) -> dict:
    """The lengths (0-100) of the headline's two bullet bars, from the summary's figures:
    committed as a share of the target (all innovation, and new only), and the pace mark at
    the share of the fiscal year elapsed: committing evenly through the year, the bar's end
    would sit on the mark. "On pace" is ``commit_on_pace`` (``budgets.selectors``)."""
    target = summary["target_pct"]
    return {
        "all": _share(summary["committed_pct"], target),
        "new_only": _share(summary["committed_new_only_pct"], target),
        "pace": _share(summary["elapsed_pct"], Decimal(100)),
        # The least committed share of the innovation budget that is still on pace.
        "pace_floor": max(summary["elapsed_pct"] - PACE_TOLERANCE_POINTS, ZERO),
    }


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
    "committed_unconfirmed",
    "spent_of_innovation_pct",
    "elapsed_pct",
    "committed_of_innovation_pct",
    "commit_on_pace",
]
SUMMARY_CSV_HEADER = ["section", "key", "label", "amount_or_value", "pct"]


def summary_csv_rows(summary: ExecutiveSummary) -> list[list]:
    """The summary as CSV rows (after ``SUMMARY_CSV_HEADER``): section, key, label, value,
    extra."""
    # Money stays a Decimal (not jsonable's string) so the CSV writer's formula guard
    # leaves a negative amount as the number it is.
    data = summary.as_dict()
    rows = []
    for name in SUMMARY_CSV_FIELDS:
        rows.append(["totals", name, name.replace("_", " "), data[name], ""])
    for section in ("by_innovation_type", "by_cycle", "by_campaign"):
        for row in data[section]:
            rows.append([section, row["key"], row["label"], row["amount"], row["share_pct"]])
    for row in data["by_horizon"]:
        rows.append(["by_horizon", row["key"], row["label"], row["amount"], row["target_pct"]])
    for row in data["funnel"]:
        rows.append(["funnel", row["status"], row["label"], row["ideas"], ""])
    for row in data["top_ideas"]:
        rows.append(["top_ideas", row["id"], row["title"], row["allocated"], row["score"]])
    for row in data["ideas_without_owner"]:
        rows.append(["ideas_without_owner", row["id"], row["title"], row["status"], ""])
    for row in data["ideas_unconfirmed"]:
        rows.append(["ideas_unconfirmed", row["id"], row["title"], row["status"], ""])
    for row in data["alerts"]:
        rows.append(["alerts", row["code"], row["message"], "", ""])
    if data["forecast"]:
        forecast = data["forecast"]
        rows.append(
            ["forecast", "year_end_spent", forecast["method"], forecast["year_end_spent"], ""]
        )
    return [[_cell(value) for value in row] for row in rows]


def _cell(value):
    if isinstance(value, Decimal):
        return Decimal(jsonable(value))
    if isinstance(value, date):
        return value.isoformat()
    return value
