"""Property tests of the aggregation (hypothesis). Each example runs in a savepoint that is
rolled back, so examples do not see each other's rows."""

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ideas.models import Idea
from scoring.aggregation import aggregate
from scoring.models import Assignment, IdeaScore, Score, SignalResult
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


def _latest(ideas) -> dict:
    pks = [i.pk for i in ideas.values()]
    return dict(Idea.objects.filter(pk__in=pks).values_list("title", "latest__score"))


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(data=tables(), pick=st.data(), arrives=st.booleans())
def test_a_run_after_one_scorecard_equals_a_full_run(data, pick, arrives):
    """Runs only rewrite what changed (IdeaScore, SignalResult, LatestScore): after one
    scorecard arrives (or is withdrawn) the rows equal those of a first run over the final
    scores, including when that idea loses its last scorecard (its results are deleted)."""
    table, functions = data
    pairs = sorted({(i, r) for i, r, _ in table})
    idea, reviewer = pick.draw(st.sampled_from(pairs))

    def one_scorecard_later():
        round, ideas, reviewers = build_round(table, functions)
        card = Assignment.objects.filter(
            round=round, idea=ideas[idea], reviewer=reviewers[reviewer]
        )
        if arrives:
            card.update(submitted_at=None)  # not yet submitted at the first run
        aggregate(round.pk)
        card.update(submitted_at=timezone.now() if arrives else None)
        aggregate(round.pk)
        return results(round), _latest(ideas)

    def full_run():
        round, ideas, reviewers = build_round(table, functions)
        if not arrives:  # withdrawn: the final state has it unsubmitted
            Assignment.objects.filter(
                round=round, idea=ideas[idea], reviewer=reviewers[reviewer]
            ).update(submitted_at=None)
        aggregate(round.pk)
        return results(round), _latest(ideas)

    assert _rolled_back(one_scorecard_later) == _rolled_back(full_run)


def _snapshot(round) -> tuple:
    """Ids and ``computed_at`` of the round's rows: what a run that writes nothing keeps."""
    return (
        sorted(IdeaScore.objects.filter(round=round).values_list("id", "idea_id", "computed_at")),
        sorted(
            SignalResult.objects.filter(idea_score__round=round).values_list(
                "id", "idea_score_id", "signal_id"
            )
        ),
    )


@st.composite
def events(draw, table):
    """One to three changes to a round's scorecards: one arrives (it was not submitted at
    the first run), one is withdrawn, or a reviewer changes a value of a submitted one."""
    pairs = sorted({(i, r) for i, r, _ in table})
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["arrives", "withdrawn", "changed"]))
        idea, reviewer = draw(st.sampled_from(pairs))
        signal = draw(st.sampled_from(SIGNALS))
        out.append((kind, idea, reviewer, signal, draw(st.integers(1, 5))))
    return out


def _apply(round, ideas, reviewers, event) -> None:
    kind, idea, reviewer, signal, value = event
    card = Assignment.objects.filter(round=round, idea=ideas[idea], reviewer=reviewers[reviewer])
    if kind == "arrives":
        card.update(submitted_at=timezone.now())
    elif kind == "withdrawn":
        card.update(submitted_at=None)
    else:
        Score.objects.filter(assignment__in=card, signal__key=signal).update(value=value)


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(data=tables(), pick=st.data())
def test_runs_after_a_series_of_changes_equal_a_full_run(data, pick):
    """The incremental path (only changed rows reach the upserts; only the ideas whose result
    changed in a run are candidates for a new latest score): after each of a series of
    changes a run, and the rows then equal those of one full run over the final scores; a
    rerun after that rewrites nothing (same ids, same ``computed_at``)."""
    table, functions = data
    series = pick.draw(events(table))
    late = {(i, r) for kind, i, r, _, _ in series if kind == "arrives"}

    def step_by_step():
        round, ideas, reviewers = build_round(table, functions)
        for i, r in late:  # not yet submitted at the first run
            Assignment.objects.filter(round=round, idea=ideas[i], reviewer=reviewers[r]).update(
                submitted_at=None
            )
        aggregate(round.pk)
        for event in series:
            _apply(round, ideas, reviewers, event)
            aggregate(round.pk)
        before = _snapshot(round)
        aggregate(round.pk)
        assert _snapshot(round) == before
        return results(round), _latest(ideas)

    def full_run():
        round, ideas, reviewers = build_round(table, functions)
        for i, r in late:
            Assignment.objects.filter(round=round, idea=ideas[i], reviewer=reviewers[r]).update(
                submitted_at=None
            )
        for event in series:
            _apply(round, ideas, reviewers, event)
        aggregate(round.pk)
        return results(round), _latest(ideas)

    assert _rolled_back(step_by_step) == _rolled_back(full_run)
