"""Panel accuracy: did the panels' scores predict how the experiments went?

Over the ideas that have a decided experiment and a panel score, pair each idea's latest
panel result (``IdeaScore.objects.latest_per_idea``) with the attainment of its latest
decided experiment (``outcomes.selectors.with_latest_attainment``), and report Spearman's
rank correlation between attainment and
- the overall score;
- each signal's calibrated score;
- each function's mean: the mean over signals of that function's reviewers' calibrated
  means (``IdeaScore.function_means``), on the ideas that function scored.

Each figure has its own ``n`` (the pairs where both values exist). Below ``MIN_N`` pairs a
figure is reported but marked too few to read.

Suggested weights: the scorecard's total weight shared among its signals in proportion to
their positive correlations (rho <= 0, or too few pairs, gets 0). docs/insights.md works an
example by hand.
"""

from collections import defaultdict
from math import sqrt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.outbox import enqueue
from ideas.models import Idea
from insights.models import AccuracySnapshot
from outcomes.models import Experiment
from outcomes.selectors import with_latest_attainment
from scoring.models import IdeaScore, ScorecardSignal, SignalResult

MIN_N = 8
RHO_PLACES = 4
SNAPSHOT_KEY = "panel"


def average_ranks(values: list[float]) -> list[float]:
    """1-based ranks of ``values``; tied values share the mean of the ranks they span
    (``[10, 20, 20, 30]`` → ``[1, 2.5, 2.5, 4]``)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        shared = (i + j) / 2 + 1  # mean of the 1-based positions i+1 .. j+1
        for k in range(i, j + 1):
            ranks[order[k]] = shared
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rho: Pearson's correlation of the average ranks (correct with ties, where
    the ``1 - 6 Σd² / n(n² - 1)`` shortcut is not). None with fewer than 2 pairs or when
    either side is constant (no ranking to compare)."""
    if len(xs) != len(ys):
        raise ValueError("spearman needs pairs")
    n = len(xs)
    if n < 2:
        return None
    rx, ry = average_ranks(xs), average_ranks(ys)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / sqrt(sxx * syy)


def _figure(pairs: list[tuple[float, float]]) -> dict:
    rho = spearman([p[0] for p in pairs], [p[1] for p in pairs])
    return {
        "rho": None if rho is None else round(rho, RHO_PLACES),
        "n": len(pairs),
        "enough": len(pairs) >= MIN_N,
    }


def suggested_weights(signals: list[dict], weights: dict[str, float]) -> dict[str, float]:
    """``weights`` (the scorecard's ``{signal: weight}``) shared out again in proportion to
    each signal's positive rho; a signal with rho <= 0, no rho or fewer than MIN_N pairs
    gets 0. Rounded to 2 places, the rounding remainder given to the largest weight so the
    sum stays the scorecard's total. Empty when no signal correlates positively."""
    total = round(sum(weights.values()), 2)
    positive = {
        s["signal"]: s["rho"]
        for s in signals
        if s["signal"] in weights and s["enough"] and s["rho"] is not None and s["rho"] > 0
    }
    if not positive:
        return {}
    mass = sum(positive.values())
    out = {key: round(total * positive.get(key, 0) / mass, 2) for key in weights}
    largest = max(out, key=lambda k: (out[k], k))
    out[largest] = round(out[largest] + total - sum(out.values()), 2)
    return out


def accuracy_compute() -> dict:
    """The figures, as JSON-ready data (without ``computed_at``). Four queries: the ideas
    with a decided experiment and its attainment, their latest panel results, those
    results' signal rows, and the default scorecard's weights."""
    decided = Experiment.objects.decided().filter(idea=OuterRef("pk"))
    # 1. Attainment of each idea's latest decided experiment.
    attainment = {
        row["pk"]: row["attainment"]
        for row in with_latest_attainment(Idea.objects.filter(Exists(decided)))
        .order_by()
        .values("pk", "attainment")
        if row["attainment"] is not None
    }
    # 2. Their latest panel results.
    results = list(
        IdeaScore.objects.latest_per_idea()
        .filter(idea_id__in=list(attainment))
        .values("pk", "idea_id", "overall", "function_means")
    )
    by_result = {r["pk"]: r for r in results}
    # 3. The calibrated score of every signal of those results.
    signal_pairs: dict[str, list] = defaultdict(list)
    for row in SignalResult.objects.filter(idea_score_id__in=list(by_result)).values(
        "idea_score_id", "signal__key", "calibrated"
    ):
        idea = by_result[row["idea_score_id"]]["idea_id"]
        signal_pairs[row["signal__key"]].append((row["calibrated"], attainment[idea]))
    function_pairs: dict[str, list] = defaultdict(list)
    for r in results:
        for function, means in (r["function_means"] or {}).items():
            values = [v for v in (means or {}).values() if v is not None]
            if values:
                function_pairs[function].append(
                    (sum(values) / len(values), attainment[r["idea_id"]])
                )
    overall = [(r["overall"], attainment[r["idea_id"]]) for r in results]
    signals = [{"signal": key, **_figure(pairs)} for key, pairs in sorted(signal_pairs.items())]
    functions = [
        {"function": key, **_figure(pairs)} for key, pairs in sorted(function_pairs.items())
    ]
    # 4. The default scorecard's weights (the scorecard new rounds start from).
    rows = list(
        ScorecardSignal.objects.filter(scorecard__is_default=True).select_related(
            "scorecard", "signal"
        )
    )
    scorecard = rows[0].scorecard if rows else None
    weights = {row.signal.key: float(row.weight) for row in rows}
    return {
        "n": len(overall),
        "min_n": MIN_N,
        "overall": _figure(overall),
        "signals": signals,
        "functions": functions,
        "scorecard": (
            {"id": scorecard.pk, "name": scorecard.name, "weights": weights} if scorecard else None
        ),
        "suggested_weights": suggested_weights(signals, weights),
    }


def accuracy_refresh() -> AccuracySnapshot:
    """Compute the figures and store them in the one snapshot row (an upsert)."""
    data = accuracy_compute()
    snapshot, _ = AccuracySnapshot.objects.update_or_create(
        key=SNAPSHOT_KEY, defaults={"data": data, "computed_at": timezone.now()}
    )
    return snapshot


def latest_snapshot() -> AccuracySnapshot | None:
    return AccuracySnapshot.objects.filter(key=SNAPSHOT_KEY).first()


def latest_figures() -> dict:
    """The stored figures with ``computed_at`` (ONE query); before the first computation,
    empty figures with ``computed_at`` None."""
    snapshot = latest_snapshot()
    if snapshot is None:
        return {
            "n": 0,
            "min_n": MIN_N,
            "overall": {"rho": None, "n": 0, "enough": False},
            "signals": [],
            "functions": [],
            "scorecard": None,
            "suggested_weights": {},
            "computed_at": None,
        }
    return {**snapshot.data, "computed_at": snapshot.computed_at}


def queue_refresh(experiment_id: int | None = None) -> None:
    """The outcomes decision listener (called once the decision has committed): queue a
    recompute through the outbox, the one way tasks are queued."""
    from insights.tasks import compute_accuracy_task

    enqueue(compute_accuracy_task)
