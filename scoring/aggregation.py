"""Panel-score aggregation with rater calibration (DESIGN.md "scoring"; docs/scoring.md).

Everything per score is computed by set-based SQL in the database (CTEs, GROUP BY and a
window function); Python only assembles the per-idea rows the SQL returns (a handful of rows
per idea and signal, never one per score). The same SQL runs on SQLite and PostgreSQL:

* population variance is ``AVG(x*x) - AVG(x)*AVG(x)`` (neither engine has a portable
  ``VAR_POP`` — SQLite has none), clamped at 0 against rounding, and ``SQRT`` is built into
  PostgreSQL and registered by Django on every SQLite connection;
* stored numbers are rounded to 9 decimals in SQL (``ROUND(CAST(.. AS NUMERIC), 9)``) so the
  order rows were inserted in, or the engine, cannot change a rank or a ``>=`` through a
  last-bit difference in a floating-point sum.

The write is idempotent: IdeaScore and SignalResult rows are upserted on their unique keys
and rows for ideas no longer scored are deleted, all in one transaction, so a rerun over the
same scores leaves identical rows (same ids, same values).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from scoring.models import (
    Assignment,
    IdeaScore,
    ReviewRound,
    Score,
    ScorecardSignal,
    Signal,
    SignalResult,
)

# Variances below this are treated as zero (integer scores make a real spread far larger).
EPS = 1e-9
# A signal is contested when function means differ by at least this much (DESIGN.md).
CONTESTED_SPREAD = 1.5
SCALE_MIN, SCALE_MAX = 1.0, 5.0


def _r(expr: str) -> str:
    """Round a float expression to 9 decimals, identically on SQLite and PostgreSQL."""
    return f"ROUND(CAST({expr} AS NUMERIC), 9)"


def _sd(var: str) -> str:
    return f"SQRT(CASE WHEN {var} > {EPS} THEN {var} ELSE 0 END)"


def _sql() -> str:
    score, assignment, user, weight = (
        Score._meta.db_table,
        Assignment._meta.db_table,
        User._meta.db_table,
        ScorecardSignal._meta.db_table,
    )
    # %(round)s and %(scorecard)s are bound parameters.
    return f"""
WITH sc AS (
    -- every score of the round on a signal of the round's scorecard, as a float
    SELECT a.idea_id AS idea_id, a.reviewer_id AS reviewer_id,
           COALESCE(NULLIF(u.function, ''), 'other') AS func,
           s.signal_id AS signal_id, CAST(w.weight AS DOUBLE PRECISION) AS weight,
           CAST(s.value AS DOUBLE PRECISION) AS x
    FROM {score} s
    JOIN {assignment} a ON a.id = s.assignment_id
    JOIN {user} u ON u.id = a.reviewer_id
    JOIN {weight} w ON w.signal_id = s.signal_id AND w.scorecard_id = %(scorecard)s
    WHERE a.round_id = %(round)s
),
g AS (
    -- G_s and the population variance behind S_s, per signal over the whole round
    SELECT signal_id, AVG(x) AS g_mean, AVG(x * x) - AVG(x) * AVG(x) AS g_var
    FROM sc GROUP BY signal_id
),
gs AS (
    SELECT signal_id, g_mean,
           CASE WHEN g_var > {EPS} THEN {_sd("g_var")} ELSE 1.0 END AS g_sd
    FROM g
),
r AS (
    -- m_rs, sd_rs, n_rs: each reviewer's own mean, spread and count per signal
    SELECT reviewer_id, signal_id, AVG(x) AS m, AVG(x * x) - AVG(x) * AVG(x) AS v, COUNT(*) AS n
    FROM sc GROUP BY reviewer_id, signal_id
),
z AS (
    -- z against the reviewer's own habits when there is enough of them, else the round's
    SELECT sc.idea_id, sc.reviewer_id, sc.func, sc.signal_id, sc.weight, sc.x,
           gs.g_mean, gs.g_sd,
           CASE WHEN r.n >= 3 AND r.v > {EPS} THEN (sc.x - r.m) / {_sd("r.v")}
                ELSE (sc.x - gs.g_mean) / gs.g_sd END AS z
    FROM sc
    JOIN gs ON gs.signal_id = sc.signal_id
    JOIN r ON r.reviewer_id = sc.reviewer_id AND r.signal_id = sc.signal_id
),
per_signal AS (
    -- R_is, C_is (clamped) and the agreement (population SD of the raw scores)
    SELECT idea_id, signal_id, MAX(weight) AS weight, COUNT(*) AS n,
           AVG(x) AS raw,
           AVG(x * x) - AVG(x) * AVG(x) AS raw_var,
           MAX(g_mean) + MAX(g_sd) * AVG(z) AS cal_unclamped
    FROM z GROUP BY idea_id, signal_id
),
per_signal_c AS (
    SELECT idea_id, signal_id, weight, n, raw, raw_var,
           CASE WHEN cal_unclamped < {SCALE_MIN} THEN {SCALE_MIN}
                WHEN cal_unclamped > {SCALE_MAX} THEN {SCALE_MAX}
                ELSE cal_unclamped END AS cal
    FROM per_signal
),
per_idea AS (
    -- overall = sum(w * C) / sum(w); reviewers and their distinct functions
    SELECT p.idea_id,
           {_r("SUM(p.weight * p.cal) / SUM(p.weight)")} AS overall,
           MIN({_r("p.cal")}) AS min_cal,
           COUNT(*) AS signal_count
    FROM per_signal_c p GROUP BY p.idea_id
),
people AS (
    SELECT idea_id, COUNT(DISTINCT reviewer_id) AS reviewers, COUNT(DISTINCT func) AS functions
    FROM sc GROUP BY idea_id
),
ranked AS (
    SELECT i.idea_id, i.overall, i.min_cal, i.signal_count, p.reviewers, p.functions,
           ROW_NUMBER() OVER (ORDER BY i.overall DESC, p.reviewers DESC, i.idea_id) AS rnk
    FROM per_idea i JOIN people p ON p.idea_id = i.idea_id
)
SELECT k.idea_id, k.rnk, k.overall, k.min_cal, k.signal_count, k.reviewers, k.functions,
       s.signal_id, {_r("s.raw")}, {_r("s.cal")}, {_r(_sd("s.raw_var"))}, s.n
FROM ranked k JOIN per_signal_c s ON s.idea_id = k.idea_id
ORDER BY k.rnk, s.signal_id
"""


def _function_sql() -> str:
    # Per-function means of each reviewer's unclamped calibrated value c_irs = G_s + S_s * z,
    # reusing the CTEs above (everything up to and including "z").
    full = _sql()
    head = full[: full.index("per_signal AS (")].rstrip().rstrip(",")
    return f"""{head}
SELECT idea_id, func, signal_id, {_r("AVG(g_mean + g_sd * z)")} AS mean
FROM z GROUP BY idea_id, func, signal_id
ORDER BY idea_id, func, signal_id
"""


@dataclass(frozen=True)
class SignalRow:
    signal_id: int
    raw: float
    calibrated: float
    sd: float
    n: int


@dataclass
class IdeaRow:
    idea_id: int
    rank: int
    overall: float
    min_calibrated: float
    signal_count: int
    reviewers: int
    functions: int
    signals: list[SignalRow]


def _f(value) -> float:
    # PostgreSQL returns NUMERIC as Decimal; SQLite a float or an int.
    return float(value) if isinstance(value, Decimal | int) else value


def compute(round: ReviewRound) -> tuple[list[IdeaRow], dict[int, dict[str, dict[int, float]]]]:
    """Run the SQL: per-idea rows (ranked, with per-signal rows) and function means
    ``{idea_id: {function: {signal_id: mean}}}``. Reads only; writes nothing."""
    params = {"round": round.pk, "scorecard": round.scorecard_id}
    ideas: dict[int, IdeaRow] = {}
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        for (
            idea_id,
            rank,
            overall,
            min_cal,
            signal_count,
            reviewers,
            functions,
            signal_id,
            raw,
            cal,
            sd,
            n,
        ) in cursor.fetchall():
            row = ideas.get(idea_id)
            if row is None:
                row = ideas[idea_id] = IdeaRow(
                    idea_id=idea_id,
                    rank=int(rank),
                    overall=_f(overall),
                    min_calibrated=_f(min_cal),
                    signal_count=int(signal_count),
                    reviewers=int(reviewers),
                    functions=int(functions),
                    signals=[],
                )
            row.signals.append(SignalRow(signal_id, _f(raw), _f(cal), _f(sd), int(n)))
        cursor.execute(_function_sql(), params)
        means: dict[int, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
        for idea_id, func, signal_id, mean in cursor.fetchall():
            means[idea_id][func][signal_id] = _f(mean)
    return sorted(ideas.values(), key=lambda r: r.rank), means


def _contested(
    means: dict[str, dict[int, float]], keys: dict[int, str], names: dict[int, str]
) -> tuple[bool, str]:
    """The widest function split over all signals; contested if it is >= 1.5."""
    best: tuple[float, str] | None = None
    for signal_id in sorted(keys):
        values = [(m[signal_id], f) for f, m in means.items() if signal_id in m]
        if len(values) < 2:
            continue
        (lo, lo_f), (hi, hi_f) = min(values), max(values)
        spread = round(hi - lo, 9)
        reason = f"{names[signal_id]}: {hi_f} {hi:.2f} vs {lo_f} {lo:.2f} (spread {spread:.2f})"
        if best is None or spread > best[0]:
            best = (spread, reason)
    if best is None:
        return False, ""
    return best[0] >= CONTESTED_SPREAD, best[1]


def _gate(row: IdeaRow, scorecard, signal_count: int) -> tuple[bool, str]:
    threshold = float(scorecard.gate_threshold)
    missing = []
    if row.signal_count < signal_count:
        missing.append(f"only {row.signal_count} of {signal_count} signals scored")
    if row.min_calibrated < threshold:
        missing.append(f"a calibrated signal score {row.min_calibrated:.2f} is below {threshold:g}")
    if row.reviewers < scorecard.min_reviews:
        missing.append(f"{row.reviewers} reviewers, {scorecard.min_reviews} needed")
    if row.functions < scorecard.min_functions:
        missing.append(f"{row.functions} functions, {scorecard.min_functions} needed")
    if missing:
        return False, "Fails the gate: " + "; ".join(missing) + "."
    return True, f"Passes: every calibrated signal score is at least {threshold:g}."


@transaction.atomic
def aggregate(round_id: int) -> int:
    """Compute and store the results of a round. Returns the number of ideas scored."""
    # Lock the round row: two runs of the same round (a redelivered task, a recompute) write
    # one after the other, never interleaved.
    round = ReviewRound.objects.select_for_update().select_related("scorecard").get(pk=round_id)
    signals = {
        s.pk: s for s in Signal.objects.filter(scorecards=round.scorecard).order_by("order", "id")
    }
    keys = {pk: s.key for pk, s in signals.items()}
    names = {pk: s.name for pk, s in signals.items()}
    rows, function_means = compute(round)
    now = timezone.now()
    idea_scores = []
    for row in rows:
        means = function_means.get(row.idea_id, {})
        contested, contested_reason = _contested(means, keys, names)
        passes, gate_reason = _gate(row, round.scorecard, len(signals))
        idea_scores.append(
            IdeaScore(
                round=round,
                idea_id=row.idea_id,
                overall=row.overall,
                passes_gate=passes,
                contested=contested,
                reviewers=row.reviewers,
                functions=row.functions,
                rank=row.rank,
                function_means={
                    func: {keys[sid]: value for sid, value in sorted(per.items())}
                    for func, per in sorted(means.items())
                },
                gate_reason=gate_reason[:300],
                contested_reason=(contested_reason if contested else "")[:300],
                computed_at=now,
            )
        )
    fields = [
        "overall",
        "passes_gate",
        "contested",
        "reviewers",
        "functions",
        "rank",
        "function_means",
        "gate_reason",
        "contested_reason",
        "computed_at",
    ]
    IdeaScore.objects.filter(round=round).exclude(idea_id__in=[r.idea_id for r in rows]).delete()
    IdeaScore.objects.bulk_create(
        idea_scores, update_conflicts=True, unique_fields=["round", "idea"], update_fields=fields
    )
    ids = dict(IdeaScore.objects.filter(round=round).values_list("idea_id", "id"))
    results = [
        SignalResult(
            idea_score_id=ids[row.idea_id],
            signal_id=s.signal_id,
            raw=s.raw,
            calibrated=s.calibrated,
            sd=s.sd,
            n=s.n,
        )
        for row in rows
        for s in row.signals
    ]
    # Results for a signal nobody scores any more on that idea (set-based, no loop).
    scored = Score.objects.filter(
        assignment__round=round,
        assignment__idea=OuterRef("idea_score__idea"),
        signal=OuterRef("signal"),
    )
    SignalResult.objects.filter(idea_score__round=round).filter(
        ~Q(signal_id__in=list(signals)) | ~Exists(scored)
    ).delete()
    SignalResult.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["idea_score", "signal"],
        update_fields=["raw", "calibrated", "sd", "n"],
    )
    ReviewRound.objects.filter(pk=round.pk).update(aggregated_at=now)
    return len(rows)
