"""``Idea.latest_score``: kept by the aggregation, equal to what the rebuild computes."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from ideas.models import Idea
from scoring.aggregation import aggregate
from scoring.models import IdeaScore, Score
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
    return dict(Idea.objects.order_by("pk").values_list("pk", "latest_score"))


def test_it_keeps_the_overall_of_the_latest_round_and_the_rebuild_agrees():
    first, ideas1, _ = build_round(table({"A": 4, "B": 2}), FUNCTIONS)
    aggregate(first.pk)
    a, b = ideas1["A"], ideas1["B"]
    a.refresh_from_db()
    # Every reviewer gives 4 on every signal: the calibrated and overall scores are 4.
    assert a.latest_score == Decimal("4")
    assert Idea.objects.get(pk=b.pk).latest_score == Decimal("2")

    # A second round scores another idea; the first round's ideas keep their scores.
    second, ideas2, _ = build_round(table({"C": 3}), FUNCTIONS)
    aggregate(second.pk)
    assert Idea.objects.get(pk=ideas2["C"].pk).latest_score == Decimal("3")
    assert Idea.objects.get(pk=a.pk).latest_score == Decimal("4")

    before = maintained()
    Idea.objects.update(latest_score=None)
    call_command("rebuild_latest_scores", stdout=StringIO())
    assert maintained() == before


def test_an_idea_no_longer_scored_in_a_round_falls_back_to_nothing():
    round, ideas, _ = build_round(table({"A": 5}), FUNCTIONS)
    aggregate(round.pk)
    idea = ideas["A"]
    assert Idea.objects.get(pk=idea.pk).latest_score == Decimal("5")

    Score.objects.filter(assignment__idea=idea).delete()
    aggregate(round.pk)
    assert not IdeaScore.objects.filter(idea=idea).exists()
    assert Idea.objects.get(pk=idea.pk).latest_score is None


def test_the_queryset_method_agrees_with_the_column():
    round, _, _ = build_round(table({"A": 4, "B": 3}), FUNCTIONS)
    aggregate(round.pk)
    again, _, _ = build_round(table({"D": 2}), FUNCTIONS)
    aggregate(again.pk)
    latest = {row.idea_id: row.overall for row in IdeaScore.objects.latest_per_idea()}
    for pk, score in maintained().items():
        assert (float(score) if score is not None else None) == latest.get(pk)
