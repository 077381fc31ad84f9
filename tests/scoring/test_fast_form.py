"""The PostgreSQL aggregation's fast form (rounded values as integer-valued floats in units of
1e-9, see ``scoring.aggregation._nano``) stores exactly what the exact form (9-decimal
numerics, the SQL SQLite also runs) stores: the expressions value by value, near-ties, large
and tiny values included, and whole rounds row for row."""

import random

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scoring.aggregation as aggregation
from scoring.models import IdeaScore, SignalResult
from tests.scoring.helpers import SIGNALS, build_round

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast form is PostgreSQL's"),
]


def _values():
    """Floats on both sides of every kind of edge the fast form tests for."""
    rng = random.Random(7)
    out = [0.0, -0.0, 1.0, 5.0, -1.0, 1e-12, -1e-12, 5e-10, -5e-10, 4.5, 9999.999999999]
    # exact ties at the 10th decimal (k / 1024: x * 1e9 ends in .5) and their neighbours
    for k in range(1, 4000, 7):
        x = k / 1024
        out += [x, -x, x + 1e-12, x - 1e-12]
    # near-ties after the 15-digit cast, and plain values, in and beyond the fast range
    for _ in range(3000):
        n = rng.randrange(-(10**13), 10**13)
        out += [(n + 0.5) / 1e9, (n + 0.5 + rng.uniform(-0.02, 0.02)) / 1e9]
        out += [rng.uniform(-6, 6), rng.uniform(-5e6, 5e6), rng.uniform(-1e-3, 1e-3)]
        out += [rng.uniform(-1, 1) * 10 ** rng.randrange(-12, 7)]
    return out


def test_nano_is_the_rounded_numeric_times_1e9_and_its_text_the_trimmed_numeric():
    values = _values()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL extra_float_digits = 1")
        cursor.execute("CREATE TEMP TABLE fast_x (x DOUBLE PRECISION) ON COMMIT DROP")
        cursor.execute("INSERT INTO fast_x SELECT UNNEST(%s::DOUBLE PRECISION[])", [values])
        nano = aggregation._nano("x")
        cursor.execute(
            f"SELECT x, n, CAST(n / {aggregation._E9} AS TEXT), "
            "CAST(CAST(ROUND(CAST(x AS NUMERIC), 9) AS DOUBLE PRECISION) AS TEXT), "
            f"{aggregation._json_number('n')}, "
            "CAST(TRIM_SCALE(ROUND(CAST(x AS NUMERIC), 9)) AS TEXT), "
            f"{aggregation._dec('n')} = ROUND(CAST(x AS NUMERIC), 9) "
            f"FROM (SELECT x, {nano} AS n FROM fast_x) t"
        )
        rows = cursor.fetchall()
    assert len(rows) == len(values)
    for x, n, stored, want_stored, text, want_text, same_decimal in rows:
        assert n == int(n), x
        assert stored == want_stored, x  # the stored float, bit for bit (its exact text)
        assert text == want_text, x
        assert same_decimal, x


def _stored(round):
    scores = list(
        IdeaScore.objects.filter(round=round)
        .order_by("idea_id")
        .values_list(
            "idea_id",
            "rank",
            "overall",
            "passes_gate",
            "contested",
            "reviewers",
            "functions",
            "function_means",
            "gate_reason",
            "contested_reason",
        )
    )
    signals = list(
        SignalResult.objects.filter(idea_score__round=round)
        .order_by("idea_score__idea_id", "signal_id")
        .values_list("idea_score__idea_id", "signal_id", "raw", "calibrated", "sd", "n")
    )
    # (repr: the floats bit for bit, -0.0 apart from 0.0)
    return repr(scores), repr(signals)


def _both_forms(round):
    out = []
    for limit in (10**9, -1):  # fast, then exact
        with transaction.atomic():
            IdeaScore.objects.filter(round=round).delete()
            aggregation._FAST_MAX_ASSIGNMENTS, saved = limit, aggregation._FAST_MAX_ASSIGNMENTS
            try:
                aggregation.aggregate(round.pk)
            finally:
                aggregation._FAST_MAX_ASSIGNMENTS = saved
            out.append(_stored(round))
            transaction.set_rollback(True)
    return out


FUNCS = ["marketing", "sales", "product", "service", "it", ""]


@st.composite
def tables(draw):
    ideas = [f"I{k}" for k in range(draw(st.integers(2, 6)))]
    reviewers = [f"R{k}" for k in range(draw(st.integers(2, 6)))]
    functions = {r: draw(st.sampled_from(FUNCS)) for r in reviewers}
    table = {}
    for i in ideas:
        for r in reviewers:
            if r == "R0" or i == ideas[0] or draw(st.booleans()):
                for s in SIGNALS:
                    if s == "importance" or draw(st.integers(0, 5)):
                        table[(i, r, s)] = draw(st.integers(1, 5))
    return table, functions


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=tables())
def test_a_round_stores_the_same_rows_in_both_forms(data):
    table, functions = data
    with transaction.atomic():
        round, _, _ = build_round(table, functions)
        fast, exact = _both_forms(round)
        transaction.set_rollback(True)
    assert fast == exact
