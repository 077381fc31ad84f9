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

Every figure reads the portfolio's read model (insights.models, kept by triggers in the
same transaction as every write of its sources: insights/readmodel.py), so no request sums
allocations, value records, transitions or experiments: ``PortfolioEntry`` (one row per
idea and fiscal year, with its type, horizon, cycle, spend, expected and realised value)
gives the money and the ranking, ``PortfolioCell`` (the entries summed by type, horizon and
cycle) the totals and splits, ``CycleTimeCount`` (launches per year and whole day of cycle
time) and ``IdeaMilestone`` the cycle-time percentiles, ``FunnelDay`` the funnel and
``ExperimentDay`` the hit rate. No read returns or walks rows whose number grows with the
number of ideas, save the exact cycle times within the one day of cycle time holding a
percentile's rank (:func:`cycle_time_days`).
"""

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateTimeField,
    DurationField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from budgets.models import FiscalYear
from budgets.selectors import default_fiscal_year
from ideas.models import Horizon, InnovationType, Status
from insights import readmodel
from insights.models import (
    CycleTimeCount,
    ExperimentDay,
    FunnelDay,
    IdeaMilestone,
    PortfolioCell,
    PortfolioEntry,
)
from journeys.models import Cycle
from outcomes.models import Decision, Experiment

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
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
FUNNEL_STEPS = [status.value for status in FUNNEL]
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


def year_entries(fy: FiscalYear) -> QuerySet:
    """The year's ideas as their read-model entries (one per idea funded in ``fy``)."""
    return PortfolioEntry.objects.filter(fiscal_year=fy)


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
    ideas: int = 0


def money_cells(fy: FiscalYear) -> list[Cell]:
    """ONE read of the year's maintained cells by (type, horizon, cycle): a few dozen rows
    at most, from which the totals and the three splits are rolled up (Decimal sums are
    exact, so this equals a separate SUM per split)."""
    rows = PortfolioCell.objects.filter(fiscal_year=fy, ideas__gt=0).order_by(
        "innovation_type", "horizon", "cycle"
    )
    return [
        Cell(
            innovation_type=row.innovation_type,
            horizon=row.horizon,
            cycle=row.cycle or None,
            spent=_money(row.spent),
            expected=_money(row.expected),
            generated=_money(row.realised_generated),
            protected=_money(row.realised_protected),
            ideas=row.ideas,
        )
        for row in rows
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


_EXPERIMENT_COUNTS = ("decided", "scaled", "stopped", "iterated")


def experiments(fy: FiscalYear) -> dict:
    """ONE query: experiments decided within the fiscal year, by decision. The UTC days
    wholly inside the year come from the maintained ``ExperimentDay`` (at most 366 rows,
    however many experiments); the parts of a day at either edge (a year bounded by local
    midnights in a time zone other than UTC) from the experiments themselves."""
    start, end = _bounds(fy)
    first, stop = _whole_days(start, end)
    rows = ExperimentDay.objects.filter(day__gte=first, day__lt=stop).order_by()
    rows = rows.values_list(*_EXPERIMENT_COUNTS)
    edge = Q()
    for low, high in ((start, _utc_midnight(first)), (_utc_midnight(stop), end)):
        if low < high:
            edge |= Q(decided_at__gte=low, decided_at__lt=high)
    if edge:
        flags = {
            f"n_{name}": Case(
                When(test, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
            for name, test in (
                ("decided", ~Q(decision=Decision.PENDING)),
                ("scaled", Q(decision=Decision.SCALE)),
                ("stopped", Q(decision=Decision.STOP)),
                ("iterated", Q(decision=Decision.ITERATE)),
            )
        }
        edges = Experiment.objects.filter(edge).order_by().annotate(**flags).values_list(*flags)
        rows = rows.union(edges, all=True)
    counts = dict.fromkeys(_EXPERIMENT_COUNTS, 0)
    for row in rows:
        for name, n in zip(_EXPERIMENT_COUNTS, row, strict=True):
            counts[name] += n
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


def _launched_in(fy: FiscalYear) -> QuerySet:
    """The milestones of the ideas first launched within the fiscal year (an idea launched
    without a recorded submission has none)."""
    start, end = _bounds(fy)
    return IdeaMilestone.objects.filter(launched_at__gte=start, launched_at__lt=end).order_by()


def cycle_times(fy: FiscalYear) -> list[float]:
    """ONE query: for each idea first launched within the fiscal year, the days from its
    first submission to that launch (every launch of the year: the reference the tests
    compare :func:`cycle_time_days` with)."""
    rows = _launched_in(fy).values_list("submitted_at", "launched_at")
    return [(launched - submitted).total_seconds() / 86400 for submitted, launched in rows]


class _Days(Func):
    """PostgreSQL: an interval as a number of days (a float)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
    output_field = FloatField()


class _Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont``: the same interpolation as :func:`percentile`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float):
        super().__init__(expression, fraction=float(fraction))


def _postgres() -> bool:
    return connections[IdeaMilestone.objects.db].vendor == "postgresql"


def cycle_time_days_scan(fy: FiscalYear) -> dict:
    """ONE query over every launch of the year (the method :func:`cycle_time_days` gives
    the same figures as without reading them all; the tests compare the two). On
    PostgreSQL ``percentile_cont``; elsewhere the days are read and interpolated here."""
    if _postgres():
        days = _Days(F("launched_at") - F("submitted_at"))
        row = _launched_in(fy).aggregate(
            median=_Percentile(days, 0.5),
            p75=_Percentile(days, 0.75),
            launched=Count("pk"),
        )
        median, p75, launched = row["median"], row["p75"], row["launched"]
    else:
        days = cycle_times(fy)
        median = statistics.median(days) if days else None
        p75, launched = percentile(days, 0.75), len(days)
    return _cycle_figures(median, p75, launched)


def _cycle_figures(median, p75, launched: int) -> dict:
    return {
        "median": None if median is None else round(median, 1),
        "p75": None if p75 is None else round(p75, 1),
        "launched": launched,
    }


def _year_edges(fy: FiscalYear) -> tuple[list, list]:
    """The launches the maintained counts (by the UTC day of launch) hold wrongly for the
    year [start, end) in the project's time zone: ranges of launch times to add (in the
    year, on a UTC day outside it) and to take back (on a UTC day of the year, outside it).
    Less than a day at either end, none when the time zone is UTC."""
    start, end = _bounds(fy)
    first = _utc_midnight(fy.starts_on)
    stop = _utc_midnight(fy.ends_on + timedelta(days=1))
    add, take = [], []
    if start < first:
        add.append((start, min(end, first)))
    if end > stop:
        add.append((max(start, stop), end))
    if first < start:
        take.append((first, min(stop, start)))
    if end < stop:
        take.append((max(first, end), stop))
    return add, take


def _launch_counts(fy: FiscalYear) -> dict[int, int]:
    """ONE query: the year's launches by whole days of cycle time, from the maintained
    counts (one row per day of cycle time), corrected at the year's edges in a time zone
    other than UTC by the milestones launched there (in the same query)."""
    rows = CycleTimeCount.objects.filter(fiscal_year=fy).order_by().values_list("days", "launches")
    add, take = _year_edges(fy)
    if add or take:

        def within(ranges):
            q = Q(pk__in=[])
            for low, high in ranges:
                q |= Q(launched_at__gte=low, launched_at__lt=high)
            return q

        vendor = connections[IdeaMilestone.objects.db].vendor
        table = IdeaMilestone._meta.db_table
        sql = readmodel.cycle_days_sql(f"{table}.launched_at", f"{table}.submitted_at", vendor)
        days = RawSQL(
            sql.replace("%", "%%"),  # SQLite's strftime('%s'): not a parameter
            (),
            output_field=IntegerField(),
        )
        sign = Case(
            When(within(add), then=Value(1)), default=Value(-1), output_field=IntegerField()
        )
        edges = IdeaMilestone.objects.filter(within(add) | within(take)).order_by()
        rows = rows.union(edges.annotate(d=days, n=sign).values_list("d", "n"), all=True)
    counts: dict[int, int] = {}
    for day, n in rows:
        counts[day] = counts.get(day, 0) + n
    return counts


_CYCLE_FRACTIONS = (0.5, 0.75)  # the median and the 75th percentile

# Two launches of the year in order of exact cycle time (ties by idea: the order of the
# PostgreSQL index ``milestone_cycle_time``), from a whole number of days on, after skipping
# some: params (year start, year end, that many days, how many to skip). One derived table
# per percentile (SQLite refuses LIMIT in the arms of a UNION). The value on PostgreSQL is
# the days as ``percentile_cont`` sees them (the numeric made a float); on SQLite the exact
# interval in microseconds.
_RANKS_SQL = {
    vendor: (
        f"SELECT * FROM (SELECT {{part}} AS part, {value} AS value "
        f"FROM {IdeaMilestone._meta.db_table} WHERE launched_at >= %s AND launched_at < %s "
        f"AND {cycle} >= %s ORDER BY {cycle}, idea_id LIMIT 2 OFFSET %s) AS part{{part}}"
    )
    for vendor, cycle, value in (
        (
            "postgresql",
            "(launched_at - submitted_at)",
            "(EXTRACT(EPOCH FROM (launched_at - submitted_at)) / 86400.0)::double precision",
        ),
        (
            "sqlite",
            "django_timestamp_diff(launched_at, submitted_at)",
            "django_timestamp_diff(launched_at, submitted_at)",
        ),
    )
}


def cycle_time_days(fy: FiscalYear) -> dict:
    """TWO queries (one when nothing launched), neither reading every launch of the year:
    the launches by whole days of cycle time (:func:`_launch_counts`, one row per day), and,
    for the median and the 75th percentile, the exact cycle times of the two launches each
    interpolates between: the day holding the lower rank is found from cumulative counts,
    and the year's launches are read in order of cycle time from that day on, skipping the
    ranks before it within the day (an index walk on PostgreSQL). Exactly the figures of
    :func:`cycle_time_days_scan`: the same values, the same interpolation (PostgreSQL's
    ``percentile_cont``; elsewhere ``statistics.median`` and :func:`percentile`)."""
    counts = _launch_counts(fy)
    launched = sum(counts.values())
    if not launched:
        return _cycle_figures(None, None, 0)
    wanted = []  # (fraction, position, day, ranks to skip within the day)
    for fraction in _CYCLE_FRACTIONS:
        position = fraction * (launched - 1)
        rank, before = int(position), 0
        for day in sorted(counts):
            if before + counts[day] > rank:
                wanted.append((fraction, position, day, rank - before))
                break
            before += counts[day]
    connection = connections[IdeaMilestone.objects.db]
    postgres = connection.vendor == "postgresql"
    start, end = (DateTimeField().get_db_prep_value(t, connection) for t in _bounds(fy))
    parts, params = [], []
    for i, (_, _, day, skip) in enumerate(wanted):
        parts.append(_RANKS_SQL[connection.vendor].format(part=i))
        floor = DurationField().get_db_prep_value(timedelta(days=day), connection)
        params += [start, end, floor, skip]
    found: dict[int, list[float]] = {i: [] for i in range(len(wanted))}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for part, days in cursor.fetchall():
            if not postgres:  # whole microseconds, made days as cycle_times() makes them
                days = timedelta(microseconds=days).total_seconds() / 86400
            found[part].append(days)
    figures = []
    for i, (fraction, position, _, _) in enumerate(wanted):
        pair = sorted(found[i])
        between = position > int(position)  # else the rank's own value
        low = pair[0]
        high = pair[1] if between else low
        if postgres:
            # percentile_cont: low + proportion * (high - low).
            figures.append(low + (position - int(position)) * (high - low))
        elif fraction == 0.5:
            # statistics.median: the middle value, or the mean of the middle two.
            figures.append((low + high) / 2 if between else low)
        else:
            figures.append(percentile([low, high], position - int(position)))
    return _cycle_figures(figures[0], figures[1], launched)


def _whole_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The UTC days lying wholly inside [start, end), as [first, stop)."""
    utc_start, utc_end = start.astimezone(UTC), end.astimezone(UTC)
    first = utc_start.date()
    if utc_start.time() != time.min:
        first += timedelta(days=1)
    return first, utc_end.date()


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def funnel_counts(fy: FiscalYear) -> dict[str, int]:
    """ONE query: of the ideas first submitted within the fiscal year, how many ever
    reached each step. The UTC days wholly inside the year come from ``FunnelDay``; the
    parts of a day at either edge (a year bounded by local midnights in a time zone other
    than UTC) from the milestones themselves, so the count is exact in any time zone."""
    start, end = _bounds(fy)
    first, stop = _whole_days(start, end)
    days = FunnelDay.objects.filter(day__gte=first, day__lt=stop).values_list(*FUNNEL_STEPS)
    # The partial days at either end; none when the year's bounds are UTC midnights (the
    # project in UTC): then no milestone is read at all.
    edge = Q()
    for low, high in ((start, _utc_midnight(first)), (_utc_midnight(stop), end)):
        if low < high:
            edge |= Q(submitted_at__gte=low, submitted_at__lt=high)
    flags = {
        f"n_{step}": Case(
            When(**{f"reached_{step}": True}, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for step in FUNNEL_STEPS
    }
    rows = days.order_by()
    if edge:
        edges = IdeaMilestone.objects.filter(edge).order_by().annotate(**flags)
        rows = rows.union(edges.values_list(*flags), all=True)
    totals = dict.fromkeys(FUNNEL_STEPS, 0)
    for row in rows:
        for step, n in zip(FUNNEL_STEPS, row, strict=True):
            totals[step] += n
    return totals


def funnel(fy: FiscalYear) -> list[dict]:
    """ONE query (:func:`funnel_counts`): the funnel's steps with the conversion from the
    step before and from submission (as fractions, None after an empty step)."""
    reached = funnel_counts(fy)
    labels = dict(Status.choices)
    rows, previous, first = [], None, None
    for status in FUNNEL:
        n = reached[status.value]
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


def portfolio(fy: FiscalYear, cells: list[Cell] | None = None) -> dict:
    """The portfolio figures of ``fy`` (Decimals for money; the API and the page render
    them with ``budgets.selectors.jsonable``). Five queries (four with ``cells`` given: the
    page reads them first to count the ranking's ideas; one fewer for a year without
    launches)."""
    cells = money_cells(fy) if cells is None else cells
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
    """ONE query: the value realised to date by the year's ideas (the dashboard's line),
    summed from the year's maintained cells (a few dozen rows, however many ideas the year
    funded) rather than from its entries."""
    sums = PortfolioCell.objects.filter(fiscal_year=fy).aggregate(
        gen=Sum("realised_generated"), prot=Sum("realised_protected")
    )
    return _money(sums["gen"]) + _money(sums["prot"])


def roi(realised: Decimal, spent: Decimal) -> Decimal | None:
    return (realised / spent).quantize(CENT, rounding=ROUND_HALF_UP) if spent else None


def ranked_ideas(fy: FiscalYear) -> QuerySet:
    """The year's entries by realised value, best first (then by idea), each with its idea's
    title and status: one index range of ``portfolio_entry_rank`` per page."""
    return (
        year_entries(fy)
        .select_related("idea")
        .only(
            "idea_id",
            "innovation_type",
            "horizon",
            "spent",
            "expected",
            "realised_generated",
            "realised_protected",
            "realised_total",
            "idea__title",
            "idea__status",
        )
        .order_by("-realised_total", "idea_id")
    )


def ranked_page(request, fy: FiscalYear, per_page: int, *, count: int | None = None):
    """The page of :func:`ranked_ideas` named by ``?page=``. ``count`` (the year's ideas,
    known from the money cells) spares the paginator its COUNT query."""
    paginator = Paginator(ranked_ideas(fy), per_page)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not queried
    return paginator.get_page(request.GET.get("page"))


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
