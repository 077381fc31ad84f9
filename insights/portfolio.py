"""The portfolio of a fiscal year: what the innovation money bought.

Populations (docs/insights.md explains each with a worked example):
- **the year's ideas**: ideas with an allocation in the fiscal year (committed or released:
  money may have been spent before a release). Spend, expected and realised value, and the
  splits by type, horizon and cycle are over these ideas;
- ``spent``: spend recorded against the year's allocations;
- ``expected``: ``expected_revenue_generated + expected_revenue_protected`` (per year, a
  blank figure counts as 0) of the year's ideas;
- ``realised``: every value record of the year's ideas to date (money spent this year keeps
  paying back after the year ends);
- ``roi`` = realised_total / spent (None when nothing is spent);
- experiments decided within the fiscal year, ``hit_rate`` = scaled / decided;
- cycle time: ideas launched within the fiscal year, days from their first move to
  ``submitted`` to their first move to ``launched``;
- the funnel: ideas first submitted within the fiscal year, by the furthest statuses they
  reached on the way to launch.

Every figure is a grouped query; nothing loops over ideas in Python (the cycle-time
percentiles read one row per launched idea, already reduced to two dates by the database).
"""

import statistics
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from budgets.models import Allocation, FiscalYear
from budgets.selectors import default_fiscal_year
from ideas.models import Horizon, Idea, IdeaTransition, InnovationType, Status
from journeys.models import Cycle
from outcomes.models import MONEY, Decision, Experiment, ValueRecord
from outcomes.selectors import with_value_totals

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(**MONEY)
# The path from submission to launch, in order (the funnel's steps).
FUNNEL = [
    Status.SUBMITTED,
    Status.SCREENING,
    Status.IN_REVIEW,
    Status.SHORTLISTED,
    Status.APPROVED,
    Status.FUNDED,
    Status.IN_EXPERIMENT,
    Status.LAUNCHED,
]
SPLITS = {
    # split name: (attribute of Cell, labels of its keys)
    "by_type": ("innovation_type", dict(InnovationType.choices)),
    "by_horizon": ("horizon", dict(Horizon.choices)),
    "by_cycle": ("cycle", dict(Cycle.choices)),
}


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _bounds(fy: FiscalYear) -> tuple[datetime, datetime]:
    """The fiscal year as aware datetimes [start, end) in the project's time zone."""
    start = timezone.make_aware(datetime.combine(fy.starts_on, time.min))
    end = timezone.make_aware(datetime.combine(fy.ends_on + timedelta(days=1), time.min))
    return start, end


def year_ideas(fy: FiscalYear) -> QuerySet:
    """Ideas with an allocation in ``fy`` (an EXISTS, so two allocations count once)."""
    return Idea.objects.filter(
        Exists(Allocation.objects.filter(fiscal_year=fy, idea=OuterRef("pk")))
    )


def _expected_expr():
    zero = Value(ZERO, MONEY_FIELD)
    return Coalesce(F("expected_revenue_generated"), zero) + Coalesce(
        F("expected_revenue_protected"), zero
    )


@dataclass(frozen=True)
class Cell:
    """Money of the year's ideas sharing one (type, horizon, cycle)."""

    innovation_type: str
    horizon: str
    cycle: str | None
    spent: Decimal = ZERO
    expected: Decimal = ZERO
    generated: Decimal = ZERO
    protected: Decimal = ZERO


def money_cells(fy: FiscalYear) -> list[Cell]:
    """THREE grouped reads (spend, expected, realised), each by (type, horizon, cycle): a
    few dozen rows at most, from which the totals and the three splits are rolled up
    (Decimal sums are exact, so this equals a separate SUM per split)."""
    ideas = year_ideas(fy)
    dims = ("innovation_type", "horizon", "stage__cycle")
    cells: dict[tuple, dict] = {}

    def cell(key: tuple) -> dict:
        return cells.setdefault(key, {"spent": ZERO, "expected": ZERO, "gen": ZERO, "prot": ZERO})

    # 1. Spend against the year's allocations (their maintained ``spent``: no spend row read).
    spend = (
        Allocation.objects.filter(fiscal_year=fy, spent__gt=0)
        .order_by()
        .values(*(f"idea__{d}" for d in dims))
        .annotate(amount=Sum("spent"))
    )
    for row in spend:
        cell(tuple(row[f"idea__{d}"] for d in dims))["spent"] += row["amount"] or 0
    # 2. Expected value per year of the year's ideas.
    expected = ideas.order_by().values(*dims).annotate(amount=Sum(_expected_expr()))
    for row in expected:
        cell(tuple(row[d] for d in dims))["expected"] += row["amount"] or 0
    # 3. Realised value to date of the year's ideas.
    realised = (
        ValueRecord.objects.filter(idea__in=ideas.values("pk"))
        .order_by()
        .values(*(f"idea__{d}" for d in dims))
        .annotate(gen=Sum("revenue_generated"), prot=Sum("revenue_protected"))
    )
    for row in realised:
        c = cell(tuple(row[f"idea__{d}"] for d in dims))
        c["gen"] += row["gen"] or 0
        c["prot"] += row["prot"] or 0
    return [
        Cell(
            innovation_type=k[0],
            horizon=k[1],
            cycle=k[2],
            spent=_money(v["spent"]),
            expected=_money(v["expected"]),
            generated=_money(v["gen"]),
            protected=_money(v["prot"]),
        )
        for k, v in sorted(cells.items(), key=lambda kv: tuple(x or "" for x in kv[0]))
    ]


def _split(cells: list[Cell], attr: str, labels: dict) -> list[dict]:
    """Rows ``{key, label, spent, expected, realised}`` in the order of the choices; a key
    outside them (an idea placed on no stage: ``None``) comes last."""
    rows: dict = {}
    for c in cells:
        key = getattr(c, attr)
        row = rows.setdefault(key, {"spent": ZERO, "expected": ZERO, "realised": ZERO})
        row["spent"] += c.spent
        row["expected"] += c.expected
        row["realised"] += c.generated + c.protected
    order = list(labels)
    return [
        {"key": key, "label": labels.get(key, "Not placed on the journey"), **rows[key]}
        for key in sorted(
            rows, key=lambda k: (k not in labels, order.index(k) if k in labels else 0)
        )
    ]


def experiments(fy: FiscalYear) -> dict:
    """ONE query: experiments decided within the fiscal year, by decision."""
    start, end = _bounds(fy)
    counts = Experiment.objects.filter(decided_at__gte=start, decided_at__lt=end).aggregate(
        decided=Count("id", filter=~Q(decision=Decision.PENDING)),
        scaled=Count("id", filter=Q(decision=Decision.SCALE)),
        stopped=Count("id", filter=Q(decision=Decision.STOP)),
        iterated=Count("id", filter=Q(decision=Decision.ITERATE)),
    )
    decided = counts["decided"]
    counts["hit_rate"] = round(counts["scaled"] / decided, 4) if decided else None
    return counts


def percentile(values: list[float], fraction: float) -> float | None:
    """The ``fraction`` quantile with linear interpolation between closest ranks (the
    spreadsheet PERCENTILE / PERCENTILE.INC): position ``fraction * (n - 1)`` in the
    sorted values. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = fraction * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def cycle_times(fy: FiscalYear) -> list[float]:
    """ONE query: for each idea first launched within the fiscal year, the days from its
    first submission to that launch. It starts from the year's launch transitions (the
    ``(to_status, at)`` index) and looks up each one's earlier launch and first submission
    by idea, instead of grouping every transition ever made by idea."""
    start, end = _bounds(fy)
    earlier_launch = IdeaTransition.objects.filter(
        Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk")),
        idea=OuterRef("idea"),
        to_status=Status.LAUNCHED,
    )
    first_submission = (
        IdeaTransition.objects.filter(idea=OuterRef("idea"), to_status=Status.SUBMITTED)
        .order_by("at")
        .values("at")[:1]
    )
    rows = (
        IdeaTransition.objects.filter(to_status=Status.LAUNCHED, at__gte=start, at__lt=end)
        .filter(~Exists(earlier_launch))
        .annotate(submitted=Subquery(first_submission))
        .filter(submitted__isnull=False)
        .order_by()
        .values_list("submitted", "at")
    )
    return [(launched - submitted).total_seconds() / 86400 for submitted, launched in rows]


def cycle_time_days(fy: FiscalYear) -> dict:
    days = cycle_times(fy)
    median = statistics.median(days) if days else None
    p75 = percentile(days, 0.75)
    return {
        "median": None if median is None else round(median, 1),
        "p75": None if p75 is None else round(p75, 1),
        "launched": len(days),
    }


def funnel(fy: FiscalYear) -> list[dict]:
    """ONE grouped query: of the ideas first submitted within the fiscal year, how many
    ever reached each status on the path to launch, with the conversion from the step
    before and from submission (as fractions, None after an empty step)."""
    start, end = _bounds(fy)
    # First submitted within the year: submitted in it, and never before it (the year's
    # submissions come from the (to_status, at) index; no grouping of every transition).
    submitted_before = IdeaTransition.objects.filter(
        idea=OuterRef("idea"), to_status=Status.SUBMITTED, at__lt=start
    )
    first_submitted = (
        IdeaTransition.objects.filter(to_status=Status.SUBMITTED, at__gte=start, at__lt=end)
        .filter(~Exists(submitted_before))
        .order_by()
        .values("idea")
    )
    reached = dict(
        IdeaTransition.objects.filter(idea__in=first_submitted, to_status__in=FUNNEL)
        .order_by()
        .values("to_status")
        .annotate(n=Count("idea", distinct=True))
        .values_list("to_status", "n")
    )
    labels = dict(Status.choices)
    rows, previous, first = [], None, None
    for status in FUNNEL:
        n = reached.get(status, 0)
        first = n if first is None else first
        rows.append(
            {
                "status": status.value,
                "label": labels[status],
                "ideas": n,
                "from_previous": None if previous is None else _rate(n, previous),
                "from_submitted": _rate(n, first),
            }
        )
        previous = n
    return rows


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def portfolio(fy: FiscalYear) -> dict:
    """The portfolio figures of ``fy`` (Decimals for money; the API and the page render
    them with ``budgets.selectors.jsonable``). Six queries."""
    cells = money_cells(fy)
    spent = sum((c.spent for c in cells), ZERO)
    generated = sum((c.generated for c in cells), ZERO)
    protected = sum((c.protected for c in cells), ZERO)
    realised = generated + protected
    data = {
        "fiscal_year": {
            "id": fy.pk,
            "label": fy.label,
            "starts_on": fy.starts_on,
            "ends_on": fy.ends_on,
            "currency": fy.currency,
        },
        "spent": spent,
        "realised_generated": generated,
        "realised_protected": protected,
        "realised_total": realised,
        "roi": roi(realised, spent),
        "expected_total": sum((c.expected for c in cells), ZERO),
    }
    for name, (attr, labels) in SPLITS.items():
        data[name] = _split(cells, attr, labels)
    data["experiments"] = experiments(fy)
    data["cycle_time_days"] = cycle_time_days(fy)
    data["funnel"] = funnel(fy)
    return data


def realised_total(fy: FiscalYear) -> Decimal:
    """ONE query: the value realised to date by the year's ideas (the dashboard's line)."""
    sums = ValueRecord.objects.filter(idea__in=year_ideas(fy).values("pk")).aggregate(
        gen=Sum("revenue_generated"), prot=Sum("revenue_protected")
    )
    return _money(sums["gen"]) + _money(sums["prot"])


def roi(realised: Decimal, spent: Decimal) -> Decimal | None:
    return (realised / spent).quantize(CENT, rounding=ROUND_HALF_UP) if spent else None


def ranked_ideas(fy: FiscalYear) -> QuerySet:
    """The year's ideas by realised value, best first, with their expected value and spend
    this year (subqueries per idea: paginate before reading)."""
    spent = (
        Allocation.objects.filter(fiscal_year=fy, idea=OuterRef("pk"))
        .order_by()
        .values("idea")
        .annotate(total=Sum("spent"))
        .values("total")
    )
    return (
        with_value_totals(year_ideas(fy))
        .annotate(
            expected=_expected_expr(),
            spent=Coalesce(Subquery(spent, output_field=MONEY_FIELD), Value(ZERO, MONEY_FIELD)),
        )
        .only("id", "title", "status", "innovation_type", "horizon")
        .order_by("-realised_total", "id")
    )


class NoSuchYear(Exception):
    """``?fiscal_year=`` names no fiscal year."""


def chosen_year(wanted: str | None) -> tuple[list[FiscalYear], FiscalYear | None]:
    """ONE query: every fiscal year (newest first, for the chooser) and the one
    ``?fiscal_year=`` names, else the one containing today, else the latest (the dashboard's
    rule, ``budgets.selectors.default_fiscal_year``). Raises :class:`NoSuchYear` for a value
    that names none."""
    years = list(FiscalYear.objects.order_by("-starts_on"))
    if not wanted:
        return years, default_fiscal_year(years)
    chosen = next((fy for fy in years if str(fy.pk) == str(wanted)), None)
    if chosen is None:
        raise NoSuchYear(wanted)
    return years, chosen
