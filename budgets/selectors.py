"""Reads of the budgets app. :func:`fiscal_year_summary` is the ONE computation of a fiscal
year's money, a typed :class:`BudgetSummary` built from named parts (totals, splits, the
spend series and its forecast, alerts). The executive dashboard, its CSV export and
``GET /api/v1/budgets/fiscal-years/{id}/summary/`` show it, with the parts that read other
apps (funnel, top ideas, ideas without an owner) added by ``insights.dashboard``.

Definitions (docs/budgets.md says the same):
- innovation budget = marketing budget * target % / 100, rounded half-up to the cent;
- committed = sum of committed allocations; spent = sum of spend of the year's allocations;
- "new only" (the strict definition) counts ideas whose innovation type a manager confirmed
  and which is not optimization (``budgets.models.new_only_q``); money committed to ideas
  whose type is not confirmed yet is shown apart (``committed_unconfirmed``);
- by horizon: committed money per horizon against the fiscal year's ``horizon_targets``
  (whole percentages of the innovation budget);
- every ``*_pct`` is a percentage of the marketing budget, except ``spent_of_innovation_pct``
  and ``elapsed_pct``; percentages are rounded half-up to 2 places (Decimal, never float);
- behind pace: spent as a % of the innovation budget is more than ``PACE_TOLERANCE_POINTS``
  percentage points below the % of the fiscal year elapsed (days elapsed including today /
  days in the year);
- committing on pace (the dashboard's headline): committed as a % of the innovation budget is
  no more than ``PACE_TOLERANCE_POINTS`` points below the % of the year elapsed, i.e. the
  money is being committed at least about as fast as the year goes by;
- forecast: linear extrapolation of the average daily spend over the last
  ``FORECAST_WINDOW_DAYS`` days of snapshots (the latest snapshot and the earliest one inside
  the window) from the latest snapshot to ``ends_on``; null with fewer than 2 snapshots.
"""

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from budgets.committed import committed_sets, use_maintained
from budgets.models import HORIZONS, Allocation, BudgetSnapshot, FiscalYear
from ideas.models import Horizon, InnovationType
from journeys.models import Cycle

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PACE_TOLERANCE_POINTS = Decimal("10")
FORECAST_WINDOW_DAYS = 30


def pct(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, rounded half-up to 2 places (0 if whole is 0)."""
    if not whole:
        return ZERO
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def default_fiscal_year(years: list[FiscalYear], today: date | None = None) -> FiscalYear | None:
    """Of ``years`` (newest first, as a page lists them anyway), the one containing today,
    else the most recent one; None when there are none."""
    today = today or timezone.localdate()
    current = next((fy for fy in years if fy.starts_on <= today <= fy.ends_on), None)
    return current or (years[0] if years else None)


@dataclass(frozen=True)
class FiscalYearRef:
    id: int
    label: str
    starts_on: date
    ends_on: date
    currency: str

    @classmethod
    def of(cls, fy: FiscalYear) -> "FiscalYearRef":
        return cls(
            id=fy.pk,
            label=fy.label,
            starts_on=fy.starts_on,
            ends_on=fy.ends_on,
            currency=fy.currency,
        )


@dataclass(frozen=True)
class Totals:
    """The headline figures; every ``*_pct`` is of the marketing budget unless named
    otherwise (see the module docstring)."""

    marketing_budget: Decimal
    target_pct: Decimal
    innovation_budget: Decimal
    committed: Decimal
    spent: Decimal
    remaining: Decimal
    unspent: Decimal
    committed_pct: Decimal
    spent_pct: Decimal
    committed_new_only: Decimal
    committed_new_only_pct: Decimal
    spent_new_only: Decimal
    spent_new_only_pct: Decimal
    remaining_new_only: Decimal
    committed_unconfirmed: Decimal
    spent_of_innovation_pct: Decimal
    elapsed_pct: Decimal
    allocations: int
    committed_of_innovation_pct: Decimal
    commit_on_pace: bool


@dataclass(frozen=True)
class SplitRow:
    key: str | int
    label: str
    amount: Decimal
    allocations: int
    share_pct: Decimal
    of_marketing_pct: Decimal


@dataclass(frozen=True)
class HorizonRow:
    """Committed money of one horizon against its target (a % of the innovation budget)."""

    key: str
    label: str
    amount: Decimal
    allocations: int
    of_innovation_pct: Decimal
    target_pct: Decimal
    target_amount: Decimal


@dataclass(frozen=True)
class Splits:
    by_innovation_type: list[SplitRow]
    by_cycle: list[SplitRow]
    by_campaign: list[SplitRow]
    by_horizon: list[HorizonRow]


@dataclass(frozen=True)
class SnapshotPoint:
    date: date
    committed: Decimal
    spent: Decimal
    committed_new_only: Decimal
    spent_new_only: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class Forecast:
    method: str
    from_date: date
    window_start: date
    daily_spend: Decimal
    year_end_date: date
    year_end_spent: Decimal


@dataclass(frozen=True)
class Alert:
    code: str
    level: str  # "bad" | "warn"
    message: str


@dataclass(frozen=True)
class BudgetSummary:
    fiscal_year: FiscalYearRef
    as_of: date
    totals: Totals
    splits: Splits
    spend_over_time: list[SnapshotPoint] = field(default_factory=list)
    forecast: Forecast | None = None
    alerts: list[Alert] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The flat mapping the API, CSV and page scripts use (field names are the API's)."""
        splits = self.splits
        return {
            "fiscal_year": row_dict(self.fiscal_year),
            "as_of": self.as_of,
            **row_dict(self.totals),
            **{
                name: [row_dict(row) for row in getattr(splits, name)]
                for name in ("by_innovation_type", "by_cycle", "by_campaign", "by_horizon")
            },
            "alerts": [row_dict(a) for a in self.alerts],
            "spend_over_time": [row_dict(p) for p in self.spend_over_time],
            "forecast": row_dict(self.forecast) if self.forecast else None,
        }


def row_dict(row) -> dict:
    """A flat dataclass (every field a str, number, bool, Decimal, date or None) as a dict:
    what ``dataclasses.asdict`` gives, without its recursive deep copy of every value (the
    summary's daily snapshot points made it the dashboard's largest Python cost)."""
    return dict(vars(row))


def _split(rows, key: str, labels: dict, committed: Decimal, marketing: Decimal) -> list[SplitRow]:
    out = []
    for row in rows:
        amount = money(row["amount"])
        value = row[key]
        out.append(
            SplitRow(
                key=value if value is not None else "none",
                label=labels.get(value, value) if value is not None else "Not placed",
                amount=amount,
                allocations=row["n"],
                share_pct=pct(amount, committed),
                of_marketing_pct=pct(amount, marketing),
            )
        )
    return out


# The grouping each split (and the totals, by type) is rolled up from.
SPLIT_FIELDS = {
    "idea__innovation_type": "idea__innovation_type",
    "idea__type_confirmed": "idea__innovation_type",
    "idea__horizon": "idea__horizon",
    "idea__stage__cycle": "idea__stage__cycle",
    "idea__campaign_id": "idea__campaign_id",
}


def in_set(groups: list[dict], field: str) -> list[dict]:
    """The groups that split by ``field``: every group of the full cross product (no
    ``"set"`` key), or the groups of that grouping set."""
    wanted = SPLIT_FIELDS[field]
    return [g for g in groups if g.get("set", wanted) == wanted]


def _rollup(groups: list[dict], field: str, order_by: dict | None = None) -> list[dict]:
    """Sum ``amount`` and ``n`` of ``groups`` per ``field``; largest amount first, then by
    the field's value (or ``order_by[value]``), "none" last."""
    out: dict = {}
    for g in in_set(groups, field):
        row = out.setdefault(g[field], {field: g[field], "amount": ZERO, "n": 0})
        row["amount"] += g["amount"]
        row["n"] += g["n"]

    def key(row):
        value = row[field]
        label = order_by.get(value) if order_by is not None else value
        return (-row["amount"], value is None, label or "", value or 0)

    return sorted(out.values(), key=key)


def committed_groups(fy: FiscalYear) -> list[dict]:
    """ONE grouped read of the committed allocations (by type x confirmed x horizon x cycle
    x campaign: a few thousand rows at most) that the totals and the four splits are rolled
    up from; sums of Decimals are exact, so this equals separate SUM queries over the same
    rows.

    On PostgreSQL it reads the maintained groups (``budgets.CommittedMoney``, kept by
    triggers in the same transaction as the allocations, their spend and the ideas' changes
    of group) instead of joining every committed allocation to its idea, already rolled up
    per split (``budgets.committed.committed_sets``: ~170 rows, each with its ``"set"``). ``spent`` is the
    maintained ``Allocation.spent``: no spend row is read. Only committed allocations carry
    spend (one with spend cannot be released), so this is all of it."""
    if use_maintained():
        return committed_sets(fy)
    return list(
        Allocation.objects.filter(fiscal_year=fy)
        .committed()
        .order_by()
        .values(
            "idea__innovation_type",
            "idea__type_confirmed",
            "idea__horizon",
            "idea__stage__cycle",
            "idea__campaign_id",
            "idea__campaign__title",
        )
        .annotate(amount=Sum("amount"), spent=Sum("spent"), n=Count("id"))
    )


def totals(fy: FiscalYear, groups: list[dict], *, today: date) -> Totals:
    """The headline figures from the committed groups (no query)."""
    marketing = fy.marketing_budget
    innovation = fy.innovation_budget
    groups = in_set(groups, "idea__innovation_type")
    committed = money(sum((g["amount"] for g in groups), ZERO))
    # The strict figure: the same rule as ``new_only_q``, applied to the groups.
    new = [
        g
        for g in groups
        if g["idea__innovation_type"] != InnovationType.OPTIMIZATION and g["idea__type_confirmed"]
    ]
    committed_new = money(sum((g["amount"] for g in new), ZERO))
    committed_unconfirmed = money(
        sum((g["amount"] for g in groups if not g["idea__type_confirmed"]), ZERO)
    )
    spent = money(sum((g["spent"] for g in groups), ZERO))
    spent_new = money(sum((g["spent"] for g in new), ZERO))
    days_total = (fy.ends_on - fy.starts_on).days + 1
    days_elapsed = min(max((today - fy.starts_on).days + 1, 0), days_total)
    elapsed = pct(Decimal(days_elapsed), Decimal(days_total))
    committed_of_innovation = pct(committed, innovation)
    return Totals(
        marketing_budget=money(marketing),
        target_pct=money(fy.innovation_target_pct),
        innovation_budget=innovation,
        committed=committed,
        spent=spent,
        remaining=innovation - committed,
        unspent=committed - spent,
        committed_pct=pct(committed, marketing),
        spent_pct=pct(spent, marketing),
        committed_new_only=committed_new,
        committed_new_only_pct=pct(committed_new, marketing),
        spent_new_only=spent_new,
        spent_new_only_pct=pct(spent_new, marketing),
        remaining_new_only=innovation - committed_new,
        committed_unconfirmed=committed_unconfirmed,
        spent_of_innovation_pct=pct(spent, innovation),
        elapsed_pct=elapsed,
        allocations=sum(g["n"] for g in groups),
        committed_of_innovation_pct=committed_of_innovation,
        commit_on_pace=committed_of_innovation >= elapsed - PACE_TOLERANCE_POINTS,
    )


def by_horizon(fy: FiscalYear, groups: list[dict]) -> list[HorizonRow]:
    """Committed money per horizon, in horizon order, against the fiscal year's targets
    (every horizon listed, with or without money). No query."""
    innovation = fy.innovation_budget
    targets = fy.horizon_targets or {}
    rolled = {row["idea__horizon"]: row for row in _rollup(groups, "idea__horizon")}
    labels = {h.value: h.label.split(":")[0] for h in Horizon}
    out = []
    for key in HORIZONS:
        row = rolled.get(key, {"amount": ZERO, "n": 0})
        target = Decimal(targets.get(key, 0))
        amount = money(row["amount"])
        out.append(
            HorizonRow(
                key=key,
                label=labels[key],
                amount=amount,
                allocations=row["n"],
                of_innovation_pct=pct(amount, innovation),
                target_pct=money(target),
                target_amount=money(innovation * target / 100),
            )
        )
    return out


def splits(groups: list[dict], *, committed: Decimal, marketing: Decimal, fy: FiscalYear) -> Splits:
    """Committed money by innovation type, journey cycle, campaign and horizon (no query)."""
    titles = {
        g["idea__campaign_id"]: g["idea__campaign__title"]
        for g in in_set(groups, "idea__campaign_id")
    }
    by_campaign = [
        SplitRow(**{**asdict(row), "label": "Open idea box (no campaign)"})
        if row.key == "none"
        else row
        for row in _split(
            _rollup(groups, "idea__campaign_id", order_by=titles),
            "idea__campaign_id",
            titles,
            committed,
            marketing,
        )
    ]
    return Splits(
        by_innovation_type=_split(
            _rollup(groups, "idea__innovation_type"),
            "idea__innovation_type",
            dict(InnovationType.choices),
            committed,
            marketing,
        ),
        by_cycle=_split(
            _rollup(groups, "idea__stage__cycle"),
            "idea__stage__cycle",
            dict(Cycle.choices),
            committed,
            marketing,
        ),
        by_campaign=by_campaign,
        by_horizon=by_horizon(fy, groups),
    )


def spend_series(fy: FiscalYear) -> list[SnapshotPoint]:
    """The daily snapshots with the remaining budget (burn-down). One query."""
    innovation = fy.innovation_budget
    return [
        SnapshotPoint(**s, remaining=money(innovation - s["spent"]))
        for s in BudgetSnapshot.objects.filter(fiscal_year=fy)
        .order_by("date")
        .values("date", "committed", "spent", "committed_new_only", "spent_new_only")
    ]


def forecast(fy: FiscalYear, series: list[SnapshotPoint]) -> Forecast | None:
    if len(series) < 2:
        return None
    last = series[-1]
    window_start = date.fromordinal(last.date.toordinal() - FORECAST_WINDOW_DAYS)
    first = next(s for s in series if s.date >= window_start)
    if first is last:
        first = series[-2]
    days = (last.date - first.date).days
    daily = (last.spent - first.spent) / days
    days_left = max((fy.ends_on - last.date).days, 0)
    return Forecast(
        method=(
            f"Linear: average daily spend between {first.date} and {last.date} "
            f"(snapshots), extended from {last.date} to {fy.ends_on}."
        ),
        from_date=last.date,
        window_start=first.date,
        daily_spend=money(daily),
        year_end_date=fy.ends_on,
        year_end_spent=money(last.spent + daily * days_left),
    )


def alerts(fy: FiscalYear, t: Totals) -> list[Alert]:
    """Over target, behind pace (see the module docstring), and money on ideas whose type
    is not confirmed (left out of the strict figure until a manager confirms it)."""
    out = []
    if t.committed_unconfirmed:
        out.append(
            Alert(
                code="unconfirmed_type",
                level="warn",
                message=(
                    f"{t.committed_unconfirmed} {fy.currency} is committed to ideas whose "
                    "innovation type is not confirmed: the new-only figure leaves it out until "
                    "a manager confirms the type."
                ),
            )
        )
    if t.committed > t.innovation_budget:
        out.append(
            Alert(
                code="over_target",
                level="bad",
                message=(
                    f"Over target: {t.committed_pct}% of the marketing budget is committed, "
                    f"above the {fy.innovation_target_pct}% target "
                    f"({t.committed - t.innovation_budget} {fy.currency} over)."
                ),
            )
        )
    behind = t.spent_of_innovation_pct < t.elapsed_pct - PACE_TOLERANCE_POINTS
    if t.elapsed_pct and behind:
        out.append(
            Alert(
                code="behind_pace",
                level="warn",
                message=(
                    f"Behind pace: {t.spent_of_innovation_pct}% of the innovation budget is "
                    f"spent with {t.elapsed_pct}% of the year elapsed (more than "
                    f"{PACE_TOLERANCE_POINTS} points behind)."
                ),
            )
        )
    return out


def fiscal_year_summary(fiscal_year: FiscalYear, *, today: date | None = None) -> BudgetSummary:
    """The money of ``fiscal_year``: 3 queries (committed allocations grouped by type x
    cycle x campaign, spent totals, snapshots), all aggregations in the database.
    Money values are Decimals with 2 places; see the module docstring for the definitions."""
    fy = fiscal_year
    today = today or timezone.localdate()
    groups = committed_groups(fy)
    t = totals(fy, groups, today=today)
    series = spend_series(fy)
    return BudgetSummary(
        fiscal_year=FiscalYearRef.of(fy),
        as_of=today,
        totals=t,
        splits=splits(groups, committed=t.committed, marketing=fy.marketing_budget, fy=fy),
        spend_over_time=series,
        forecast=forecast(fy, series),
        alerts=alerts(fy, t),
    )


@dataclass(frozen=True)
class Headline:
    """A fiscal year's headline figures and alerts (the home page's block)."""

    fiscal_year: FiscalYearRef
    totals: Totals
    alerts: list[Alert]


def fiscal_year_headline(fiscal_year: FiscalYear, *, today: date | None = None) -> Headline:
    """The totals and alerts of :func:`fiscal_year_summary` alone: ONE query (the committed
    groups), without the splits' rows and the daily snapshot series."""
    fy = fiscal_year
    t = totals(fy, committed_groups(fy), today=today or timezone.localdate())
    return Headline(
        fiscal_year=FiscalYearRef.of(fy),
        totals=t,
        alerts=alerts(fy, t),
    )


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
