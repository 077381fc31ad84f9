"""Panel-score aggregation with rater calibration (the method in docs/scoring.md).

Everything is computed *and written* by set-based SQL inside the database: one chain of CTEs
(GROUP BY and window functions over the round's scores) feeds ``INSERT … SELECT … ON CONFLICT
DO UPDATE`` upserts of IdeaScore and SignalResult, including the per-function means (as JSON),
the contested flag and split, and the gate and contested explanations. Python never sees a row
per idea. The same SQL runs on SQLite (≥ 3.24 for upserts) and PostgreSQL:

* population variance is ``AVG(x*x) - AVG(x)*AVG(x)`` (written ``SUM/COUNT``, see ``_avg``) (neither engine has a portable
  ``VAR_POP`` — SQLite has none), clamped at 0 against rounding, and ``SQRT`` is built into
  PostgreSQL and registered by Django on every SQLite connection;
* stored numbers are rounded to 9 decimals in SQL (``ROUND(CAST(.. AS NUMERIC), 9)``) so the
  order rows were inserted in, or the engine, cannot change a rank or a ``>=`` through a
  last-bit difference in a floating-point sum;
* only three things differ by engine (``_DIALECTS``): the JSON object aggregate, two-decimal
  formatting for the explanations, and how the two upserts are chained — PostgreSQL runs both
  in ONE statement (the IdeaScore upsert is a data-modifying CTE whose ``RETURNING`` feeds the
  SignalResult upsert), SQLite runs the CTE chain once per table.

The write is idempotent and proportional to what changed: rows are upserted on their unique
keys (ids kept), IdeaScore and SignalResult rows are only rewritten when a value changed, and
rows for ideas (or signals of an idea) no longer scored are deleted, all in one transaction,
so a rerun over the same scores writes nothing (same ids, same values; ``computed_at`` is the
time of the run that last CHANGED the row, which is what orders "latest score per idea").
``Idea.latest_score`` is rewritten only for the ideas whose value moved.
"""

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from scoring.latest import latest_scores_refresh
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
# A signal is contested when function means differ by at least this much (docs/scoring.md).
CONTESTED_SPREAD = 1.5

_DIALECTS = {
    "postgresql": {
        # JSON (text) builds far faster than JSONB; the outer object is cast once per idea.
        "obj": "JSON_OBJECT_AGG({k}, {v})",
        "json": "{}",
        "jsonb": "CAST({} AS JSONB)",
        "fmt2": "TO_CHAR(CAST({} AS NUMERIC), 'FM999999990.00')",
        "differs": "{a} IS DISTINCT FROM {b}",
    },
    "sqlite": {
        "obj": "JSON_GROUP_OBJECT({k}, {v})",
        # SQLite drops the JSON subtype between CTEs; JSON() marks the text as JSON again.
        "json": "JSON({})",
        "jsonb": "{}",
        "fmt2": "PRINTF('%%.2f', {})",
        "differs": "{a} IS NOT {b}",
    },
}


def _r(expr: str) -> str:
    """Round a float expression to 9 decimals, identically on SQLite and PostgreSQL."""
    return f"ROUND(CAST({expr} AS NUMERIC), 9)"


def _sd(var: str) -> str:
    return f"SQRT(CASE WHEN {var} > {EPS} THEN {var} ELSE 0 END)"


def _avg(expr: str) -> str:
    """``AVG(expr)`` as ``SUM / COUNT``: the same value (both engines' AVG is the plain sum
    over the count), but PostgreSQL's float AVG keeps a 3-element array per group, which made
    the 280,000-group function means several times slower than a plain float sum."""
    return f"(SUM({expr}) / CAST(COUNT(*) AS DOUBLE PRECISION))"


def _ctes(d: dict[str, str]) -> str:
    """The method as CTEs. Bound parameters: %(round)s, %(scorecard)s, %(n_signals)s,
    %(threshold)s, %(min_reviews)s, %(min_functions)s and their display strings (…_t)."""
    score, assignment, user, weight, signal = (
        Score._meta.db_table,
        Assignment._meta.db_table,
        User._meta.db_table,
        ScorecardSignal._meta.db_table,
        Signal._meta.db_table,
    )
    fmt2 = d["fmt2"].format
    gate_parts = " || ".join(
        [
            "CASE WHEN k.signal_count < %(n_signals)s THEN '; only ' || "
            "CAST(k.signal_count AS TEXT) || ' of ' || %(n_signals_t)s || ' signals scored' "
            "ELSE '' END",
            "CASE WHEN k.min_cal < %(threshold)s THEN '; a calibrated signal score ' || "
            f"{fmt2('k.min_cal')} || ' is below ' || %(threshold_t)s ELSE '' END",
            "CASE WHEN k.reviewers < %(min_reviews)s THEN '; ' || CAST(k.reviewers AS TEXT) || "
            "' reviewers, ' || %(min_reviews_t)s || ' needed' ELSE '' END",
            "CASE WHEN k.functions < %(min_functions)s THEN '; ' || CAST(k.functions AS TEXT) || "
            "' functions, ' || %(min_functions_t)s || ' needed' ELSE '' END",
        ]
    )
    passes = (
        "k.signal_count >= %(n_signals)s AND k.min_cal >= %(threshold)s "
        "AND k.reviewers >= %(min_reviews)s AND k.functions >= %(min_functions)s"
    )
    contested = f"COALESCE(b.spread >= {CONTESTED_SPREAD}, FALSE)"
    return f"""
sc AS (
    -- every score of a SUBMITTED scorecard of the round on a signal of the round's
    -- scorecard, as a float, with the signal's scale (saved drafts count for nothing)
    SELECT a.idea_id AS idea_id, a.reviewer_id AS reviewer_id,
           COALESCE(NULLIF(u.function, ''), 'other') AS func,
           s.signal_id AS signal_id, CAST(w.weight AS DOUBLE PRECISION) AS weight,
           CAST(s.value AS DOUBLE PRECISION) AS x,
           CAST(sg.scale_min AS DOUBLE PRECISION) AS lo,
           CAST(sg.scale_max AS DOUBLE PRECISION) AS hi
    FROM {score} s
    JOIN {assignment} a ON a.id = s.assignment_id
    JOIN {user} u ON u.id = a.reviewer_id
    JOIN {weight} w ON w.signal_id = s.signal_id AND w.scorecard_id = %(scorecard)s
    JOIN {signal} sg ON sg.id = s.signal_id
    WHERE a.round_id = %(round)s AND a.submitted_at IS NOT NULL
),
g AS (
    -- G_s and the population variance behind S_s, per signal over the whole round
    SELECT signal_id, {_avg("x")} AS g_mean, {_avg("x * x")} - {_avg("x")} * {_avg("x")} AS g_var
    FROM sc GROUP BY signal_id
),
gs AS (
    SELECT signal_id, g_mean,
           CASE WHEN g_var > {EPS} THEN {_sd("g_var")} ELSE 1.0 END AS g_sd
    FROM g
),
r AS (
    -- m_rs, sd_rs, n_rs: each reviewer's own mean, spread and count per signal
    SELECT reviewer_id, signal_id, {_avg("x")} AS m, {_avg("x * x")} - {_avg("x")} * {_avg("x")} AS v, COUNT(*) AS n
    FROM sc GROUP BY reviewer_id, signal_id
),
z AS (
    -- z against the reviewer's own habits when there is enough of them, else the round's
    SELECT sc.idea_id, sc.reviewer_id, sc.func, sc.signal_id, sc.weight, sc.x, sc.lo, sc.hi,
           gs.g_mean, gs.g_sd,
           CASE WHEN r.n >= 3 AND r.v > {EPS} THEN (sc.x - r.m) / {_sd("r.v")}
                ELSE (sc.x - gs.g_mean) / gs.g_sd END AS z
    FROM sc
    JOIN gs ON gs.signal_id = sc.signal_id
    JOIN r ON r.reviewer_id = sc.reviewer_id AND r.signal_id = sc.signal_id
),
per_signal AS (
    -- R_is, C_is (clamped) and the agreement (population SD of the raw scores)
    SELECT idea_id, signal_id, MAX(weight) AS weight, COUNT(*) AS n, MAX(lo) AS lo, MAX(hi) AS hi,
           {_avg("x")} AS raw,
           {_avg("x * x")} - {_avg("x")} * {_avg("x")} AS raw_var,
           MAX(g_mean) + MAX(g_sd) * {_avg("z")} AS cal_unclamped
    FROM z GROUP BY idea_id, signal_id
),
per_signal_c AS (
    SELECT idea_id, signal_id, weight, n, raw, raw_var,
           -- clamped to the signal's own configured scale
           CASE WHEN cal_unclamped < lo THEN lo
                WHEN cal_unclamped > hi THEN hi
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
    -- distinct reviewers (each has one function) first: 70k pairs to count, not 280k scores
    SELECT idea_id, COUNT(*) AS reviewers, COUNT(DISTINCT func) AS functions
    FROM (SELECT idea_id, reviewer_id, MIN(func) AS func FROM sc GROUP BY idea_id, reviewer_id) ir
    GROUP BY idea_id
),
ranked AS (
    SELECT i.idea_id, i.overall, i.min_cal, i.signal_count, p.reviewers, p.functions,
           ROW_NUMBER() OVER (ORDER BY i.overall DESC, p.reviewers DESC, i.idea_id) AS rnk
    FROM per_idea i JOIN people p ON p.idea_id = i.idea_id
),
fm AS (
    -- per-function means of each reviewer's unclamped calibrated value c_irs = G_s + S_s * z
    SELECT idea_id, func, signal_id, {_r(_avg("g_mean + g_sd * z"))} AS mean
    FROM z GROUP BY idea_id, func, signal_id
),
fm_func AS (
    SELECT fm.idea_id, fm.func,
           {d["obj"].format(k="sig.key", v="CAST(fm.mean AS DOUBLE PRECISION)")} AS means
    FROM fm JOIN {signal} sig ON sig.id = fm.signal_id
    GROUP BY fm.idea_id, fm.func
),
fm_idea AS (
    -- {{"<function>": {{"<signal key>": mean}}}}
    SELECT idea_id,
           {d["jsonb"].format(d["obj"].format(k="func", v=d["json"].format("means")))}
           AS function_means
    FROM fm_func GROUP BY idea_id
),
spread AS (
    -- the split per signal scored by at least two functions; the widest one per idea wins
    -- (ties: the lowest signal id)
    SELECT idea_id, signal_id, MAX(mean) AS hi, MIN(mean) AS lo,
           {_r("MAX(mean) - MIN(mean)")} AS spread,
           ROW_NUMBER() OVER (PARTITION BY idea_id ORDER BY {_r("MAX(mean) - MIN(mean)")} DESC,
                              signal_id) AS k
    FROM fm GROUP BY idea_id, signal_id HAVING COUNT(*) >= 2
),
widest AS (
    -- the functions at both ends of the widest split (ties: the highest name on top, the
    -- lowest at the bottom)
    SELECT b.idea_id, b.signal_id, b.hi, b.lo, b.spread,
           MAX(CASE WHEN fm.mean = b.hi THEN fm.func END) AS hi_f,
           MIN(CASE WHEN fm.mean = b.lo THEN fm.func END) AS lo_f
    FROM spread b JOIN fm ON fm.idea_id = b.idea_id AND fm.signal_id = b.signal_id
    WHERE b.k = 1
    GROUP BY b.idea_id, b.signal_id, b.hi, b.lo, b.spread
),
final AS (
    SELECT k.idea_id, k.rnk, k.overall, k.reviewers, k.functions,
           CASE WHEN {passes} THEN TRUE ELSE FALSE END AS passes_gate,
           CASE WHEN {passes}
                THEN 'Passes: every calibrated signal score is at least ' || %(threshold_t)s || '.'
                ELSE 'Fails the gate: ' || SUBSTR({gate_parts}, 3) || '.' END AS gate_reason,
           {contested} AS contested,
           CASE WHEN {contested}
                THEN sig.name || ': ' || b.hi_f || ' ' || {fmt2("b.hi")} || ' vs ' || b.lo_f
                     || ' ' || {fmt2("b.lo")} || ' (spread ' || {fmt2("b.spread")} || ')'
                ELSE '' END AS contested_reason,
           f.function_means
    FROM ranked k
    JOIN fm_idea f ON f.idea_id = k.idea_id
    LEFT JOIN widest b ON b.idea_id = k.idea_id
    LEFT JOIN {signal} sig ON sig.id = b.signal_id
)"""


def _idea_score_upsert(d: dict[str, str]) -> str:
    t = IdeaScore._meta.db_table
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
    ]
    sets = ", ".join(f"{f} = excluded.{f}" for f in [*fields, "computed_at"])
    # Only a row whose result changed is rewritten (and gets the new ``computed_at``): a
    # rerun over the same scores writes no IdeaScore, and its indexes are left alone.
    changed = " OR ".join(d["differs"].format(a=f"{t}.{f}", b=f"excluded.{f}") for f in fields)
    # "WHERE TRUE": SQLite needs it to parse an upsert after INSERT … SELECT … JOIN.
    return f"""
INSERT INTO {t} (round_id, idea_id, {", ".join(fields)}, computed_at)
SELECT %(round)s, idea_id, overall, passes_gate, contested, reviewers, functions, rnk,
       function_means, SUBSTR(gate_reason, 1, 300), SUBSTR(contested_reason, 1, 300),
       %(now)s
FROM final WHERE TRUE
ON CONFLICT (round_id, idea_id) DO UPDATE SET {sets}
WHERE {changed}"""


def _signal_result_upsert(idea_scores: str) -> str:
    """``idea_scores`` is a relation with (id, idea_id) of this round's IdeaScore rows."""
    t = SignalResult._meta.db_table
    cols = ["raw", "calibrated", "sd", "n"]
    changed = " OR ".join(f"{t}.{c} <> excluded.{c}" for c in cols)
    return f"""
INSERT INTO {t} (idea_score_id, signal_id, raw, calibrated, sd, n)
SELECT i.id, s.signal_id, {_r("s.raw")}, {_r("s.cal")}, {_r(_sd("s.raw_var"))}, s.n
FROM per_signal_c s JOIN {idea_scores} i ON i.idea_id = s.idea_id
LEFT JOIN {t} o ON o.idea_score_id = i.id AND o.signal_id = s.signal_id
-- only new or changed rows reach the upsert: a rerun rewrites (and locks) nothing
WHERE o.id IS NULL OR o.raw <> {_r("s.raw")} OR o.calibrated <> {_r("s.cal")}
   OR o.sd <> {_r(_sd("s.raw_var"))} OR o.n <> s.n
ON CONFLICT (idea_score_id, signal_id) DO UPDATE
SET {", ".join(f"{c} = excluded.{c}" for c in cols)}
WHERE {changed}"""


def _stale_signal_results() -> str:
    return f"""
DELETE FROM {SignalResult._meta.db_table} sr USING {IdeaScore._meta.db_table} i
WHERE sr.idea_score_id = i.id AND i.round_id = %(round)s AND NOT EXISTS (
    SELECT 1 FROM per_signal_c p WHERE p.idea_id = i.idea_id AND p.signal_id = sr.signal_id)"""


def _statements(vendor: str) -> list[str]:
    d = _DIALECTS["postgresql" if vendor == "postgresql" else "sqlite"]
    ctes = _ctes(d)
    t = IdeaScore._meta.db_table
    if vendor == "postgresql":
        # One pass over the scores: the IdeaScore upsert and the SignalResult upsert in one
        # statement, and results for a signal nobody scores any more on an idea go in the same
        # pass. The upsert's RETURNING has the rows it inserted or changed; the round's other
        # rows (unchanged) come from the table as the statement found it.
        idea_scores = (
            f"(SELECT id, idea_id FROM ins "
            f"UNION SELECT id, idea_id FROM {t} WHERE round_id = %(round)s)"
        )
        return [
            f"WITH {ctes},\nins AS ({_idea_score_upsert(d)}\nRETURNING id, idea_id),\n"
            f"stale AS ({_stale_signal_results()})"
            f"{_signal_result_upsert(idea_scores)}"
        ]
    this_round = f"(SELECT id, idea_id FROM {t} WHERE round_id = %(round)s)"
    return [
        f"WITH {ctes}{_idea_score_upsert(d)}",
        f"WITH {ctes}{_signal_result_upsert(this_round)}",
    ]


def _g(value) -> str:
    """A number as Python's ``{:g}`` shows it (the gate threshold in explanations)."""
    return f"{float(value):g}"


@transaction.atomic
def aggregate(round_id: int) -> int:
    """Compute and store the results of a round. Returns the number of ideas scored."""
    # Lock the round row: two runs of the same round (a redelivered task, a recompute) write
    # one after the other, never interleaved.
    round = ReviewRound.objects.select_for_update().select_related("scorecard").get(pk=round_id)
    scorecard = round.scorecard
    signal_ids = list(Signal.objects.for_round(round).values_list("pk", flat=True))
    now = timezone.now()
    params = {
        "round": round.pk,
        "scorecard": scorecard.pk,
        "now": connection.ops.adapt_datetimefield_value(now),
        "n_signals": len(signal_ids),
        "n_signals_t": str(len(signal_ids)),
        "threshold": float(scorecard.gate_threshold),
        "threshold_t": _g(scorecard.gate_threshold),
        "min_reviews": scorecard.min_reviews,
        "min_reviews_t": str(scorecard.min_reviews),
        "min_functions": scorecard.min_functions,
        "min_functions_t": str(scorecard.min_functions),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A one-off analytical statement: JIT compilation costs more than it saves here,
            # and the CTEs over ~300k scores should sort and hash in memory, not on disk.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            # The web's statement timeout (DATABASE_STATEMENT_TIMEOUT_MS, seconds) is for
            # requests; a round of 280,000 scores takes seconds on a busy machine, so this job
            # gets minutes (it runs in a worker, holding only the round's lock).
            cursor.execute("SET LOCAL statement_timeout = '10min'")
        for sql in _statements(connection.vendor):
            cursor.execute(sql, params)
    # A row of the round for an idea with no submitted score on the scorecard's signals any
    # more is stale (the upsert above wrote every other idea, or found it unchanged).
    scored = Score.objects.filter(
        assignment__round=round,
        assignment__idea=OuterRef("idea"),
        assignment__submitted_at__isnull=False,
        signal__in=ScorecardSignal.objects.filter(scorecard=scorecard).values("signal"),
    )
    stale = IdeaScore.objects.filter(round=round).exclude(Exists(scored))
    unscored = list(stale.values_list("idea_id", flat=True))
    if unscored:  # (delete() reads the rows first, even to find none)
        IdeaScore.objects.filter(round=round, idea_id__in=unscored).delete()
    # Same transaction as the results: Idea.latest_score never disagrees with them.
    latest_scores_refresh(round_id=round.pk, extra_idea_ids=unscored)
    if connection.vendor != "postgresql":
        _delete_stale_signal_results(round, signal_ids)
    ReviewRound.objects.filter(pk=round.pk).update(aggregated_at=now)
    return IdeaScore.objects.filter(round=round).count()


def _delete_stale_signal_results(round: ReviewRound, signal_ids: list[int]) -> None:
    """Results for a signal nobody scores any more on that idea (set-based, no loop); on
    PostgreSQL this is part of the upsert statement."""
    scored = Score.objects.filter(
        assignment__round=round,
        assignment__idea=OuterRef("idea_score__idea"),
        signal=OuterRef("signal"),
    )
    SignalResult.objects.filter(idea_score__round=round).filter(
        ~Q(signal_id__in=signal_ids) | ~Exists(scored)
    ).delete()
