"""Property tests of the aggregation (hypothesis). Each example runs in a savepoint that is
rolled back, so examples do not see each other's rows."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.aggregation import aggregate
from tests.scoring.helpers import SIGNALS, build_round, results

FUNCS = ["marketing", "sales", "product", "service", "it"]
PROPERTY_SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def tables(draw, full=False):
    ideas = [f"I{k}" for k in range(draw(st.integers(3, 4)))]
    reviewers = [f"R{k}" for k in range(draw(st.integers(3, 4)))]
    functions = {r: draw(st.sampled_from(FUNCS)) for r in reviewers}
    table = {}
    for i in ideas:
        for r in reviewers:
            # R0 always scores everything (n >= 3); others may skip an idea.
            if full or r == "R0" or draw(st.booleans()) or i == ideas[0]:
                for s in SIGNALS:
                    table[(i, r, s)] = draw(st.integers(1, 5))
    return table, functions


def _rolled_back(fn):
    with transaction.atomic():
        out = fn()
        transaction.set_rollback(True)
    return out


def _run(table, functions, order=None):
    round, _, _ = build_round(table, functions, order=order)
    aggregate(round.pk)
    return results(round)


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(data=tables(full=True), shift=st.integers(-4, 4))
def test_it_keeps_each_signals_calibrated_order_when_a_reviewer_shifts_all_scores(data, shift):
    table, functions = data
    mine = [v for (_, r, _), v in table.items() if r == "R0"]
    shift = max(1 - min(mine), min(shift, 5 - max(mine)))  # stay on the scale
    shifted = {k: v + shift if k[1] == "R0" else v for k, v in table.items()}
    before = _rolled_back(lambda: _run(table, functions))
    after = _rolled_back(lambda: _run(shifted, functions))
    ideas = sorted(before)
    for s in SIGNALS:
        for i in ideas:
            for j in ideas:
                if before[i][6][s][1] > before[j][6][s][1] + 1e-7:
                    assert after[i][6][s][1] >= after[j][6][s][1] - 1e-7, (s, i, j)


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(data=tables(), seed=st.randoms(use_true_random=False))
def test_it_does_not_depend_on_the_order_scores_were_inserted(data, seed):
    table, functions = data
    order = list(range(len(table)))
    seed.shuffle(order)
    first = _rolled_back(lambda: _run(table, functions))
    second = _rolled_back(lambda: _run(table, functions, order=order))
    assert first == second


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(data=tables())
def test_it_writes_identical_rows_when_rerun(data):
    table, functions = data

    def twice():
        round, _, _ = build_round(table, functions)
        aggregate(round.pk)
        first = results(round)
        aggregate(round.pk)
        return first, results(round)

    first, second = _rolled_back(twice)
    assert first == second
