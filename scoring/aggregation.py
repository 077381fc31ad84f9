"""Panel-score aggregation with rater calibration (the method in docs/scoring.md).

Everything is computed *and written* by set-based SQL inside the database; Python never sees
a row per idea or per score. The SQL is generated per round for its scorecard's signals and
its reviewers' functions, which are few (4 signals, at most 8 functions), so that the round's
scores are read ONCE and every later step works on ever smaller relations:

1. ``ir``: one row per (idea, reviewer) with the reviewer's value on each signal as its own
   column (a GROUP BY over the 280,000 scores of a 10,000-idea round → 70,000 rows);
2. ``rs`` / ``gs``: each reviewer's count, sum and sum of squares per signal (7 rows), and
   from those the round's G_s and S_s (one row) — sums of integers, so exact;
3. ``pi``: one row per idea (10,000) with, per signal, the count, sums of x, x² and z, and,
   per (function, signal), the sum and count of the calibrated values c_irs: the per-function
   means are columns, not 280,000 (idea, function, signal) groups;
4. the calibrated means, overall, gate, the widest split between functions and the JSON of
   the function means are expressions over that row; the rank is one window over 10,000 rows.

Both engines run the same SQL (≥ SQLite 3.30 for ``FILTER``, 3.24 for upserts):

* population variance is ``SUM(x*x)/n - (SUM(x)/n)²`` (neither engine has a portable
  ``VAR_POP``), clamped at 0 against rounding; ``SQRT`` is built into PostgreSQL and
  registered by Django on every SQLite connection;
* stored numbers are rounded to 9 decimals in SQL (``ROUND(CAST(.. AS NUMERIC), 9)``) so the
  order rows were inserted in, or the engine, cannot change a rank or a ``>=`` through a
  last-bit difference in a floating-point sum;
  on PostgreSQL the same numbers are held as integer-valued floats in units of 1e-9 (the
  "fast form", see ``_nano``: no float-to-numeric cast per value);
* what differs by engine is in ``_DIALECTS``: how the JSON of the function means is built,
  two-decimal formatting, the row-wise GREATEST/LEAST, and how the writes are chained —
  PostgreSQL runs them all in ONE statement (the IdeaScore upsert is a data-modifying CTE
  whose ``RETURNING`` feeds the SignalResult upsert; stale results are deleted by sibling
  CTEs), SQLite runs the CTE chain once per table and deletes stale rows through the ORM.

The write is idempotent and touches only what changed: rows are upserted on their unique keys
(ids kept), IdeaScore and SignalResult rows are only rewritten when a value changed, and rows
for ideas (or signals of an idea) no longer scored are deleted, all in one transaction, so a
rerun over the same scores writes nothing (``computed_at`` is the time of the run that last
CHANGED the row, which is what orders "latest score per idea"). An idea's latest score
(``ideas.LatestScore``, a narrow table of its own) is rewritten only for the ideas whose value
moved.

Why a new scorecard still recomputes the whole round (docs/scoring.md, "Why one new
scorecard recomputes the round"): it moves
G_s and S_s, which enter every calibrated score of the round, and its reviewer's own mean and
spread, which enter the z of every score that reviewer gave in the round; so the stored
calibrated means, overall, rank, gate and split of (nearly) every idea legitimately change.
"""

import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Value
from django.db.models.functions import Coalesce, NullIf
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
# Below / above every function mean: stands in for "no mean" in a row-wise GREATEST / LEAST.
_NONE_LOW, _NONE_HIGH = "-1e18", "1e18"

_DIALECTS = {
    "postgresql": {
        "fmt2": "TO_CHAR(CAST({} AS NUMERIC), 'FM999999990.00')",
        "differs": "{a} IS DISTINCT FROM {b}",
        "greatest": "GREATEST({})",
        "least": "LEAST({})",
        # The JSON of the function means is written as text (CONCAT_WS leaves out the
        # functions and signals with no mean) and parsed once, rather than built by nested
        # JSONB_BUILD_OBJECT calls (most of its step's time when measured). TRIM_SCALE writes
        # 4.5, not 4.500000000: the number a float would show, so the stored JSONB is the same.
        "json_text": True,
        # read the round's signal results through their (idea_score_id, signal_id) index,
        # not by a scan of every round's
        "cur_filter": "\n    WHERE o.idea_score_id = ANY (ARRAY(SELECT id FROM cis))",
    },
    "sqlite": {
        "fmt2": "PRINTF('%%.2f', {})",
        "differs": "{a} IS NOT {b}",
        # SQLite's multi-argument MIN/MAX are its row-wise LEAST/GREATEST.
        "greatest": "MAX({})",
        "least": "MIN({})",
        "json_text": False,
        "cur_filter": "",
    },
}


@dataclass(frozen=True)
class _Shape:
    """What the generated SQL is written for: the scorecard's signals (by id, so a tie
    between splits goes to the lowest signal id) and the round's reviewers' functions (by
    name, so ties name the highest and the lowest function)."""

    signals: list[dict]
    functions: list[str]
    submitted: int = 0  # scorecards submitted in the round


def _r(expr: str) -> str:
    """Round a float expression to 9 decimals, identically on SQLite and PostgreSQL."""
    return f"ROUND(CAST({expr} AS NUMERIC), 9)"


def _sd(var: str) -> str:
    return f"SQRT(CASE WHEN {var} > {EPS} THEN {var} ELSE 0 END)"


def _div(a: str, n: str) -> str:
    """``a / n`` as a float mean (NULL when there is nothing to average)."""
    return f"({a} / CAST(NULLIF({n}, 0) AS DOUBLE PRECISION))"


def _rowwise(d: dict[str, str], fn: str, terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else d[fn].format(", ".join(terms))


def _ctes(d: dict[str, str], shape: _Shape, fast: bool = False) -> str:
    """The method as CTEs. Bound parameters: %(round)s, per signal k %(sid_k)s, %(w_k)s,
    %(lo_k)s, %(hi_k)s, %(key_k)s, %(name_k)s, per function j %(f_j)s, and %(n_signals)s,
    %(threshold)s, %(min_reviews)s, %(min_functions)s and their display strings (…_t)."""
    score, assignment, user = (
        Score._meta.db_table,
        Assignment._meta.db_table,
        User._meta.db_table,
    )
    K = range(len(shape.signals))
    J = range(len(shape.functions))
    fmt2 = d["fmt2"].format
    ir_cols = ", ".join(f"MAX(s.value) FILTER (WHERE s.signal_id = %(sid_{k})s) AS x{k}" for k in K)
    rs_cols = ", ".join(
        f"COUNT(x{k}) AS n{k}, SUM(x{k}) AS sx{k}, SUM(x{k} * x{k}) AS sxx{k}" for k in K
    )
    g_cols = ", ".join(f"SUM(n{k}) AS n{k}, SUM(sx{k}) AS sx{k}, SUM(sxx{k}) AS sxx{k}" for k in K)
    gs_cols = ", ".join(
        f"{_div(f'sx{k}', f'n{k}')} AS g{k}, "
        f"CASE WHEN {_div(f'sxx{k}', f'n{k}')} - {_div(f'sx{k}', f'n{k}')} * {_div(f'sx{k}', f'n{k}')}"
        f" > {EPS} THEN SQRT({_div(f'sxx{k}', f'n{k}')} - {_div(f'sx{k}', f'n{k}')}"
        f" * {_div(f'sx{k}', f'n{k}')}) ELSE 1.0 END AS s{k}"
        for k in K
    )

    def own(k: int) -> str:
        # the reviewer's own habits are known: at least 3 scores with some spread
        return f"rs.n{k} >= 3 AND rs.v{k} > {EPS}"

    rv_cols = ", ".join(
        f"rs.n{k}, {_div(f'rs.sx{k}', f'rs.n{k}')} AS m{k}, "
        f"{_div(f'rs.sxx{k}', f'rs.n{k}')} - {_div(f'rs.sx{k}', f'rs.n{k}')} * "
        f"{_div(f'rs.sx{k}', f'rs.n{k}')} AS v{k}"
        for k in K
    )
    rz_cols = ", ".join(
        f"CASE WHEN {own(k)} THEN rs.m{k} ELSE gs.g{k} END AS c{k}, "
        f"CASE WHEN {own(k)} THEN {_sd(f'rs.v{k}')} ELSE gs.s{k} END AS d{k}"
        for k in K
    )

    def z(k: int) -> str:
        return f"((ir.x{k} - rz.c{k}) / rz.d{k})"

    pi_cols = [
        "ir.idea_id",
        "COUNT(*) AS reviewers",
        " + ".join(
            f"CASE WHEN COUNT(*) FILTER (WHERE rz.fj = {j}) > 0 THEN 1 ELSE 0 END" for j in J
        )
        + " AS functions",
    ]
    for k in K:
        pi_cols += [
            f"COUNT(ir.x{k}) AS n{k}",
            f"SUM(ir.x{k}) AS sx{k}",
            f"SUM(ir.x{k} * ir.x{k}) AS sxx{k}",
            f"SUM({z(k)}) AS sz{k}",
        ]
        for j in J:
            # each reviewer's calibrated value c_irs = G_s + S_s * z, per function
            pi_cols += [
                f"SUM(gs.g{k} + gs.s{k} * {z(k)}) FILTER (WHERE rz.fj = {j}) AS fs{j}_{k}",
                f"COUNT(ir.x{k}) FILTER (WHERE rz.fj = {j}) AS fn{j}_{k}",
            ]
    pc_cols = ["idea_id", "reviewers", "functions", *(f"fc{j}" for j in J)]
    for k in K:
        raw, mean_z = _div(f"sx{k}", f"n{k}"), _div(f"sz{k}", f"n{k}")
        cal = f"(g{k} + s{k} * {mean_z})"
        pc_cols += [
            f"n{k}",
            # R_is and the agreement (population SD of the raw scores), rounded
            f"{_r(raw)} AS raw{k}",
            f"{_r(_sd(f'{_div(f"sxx{k}", f"n{k}")} - {raw} * {raw}'))} AS sd{k}",
            # C_is, clamped to the signal's own configured scale
            f"CASE WHEN {cal} < %(lo_{k})s THEN %(lo_{k})s WHEN {cal} > %(hi_{k})s "
            f"THEN %(hi_{k})s ELSE {cal} END AS cal{k}",
            # how many functions have a mean on the signal (a split needs two)
            " + ".join(f"CASE WHEN fn{j}_{k} > 0 THEN 1 ELSE 0 END" for j in J) + f" AS nf{k}",
        ]
        pc_cols += [f"{_r(_div(f'fs{j}_{k}', f'fn{j}_{k}'))} AS fm{j}_{k}" for j in J]
    weights = " + ".join(f"CASE WHEN n{k} > 0 THEN %(w_{k})s ELSE 0 END" for k in K)
    weighted = " + ".join(f"CASE WHEN n{k} > 0 THEN %(w_{k})s * cal{k} ELSE 0 END" for k in K)
    if d["json_text"]:
        # '{"<function>": {"<signal key>": mean, …}, …}'; the names come JSON-encoded
        # (%(fq_j)s, %(kq_k)s)
        per_function = [
            f"CASE WHEN fc{j} > 0 THEN %(fq_{j})s || ': {{' || CONCAT_WS(', ', "
            + ", ".join(
                f"CASE WHEN fm{j}_{k} IS NOT NULL THEN %(kq_{k})s || ': ' || "
                f"CAST(TRIM_SCALE(fm{j}_{k}) AS TEXT) END"
                for k in K
            )
            + ") || '}' END"
            for j in J
        ]
        function_means = (
            f"CAST('{{' || CONCAT_WS(', ', {', '.join(per_function)}) || '}}' AS JSONB)"
        )
    else:
        # JSON() keeps the nested object JSON through the CASE; a merge patch onto {} drops
        # the members whose value is null, at every level.
        per_function = [
            f"%(f_{j})s, CASE WHEN fc{j} > 0 THEN JSON(JSON_OBJECT("
            + ", ".join(f"%(key_{k})s, CAST(fm{j}_{k} AS DOUBLE PRECISION)" for k in K)
            + ")) END"
            for j in J
        ]
        function_means = f"JSON_PATCH('{{}}', JSON(JSON_OBJECT({', '.join(per_function)})))"
    pk_cols = [
        "idea_id",
        "reviewers",
        "functions",
        *(f"n{k}, raw{k}, sd{k}, {_r(f'cal{k}')} AS cal{k}" for k in K),
        # overall = sum(w * C) / sum(w) over the signals scored
        f"{_r(f'({weighted}) / ({weights})')} AS overall",
        _rowwise(d, "least", [f"COALESCE({_r(f'cal{k}')}, {_NONE_HIGH})" for k in K])
        + " AS min_cal",
        " + ".join(f"CASE WHEN n{k} > 0 THEN 1 ELSE 0 END" for k in K) + " AS signal_count",
        # {"<function>": {"<signal key>": mean}}
        f"{function_means} AS function_means",
    ]
    for k in K:
        hi = _rowwise(d, "greatest", [f"COALESCE(fm{j}_{k}, {_NONE_LOW})" for j in J])
        lo = _rowwise(d, "least", [f"COALESCE(fm{j}_{k}, {_NONE_HIGH})" for j in J])
        pk_cols += [
            f"CASE WHEN nf{k} >= 2 THEN {hi} END AS hi{k}",
            f"CASE WHEN nf{k} >= 2 THEN {lo} END AS lo{k}",
        ]
    pk_cols += [f"fm{j}_{k}" for k in K for j in J]

    def ends(k: int, bound: str, order) -> str:
        # the functions at both ends of a split: the highest name at the top, the lowest at
        # the bottom (ties)
        return (
            "CASE "
            + " ".join(f"WHEN fm{j}_{k} = {bound}{k} THEN %(f_{j})s" for j in order)
            + " END"
        )

    top_down = sorted(J, key=lambda j: shape.functions[j], reverse=True)
    bottom_up = sorted(J, key=lambda j: shape.functions[j])
    pb_cols = [
        "idea_id, reviewers, functions, overall, min_cal, signal_count, function_means",
        *(f"n{k}, raw{k}, sd{k}, cal{k}, hi{k}, lo{k}" for k in K),
        *(f"{_r(f'hi{k} - lo{k}')} AS spread{k}" for k in K),
        *(f"{ends(k, 'hi', top_down)} AS hf{k}, {ends(k, 'lo', bottom_up)} AS lf{k}" for k in K),
    ]
    # the widest split (ties: the lowest signal id); below every spread when no signal has
    # two functions
    best = _rowwise(d, "greatest", [f"COALESCE(spread{k}, {_NONE_LOW})" for k in K])
    # The exact decimals behind the text of the reasons (in the fast form the values are
    # held in units of 1e-9, see _nano).
    dec = _dec if fast else (lambda col: col)
    if fast:
        middle = _fast_middle(d, shape, weighted=weighted, weights=weights, ends=ends)
    else:
        middle = f"""pc AS MATERIALIZED (
    -- R_is and its SD, C_is, and the function means fm (rounded: they are compared)
    SELECT {", ".join(pc_cols)} FROM pi CROSS JOIN gs
),
pk AS MATERIALIZED (
    -- overall, the gate's inputs, the JSON of the function means, each signal's split
    SELECT {", ".join(pk_cols)} FROM pc
),
pb AS MATERIALIZED (
    SELECT {", ".join(pb_cols)} FROM pk
)"""

    def at_widest(per_k) -> str:
        return "CASE " + " ".join(f"WHEN k.spread{k} = k.best THEN {per_k(k)}" for k in K) + " END"

    passes = (
        "k.signal_count >= %(n_signals)s AND k.min_cal >= %(threshold)s "
        "AND k.reviewers >= %(min_reviews)s AND k.functions >= %(min_functions)s"
    )
    gate_parts = " || ".join(
        [
            "CASE WHEN k.signal_count < %(n_signals)s THEN '; only ' || "
            "CAST(k.signal_count AS TEXT) || ' of ' || %(n_signals_t)s || ' signals scored' "
            "ELSE '' END",
            "CASE WHEN k.min_cal < %(threshold)s THEN '; a calibrated signal score ' || "
            f"{fmt2(dec('k.min_caln') if fast else 'k.min_cal')} || ' is below ' || "
            "%(threshold_t)s ELSE '' END",
            "CASE WHEN k.reviewers < %(min_reviews)s THEN '; ' || CAST(k.reviewers AS TEXT) || "
            "' reviewers, ' || %(min_reviews_t)s || ' needed' ELSE '' END",
            "CASE WHEN k.functions < %(min_functions)s THEN '; ' || CAST(k.functions AS TEXT) || "
            "' functions, ' || %(min_functions_t)s || ' needed' ELSE '' END",
        ]
    )
    # (in the fast form the spreads are in units of 1e-9: exact integers)
    contested = (
        f"COALESCE(k.best >= {CONTESTED_SPREAD * 1_000_000_000:.0f}, FALSE)"
        if fast
        else f"COALESCE(k.best >= {CONTESTED_SPREAD}, FALSE)"
    )
    split = (
        f"{at_widest(lambda k: f'%(name_{k})s')} || ': ' || {at_widest(lambda k: f'k.hf{k}')}"
        f" || ' ' || {at_widest(lambda k: fmt2(dec(f'k.hi{k}')))} || ' vs ' || "
        f"{at_widest(lambda k: f'k.lf{k}')} || ' ' || "
        f"{at_widest(lambda k: fmt2(dec(f'k.lo{k}')))} || ' (spread ' || {fmt2(dec('k.best'))}"
        " || ')'"
    )
    fc_cols = ", ".join(f"COUNT(*) FILTER (WHERE rz.fj = {j}) AS fc{j}" for j in J)
    fj = (
        "CASE COALESCE(NULLIF(u.function, ''), 'other') "
        + " ".join(f"WHEN %(f_{j})s THEN {j}" for j in J)
        + " END"
    )
    signal_rows = ", ".join(f"({k}, %(sid_{k})s)" for k in K)

    def pick(col: str) -> str:
        return "CASE sk.k " + " ".join(f"WHEN {k} THEN f.{col}{k}" for k in K) + " END"

    return f"""
ir AS (
    -- one row per (idea, reviewer) of a SUBMITTED scorecard of the round, one column per
    -- signal of the round's scorecard (saved drafts count for nothing)
    SELECT a.idea_id AS idea_id, a.reviewer_id AS reviewer_id, {ir_cols}
    FROM {score} s JOIN {assignment} a ON a.id = s.assignment_id
    WHERE a.round_id = %(round)s AND a.submitted_at IS NOT NULL
      AND s.assignment_id BETWEEN %(a_lo)s AND %(a_hi)s
      AND s.signal_id IN ({", ".join(f"%(sid_{k})s" for k in K)})
    GROUP BY a.idea_id, a.reviewer_id
),
rsum AS (
    SELECT reviewer_id, {rs_cols} FROM ir GROUP BY reviewer_id
),
gs AS MATERIALIZED (
    -- G_s and S_s (S_s = 1 when the round's scores on s have no spread)
    SELECT {gs_cols} FROM (SELECT {g_cols} FROM rsum) g
),
rs AS (
    -- m_rs, the population variance behind sd_rs, and n_rs
    SELECT rs.reviewer_id, {rv_cols} FROM rsum rs
),
rz AS MATERIALIZED (
    -- z = (x - c) / d: against the reviewer's own habits when there is enough of them, else
    -- against the round's; and j, the reviewer's function as its position in the sorted
    -- list of the round's functions (a blank function counts as "other")
    SELECT rs.reviewer_id, {fj} AS fj, {rz_cols}
    FROM rs JOIN {user} u ON u.id = rs.reviewer_id CROSS JOIN gs
),
pi AS (
    -- per idea: per signal the count and the sums of x, x² and z; per (function, signal)
    -- the sum and count of the reviewers' calibrated values c_irs = G_s + S_s * z
    SELECT {", ".join(pi_cols)}, {fc_cols}
    FROM ir JOIN rz ON rz.reviewer_id = ir.reviewer_id CROSS JOIN gs
    GROUP BY ir.idea_id
),
{middle},
rk AS (
    -- the rank over narrow rows (ties: more reviewers first, then the idea id)
    SELECT idea_id,
           ROW_NUMBER() OVER (ORDER BY overall DESC, reviewers DESC, idea_id) AS rnk
    FROM pb
),
final AS (
    SELECT k.idea_id, r.rnk, k.overall, k.reviewers, k.functions, k.function_means,
           CASE WHEN {passes} THEN TRUE ELSE FALSE END AS passes_gate,
           CASE WHEN {passes}
                THEN 'Passes: every calibrated signal score is at least ' || %(threshold_t)s || '.'
                ELSE 'Fails the gate: ' || SUBSTR({gate_parts}, 3) || '.' END AS gate_reason,
           {contested} AS contested,
           CASE WHEN {contested} THEN {split} ELSE '' END AS contested_reason
    FROM (SELECT p.*, {best} AS best FROM pb p) k JOIN rk r ON r.idea_id = k.idea_id
),
sk (k, signal_id) AS (VALUES {signal_rows}),
srows AS MATERIALIZED (
    -- one row per (idea, signal scored): raw, calibrated, agreement, n
    SELECT * FROM (
        SELECT f.idea_id, sk.signal_id, {pick("n")} AS n, {pick("raw")} AS raw,
               {pick("cal")} AS cal, {pick("sd")} AS sd
        FROM pb f CROSS JOIN sk
    ) x WHERE n > 0
),
cis AS MATERIALIZED (
    -- the round's results as they are (read once)
    SELECT * FROM {IdeaScore._meta.db_table} WHERE round_id = %(round)s
),
cur AS MATERIALIZED (
    -- the round's signal results as they are
    SELECT o.id, o.raw, o.calibrated, o.sd, o.n, o.signal_id, i.idea_id
    FROM {SignalResult._meta.db_table} o JOIN cis i ON i.id = o.idea_score_id{d["cur_filter"]}
)"""


# --- PostgreSQL, fast form ---------------------------------------------------------------
# ``ROUND(CAST(x AS NUMERIC), 9)`` costs a float-to-text conversion per value (PostgreSQL's
# float-to-numeric cast prints the float), and comparing the rounded numeric with a stored
# float costs another (numeric-to-float parses its text): at 10,000 ideas x ~45 values that
# was most of the run. The fast form holds each rounded value as N = 10^9 x the rounded
# decimal D, an integer-valued float, and stores N / 10^9. It is the same number:
#
# * For |x| < 10^4 and x * 10^9 not within 0.01 of a half-integer, ``ROUND(x * 1e9)`` is N:
#   x * 10^9 < 10^13 is computed within half an ulp (2^-10 < 0.001) and the numeric cast
#   first rounds x to 15 significant digits (a change below 0.5 * 10^-11, i.e. 0.005 in
#   units of 10^-9), so both land on the same side of every half-integer. Every other x
#   (near a tie, where float ROUND goes to even and numeric ROUND away from zero, or large)
#   takes the numeric expression itself, times 10^9.
# * N is an integer below 2^53 (the caller checks the bound, see _FAST_MAX_ASSIGNMENTS), so
#   it is exact; N / 10^9 is one correctly rounded division, the float nearest to D, which is
#   what casting the numeric D to a float (text, then a correctly rounded parse) stored.
# * Nearest-float rounding keeps order, and the floats of two different 9-decimal numbers
#   below 2^22 differ, so ranks, gate comparisons and maxima are unchanged; differences of
#   N (the spreads) are exact, and the text of a reason comes from the exact decimal N * 10^-9.
#
# tests/scoring/test_fast_form.py compares both forms row for row, ties included.
_E9 = "CAST(1e9 AS DOUBLE PRECISION)"
# Beyond this many submitted scorecards in a round a calibrated value could reach 2^53 / 10^9
# / 2 (|z| <= 9 n with n scores of one reviewer or signal, S <= 4.5), and the exact form runs.
_FAST_MAX_ASSIGNMENTS = 100_000


def _nano(x: str) -> str:
    """10^9 x ``ROUND(CAST(x AS NUMERIC), 9)`` as an integer-valued float (``x`` a column:
    it is read four times)."""
    return (
        f"CASE WHEN ABS({x}) < 1e4 AND ABS({x} * {_E9} - FLOOR({x} * {_E9}) - 0.5) > 0.01 "
        f"THEN ROUND({x} * {_E9}) + CAST(0 AS DOUBLE PRECISION) "  # (+0: never a -0)
        f"ELSE CAST(ROUND(CAST({x} AS NUMERIC), 9) * 1000000000 AS DOUBLE PRECISION) END"
    )


def _dec(n: str) -> str:
    """The exact decimal (scale 9) of a value in units of 10^-9."""
    return f"(CAST(CAST({n} AS BIGINT) AS NUMERIC) * 0.000000001)"


def _json_number(n: str) -> str:
    """The text ``TRIM_SCALE`` gives the decimal of ``n`` (units of 10^-9). Between 10^-4 and
    10^6 it is the float's own shortest text (the decimal has at most 15 digits and no other
    decimal of 9 places rounds to the same float; extra_float_digits is set to 1)."""
    return (
        f"CASE WHEN ABS({n}) >= 100000 AND ABS({n}) < 1e15 THEN CAST({n} / {_E9} AS TEXT) "
        f"ELSE CAST(TRIM_SCALE({_dec(n)}) AS TEXT) END"
    )


def _jsonb_order(names: list[str]) -> list[int]:
    """Positions of ``names`` in the order PostgreSQL writes JSONB object keys: shorter
    (in UTF-8 bytes) first, then bytewise."""
    return sorted(range(len(names)), key=lambda i: (len(names[i].encode()), names[i].encode()))


def _fast_middle(d, shape: _Shape, *, weighted: str, weights: str, ends) -> str:
    K = range(len(shape.signals))
    J = range(len(shape.functions))
    keep = ["idea_id", "reviewers", "functions"]
    pv_cols = [*keep, *(f"fc{j}" for j in J)]
    for k in K:
        raw, mean_z = _div(f"sx{k}", f"n{k}"), _div(f"sz{k}", f"n{k}")
        cal = f"(g{k} + s{k} * {mean_z})"
        pv_cols += [
            f"n{k}",
            f"{raw} AS raw{k}",
            f"{_sd(f'{_div(f"sxx{k}", f"n{k}")} - {raw} * {raw}')} AS sd{k}",
            f"CASE WHEN {cal} < %(lo_{k})s THEN %(lo_{k})s WHEN {cal} > %(hi_{k})s "
            f"THEN %(hi_{k})s ELSE {cal} END AS cal{k}",
            " + ".join(f"CASE WHEN fn{j}_{k} > 0 THEN 1 ELSE 0 END" for j in J) + f" AS nf{k}",
            *(f"{_div(f'fs{j}_{k}', f'fn{j}_{k}')} AS fm{j}_{k}" for j in J),
        ]
    per_k = [f"n{k}, nf{k}" for k in K]
    fms = [f"fm{j}_{k}" for k in K for j in J]
    pn_cols = [
        *keep,
        *(f"fc{j}" for j in J),
        *per_k,
        *(f"{_nano(f'{c}{k}')} AS {c}{k}" for k in K for c in ("raw", "sd", "cal")),
        f"{_nano('overall')} AS overall",
        *(f"{_nano(c)} AS {c}" for c in fms),
    ]
    # '{"<function>": {"<signal key>": mean, …}, …}' written as PostgreSQL writes the JSONB
    # (keys in its order, its separators and escapes), so that it can be compared as text
    # with the stored JSONB and parsed only when it differs.
    per_function = [
        f"CASE WHEN fc{j} > 0 THEN %(fj_{j})s || ': {{' || CONCAT_WS(', ', "
        + ", ".join(
            f"CASE WHEN fm{j}_{k} IS NOT NULL THEN %(kj_{k})s || ': ' || "
            f"{_json_number(f'fm{j}_{k}')} END"
            for k in _jsonb_order([s["key"] for s in shape.signals])
        )
        + ") || '}' END"
        for j in _jsonb_order(shape.functions)
    ]
    ph_cols = [
        *keep,
        *(f"n{k}, raw{k}, sd{k}, cal{k}" for k in K),
        "overall",
        *fms,
        f"'{{' || CONCAT_WS(', ', {', '.join(per_function)}) || '}}' AS function_means",
    ]
    for k in K:
        hi = _rowwise(d, "greatest", [f"COALESCE(fm{j}_{k}, {_NONE_LOW})" for j in J])
        lo = _rowwise(d, "least", [f"COALESCE(fm{j}_{k}, {_NONE_HIGH})" for j in J])
        ph_cols += [
            f"CASE WHEN nf{k} >= 2 THEN {hi} END AS hi{k}",
            f"CASE WHEN nf{k} >= 2 THEN {lo} END AS lo{k}",
        ]
    top_down = sorted(J, key=lambda j: shape.functions[j], reverse=True)
    bottom_up = sorted(J, key=lambda j: shape.functions[j])
    pb_cols = [
        *keep,
        f"overall / {_E9} AS overall",
        _rowwise(d, "least", [f"COALESCE(cal{k} / {_E9}, {_NONE_HIGH})" for k in K])
        + " AS min_cal",
        _rowwise(d, "least", [f"COALESCE(cal{k}, {_NONE_HIGH})" for k in K]) + " AS min_caln",
        " + ".join(f"CASE WHEN n{k} > 0 THEN 1 ELSE 0 END" for k in K) + " AS signal_count",
        "function_means",
        *(
            f"n{k}, raw{k} / {_E9} AS raw{k}, sd{k} / {_E9} AS sd{k}, cal{k} / {_E9} AS cal{k}, "
            f"hi{k}, lo{k}, hi{k} - lo{k} AS spread{k}"
            for k in K
        ),
        *(f"{ends(k, 'hi', top_down)} AS hf{k}, {ends(k, 'lo', bottom_up)} AS lf{k}" for k in K),
    ]
    return f"""pv AS (
    -- R_is, its SD, C_is and the function means as floats (OFFSET 0: each column is
    -- computed once, not once per reference)
    SELECT {", ".join(pv_cols)} FROM pi CROSS JOIN gs OFFSET 0
),
pw AS (
    SELECT pv.*, ({weighted}) / ({weights}) AS overall FROM pv OFFSET 0
),
pn AS (
    -- every rounded value, once, in units of 1e-9
    SELECT {", ".join(pn_cols)} FROM pw OFFSET 0
),
ph AS (
    -- each signal's split; the JSON text of the function means
    SELECT {", ".join(ph_cols)} FROM pn OFFSET 0
),
pb AS MATERIALIZED (
    SELECT {", ".join(pb_cols)} FROM ph
)"""


def _idea_score_upsert(d: dict[str, str], fast: bool = False) -> str:
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
    values = {
        "overall": "CAST(f.overall AS DOUBLE PRECISION)",
        "rank": "f.rnk",
        "gate_reason": "SUBSTR(f.gate_reason, 1, 300)",
        "contested_reason": "SUBSTR(f.contested_reason, 1, 300)",
    }
    values = {f: values.get(f, f"f.{f}") for f in fields}
    compared = dict(values)
    if fast:
        # the JSON is compared as the text PostgreSQL writes it and parsed only to be written
        values["function_means"] = "CAST(f.function_means AS JSONB)"
        compared["function_means"] = "f.function_means"
    sets = ", ".join(f"{f} = excluded.{f}" for f in [*fields, "computed_at"])
    # Only a row whose result changed is rewritten (and gets the new ``computed_at``): the
    # rows that did not change do not even reach the upsert (which would lock each one it
    # finds), so a rerun over the same scores writes and locks no IdeaScore.
    differs = " OR ".join(
        d["differs"].format(
            a=f"CAST(o.{f} AS TEXT)" if fast and f == "function_means" else f"o.{f}",
            b=compared[f],
        )
        for f in fields
    )
    changed = " OR ".join(d["differs"].format(a=f"{t}.{f}", b=f"excluded.{f}") for f in fields)
    return f"""
INSERT INTO {t} (round_id, idea_id, {", ".join(fields)}, computed_at)
SELECT %(round)s, f.idea_id, {", ".join(values[f] for f in fields)}, %(now)s
FROM final f LEFT JOIN cis o ON o.idea_id = f.idea_id
WHERE o.id IS NULL OR {differs}
ON CONFLICT (round_id, idea_id) DO UPDATE SET {sets}
WHERE {changed}"""


def _signal_result_upsert(idea_scores: str) -> str:
    """``idea_scores`` is a relation with (id, idea_id) of this round's IdeaScore rows."""
    t = SignalResult._meta.db_table
    cols = ["raw", "calibrated", "sd", "n"]
    changed = " OR ".join(f"{t}.{c} <> excluded.{c}" for c in cols)
    return f"""
INSERT INTO {t} (idea_score_id, signal_id, raw, calibrated, sd, n)
SELECT i.id, s.signal_id, s.raw, s.cal, s.sd, s.n
FROM srows s JOIN {idea_scores} i ON i.idea_id = s.idea_id
LEFT JOIN cur o ON o.idea_id = s.idea_id AND o.signal_id = s.signal_id
-- only new or changed rows reach the upsert: a rerun rewrites (and locks) nothing
WHERE o.id IS NULL OR o.raw <> s.raw OR o.calibrated <> s.cal OR o.sd <> s.sd OR o.n <> s.n
ON CONFLICT (idea_score_id, signal_id) DO UPDATE
SET {", ".join(f"{c} = excluded.{c}" for c in cols)}
WHERE {changed}"""


def _stale_signal_results() -> str:
    return f"""
DELETE FROM {SignalResult._meta.db_table} WHERE id IN (
    SELECT o.id FROM cur o WHERE NOT EXISTS (
        SELECT 1 FROM srows p WHERE p.idea_id = o.idea_id AND p.signal_id = o.signal_id))"""


def _stale_idea_scores() -> str:
    """Results of the round for ideas with no submitted score left (their signal results go
    in ``stale``; the foreign key is checked at commit)."""
    t = IdeaScore._meta.db_table
    return f"""
DELETE FROM {t} WHERE id IN (
    SELECT c.id FROM cis c WHERE NOT EXISTS (SELECT 1 FROM pb WHERE pb.idea_id = c.idea_id))
RETURNING idea_id"""


def _statements(vendor: str, shape: _Shape, fast: bool = False) -> list[str]:
    """``fast``: PostgreSQL only, see _nano."""
    d = _DIALECTS["postgresql" if vendor == "postgresql" else "sqlite"]
    ctes = _ctes(d, shape, fast)
    t = IdeaScore._meta.db_table
    if vendor == "postgresql":
        # One pass over the scores: the IdeaScore upsert and the SignalResult upsert in one
        # statement, and results for a signal nobody scores any more on an idea go in the same
        # pass. The upsert's RETURNING has the rows it inserted or changed; the round's other
        # rows (unchanged) come from the table as the statement found it.
        idea_scores = (
            "(SELECT id, idea_id FROM ins "
            "UNION ALL SELECT id, idea_id FROM cis WHERE idea_id NOT IN "
            "(SELECT idea_id FROM ins))"
        )
        # Results of ideas no longer scored at all go in the same statement too; it returns
        # those ideas (their latest score may move).
        return [
            f"WITH {ctes},\nins AS ({_idea_score_upsert(d, fast)}\nRETURNING id, idea_id),\n"
            f"stale AS ({_stale_signal_results()}),\n"
            f"gone AS ({_stale_idea_scores()}),\n"
            f"upserted AS ({_signal_result_upsert(idea_scores)})\n"
            "SELECT idea_id FROM gone"
        ]
    this_round = f"(SELECT id, idea_id FROM {t} WHERE round_id = %(round)s)"
    # (cis, the round's rows as the statement began, misses the rows the first one inserted)
    return [
        f"WITH {ctes}{_idea_score_upsert(d)}",
        f"WITH {ctes}{_signal_result_upsert(this_round)}",
    ]


def _g(value) -> str:
    """A number as Python's ``{:g}`` shows it (the gate threshold in explanations)."""
    return f"{float(value):g}"


def _shape(round: ReviewRound) -> tuple[_Shape, dict]:
    """The scorecard's signals (weight, scale, key, name) and the distinct functions of the
    round's reviewers who submitted, with the bound parameters naming them. Two queries."""
    weights = (
        ScorecardSignal.objects.filter(scorecard_id=round.scorecard_id)
        .select_related("signal")
        .order_by("signal_id")
    )
    signals = [
        {
            "id": w.signal_id,
            "weight": float(w.weight),
            "lo": float(w.signal.scale_min),
            "hi": float(w.signal.scale_max),
            "key": w.signal.key,
            "name": w.signal.name,
        }
        for w in weights
    ]
    # Per function of the round's reviewers: how many scorecards they submitted, and the
    # range of the ids of the round's assignments (the scores are read by that range of
    # their assignment_id index, not by a scan of every round's).
    per_function = list(
        Assignment.objects.filter(round=round)
        .order_by()
        .annotate(func=Coalesce(NullIf("reviewer__function", Value("")), Value("other")))
        .values("func")
        .annotate(n=Count("pk", filter=Q(submitted_at__isnull=False)), lo=Min("pk"), hi=Max("pk"))
        .values_list("func", "n", "lo", "hi")
    )
    functions = sorted(f for f, n, _, _ in per_function if n)
    params: dict = {
        "a_lo": min((lo for _, _, lo, _ in per_function), default=0),
        "a_hi": max((hi for _, _, _, hi in per_function), default=0),
    }
    for k, s in enumerate(signals):
        params.update(
            {
                f"sid_{k}": s["id"],
                f"w_{k}": s["weight"],
                f"lo_{k}": s["lo"],
                f"hi_{k}": s["hi"],
                f"key_{k}": s["key"],
                f"name_{k}": s["name"],
                f"kq_{k}": json.dumps(s["key"]),
            }
        )
    for j, f in enumerate(functions):
        params.update({f"f_{j}": f, f"fq_{j}": json.dumps(f)})
    for k, s in enumerate(signals):
        params[f"kj_{k}"] = json.dumps(s["key"], ensure_ascii=False)
    for j, f in enumerate(functions):
        params[f"fj_{j}"] = json.dumps(f, ensure_ascii=False)
    return _Shape(signals, functions, sum(n for _, n, _, _ in per_function)), params


@transaction.atomic
def aggregate(round_id: int) -> int:
    """Compute and store the results of a round. Returns the number of ideas scored."""
    # Lock the round row: two runs of the same round (a redelivered task, a recompute) write
    # one after the other, never interleaved.
    round = ReviewRound.objects.select_for_update().select_related("scorecard").get(pk=round_id)
    scorecard = round.scorecard
    signal_ids = list(Signal.objects.for_round(round).values_list("pk", flat=True))
    shape, shape_params = _shape(round)
    now = timezone.now()
    params = {
        **shape_params,
        "round": round.pk,
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
    # No submitted scorecard (no function) or no signal: nothing to compute, every result
    # of the round is stale (deleted below).
    unscored = None  # ideas whose result in the round was deleted
    if shape.signals and shape.functions:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # A one-off analytical statement: JIT compilation costs more than it saves
                # here, and the groupings over ~300k scores should hash in memory, not on disk.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                # The web's statement timeout (DATABASE_STATEMENT_TIMEOUT_MS, seconds) is for
                # requests; a round of 280,000 scores takes seconds on a busy machine, so this
                # job gets minutes (it runs in a worker, holding only the round's lock).
                cursor.execute("SET LOCAL statement_timeout = '10min'")
                # (floats written as their shortest exact text: see _json_number)
                cursor.execute("SET LOCAL extra_float_digits = 1")
            fast = connection.vendor == "postgresql" and shape.submitted <= _FAST_MAX_ASSIGNMENTS
            for sql in _statements(connection.vendor, shape, fast):
                cursor.execute(sql, params)
            if connection.vendor == "postgresql":
                unscored = [idea_id for (idea_id,) in cursor.fetchall()]
    if unscored is None:
        unscored = _delete_stale_idea_scores(round)
    # Same transaction as the results: the latest scores never disagree with them.
    latest_scores_refresh(round_id=round.pk, extra_idea_ids=unscored, changed_at=now)
    if connection.vendor != "postgresql":
        _delete_stale_signal_results(round, signal_ids)
    ReviewRound.objects.filter(pk=round.pk).update(aggregated_at=now)
    # Ranks are 1..N over the ideas scored (ROW_NUMBER): the last one is the count.
    last = IdeaScore.objects.filter(round=round).order_by("-rank").values_list("rank", flat=True)
    return last.first() or 0


def _delete_stale_idea_scores(round: ReviewRound) -> list[int]:
    """Delete the round's results for ideas with no submitted score on the scorecard's
    signals any more (the upsert wrote every other idea, or found it unchanged) and return
    those ideas. On PostgreSQL this is part of the upsert statement."""
    scored = Score.objects.filter(
        assignment__round=round,
        assignment__idea=OuterRef("idea"),
        assignment__submitted_at__isnull=False,
        signal__in=ScorecardSignal.objects.filter(scorecard_id=round.scorecard_id).values("signal"),
    )
    stale = IdeaScore.objects.filter(round=round).exclude(Exists(scored))
    unscored = list(stale.values_list("idea_id", flat=True))
    if unscored:  # (delete() reads the rows first, even to find none)
        IdeaScore.objects.filter(round=round, idea_id__in=unscored).delete()
    return unscored


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
