"""``LatestScore``: kept by the aggregation, equal to what the rebuild computes."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ideas.filters import order_ideas
from ideas.models import Idea, LatestScore
from scoring.aggregation import aggregate
from scoring.latest import latest_scores_rebuild, latest_scores_refresh
from scoring.models import IdeaScore, Score
from tests.factories import IdeaFactory
from tests.scoring.helpers import build_round

pytestmark = pytest.mark.django_db

FUNCTIONS = {"Ann": "product", "Bo": "sales", "Cy": "it"}


def table(values):
    """Every reviewer gives every signal of idea ``label`` the value ``values[label]``."""
    return {
        (idea, reviewer, signal): value
        for idea, value in values.items()
        for reviewer in FUNCTIONS
        for signal in ("importance", "evidence", "uniqueness", "defensibility")
    }


def maintained() -> dict[int, Decimal | None]:
    return dict(Idea.objects.order_by("pk").values_list("pk", "latest__score"))


def score_of(idea) -> Decimal | None:
    return maintained()[idea.pk]


def test_it_keeps_the_overall_of_the_latest_round_and_the_rebuild_agrees():
    first, ideas1, _ = build_round(table({"A": 4, "B": 2}), FUNCTIONS)
    aggregate(first.pk)
    a, b = ideas1["A"], ideas1["B"]
    # Every reviewer gives 4 on every signal: the calibrated and overall scores are 4.
    assert score_of(a) == Decimal("4")
    assert score_of(b) == Decimal("2")

    # A second round scores another idea; the first round's ideas keep their scores.
    second, ideas2, _ = build_round(table({"C": 3}), FUNCTIONS)
    aggregate(second.pk)
    assert score_of(ideas2["C"]) == Decimal("3")
    assert score_of(a) == Decimal("4")

    before = maintained()
    # Nothing to do: the rebuild writes no row.
    assert latest_scores_rebuild() == 0
    # A wrong value, a missing one, and one for an idea never scored: all put right.
    LatestScore.objects.filter(idea=a).update(score=Decimal("1.5"))
    LatestScore.objects.filter(idea=b).delete()
    LatestScore.objects.create(idea=IdeaFactory(), score=Decimal("3"))
    out = StringIO()
    call_command("rebuild_latest_scores", stdout=out)
    assert out.getvalue().strip() == "rebuilt the latest scores: 3 row(s) written or deleted"
    assert maintained() == {**before, max(before) + 1: None}


def test_an_idea_no_longer_scored_in_a_round_falls_back_to_nothing():
    round, ideas, _ = build_round(table({"A": 5}), FUNCTIONS)
    aggregate(round.pk)
    idea = ideas["A"]
    assert score_of(idea) == Decimal("5")

    Score.objects.filter(assignment__idea=idea).delete()
    aggregate(round.pk)
    assert not IdeaScore.objects.filter(idea=idea).exists()
    assert score_of(idea) is None
    assert not LatestScore.objects.filter(idea=idea).exists()


def test_the_queryset_method_agrees_with_the_column():
    round, _, _ = build_round(table({"A": 4, "B": 3}), FUNCTIONS)
    aggregate(round.pk)
    again, _, _ = build_round(table({"D": 2}), FUNCTIONS)
    aggregate(again.pk)
    latest = {row.idea_id: row.overall for row in IdeaScore.objects.latest_per_idea()}
    for pk, score in maintained().items():
        assert (float(score) if score is not None else None) == latest.get(pk)


def test_a_rerun_writes_no_latest_score(django_assert_num_queries):
    round, _, _ = build_round(table({"A": 4, "B": 2}), FUNCTIONS)
    aggregate(round.pk)
    before = maintained()
    # No result of the round changed at this time: no candidate, nothing written.
    # The upsert (and, on PostgreSQL, the advisory lock that orders refreshes).
    n = 2 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(n):
        assert latest_scores_refresh(round_id=round.pk, changed_at=timezone.now()) == 0
    # Every result of the round a candidate: the values are right, nothing written.
    assert latest_scores_refresh(round_id=round.pk) == 0
    assert maintained() == before


def test_the_board_sorts_by_the_latest_score_best_first_unscored_last(django_assert_num_queries):
    round, ideas, _ = build_round(table({"A": 4, "B": 2}), FUNCTIONS)
    aggregate(round.pk)
    never = IdeaFactory()
    pks = [ideas["A"].pk, ideas["B"].pk, never.pk]
    # One query: the ideas LEFT JOIN their latest scores, ordered.
    with django_assert_num_queries(1):
        order = list(
            order_ideas(Idea.objects.filter(pk__in=pks), "score").values_list("pk", flat=True)
        )
    assert order == pks
