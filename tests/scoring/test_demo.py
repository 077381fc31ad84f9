import io

import pytest

from accounts import demo as accounts_demo
from scoring import demo
from scoring.models import Assignment, IdeaScore, ReviewRound
from tests.factories import IdeaFactory


@pytest.fixture
def seeded(db):
    people = accounts_demo.seed()
    author = people["employee@example.com"]
    for k in range(14):
        IdeaFactory(status="screening", author=author, title=f"Demo idea {k}")
    out = io.StringIO()
    demo.seed(stdout=out)
    return out.getvalue()


def test_it_seeds_rounds_idempotently(seeded):
    closed = ReviewRound.objects.get(name=demo.CLOSED_ROUND)
    assert closed.status == "closed" and closed.results.count() == 6
    assert ReviewRound.objects.get(name=demo.OPEN_ROUND).status == "open"
    assert ReviewRound.objects.get(name=demo.DRAFT_ROUND).status == "draft"
    assert "cannot open a round" in seeded
    counts = (ReviewRound.objects.count(), Assignment.objects.count(), IdeaScore.objects.count())
    demo.seed()
    assert counts == (
        ReviewRound.objects.count(),
        Assignment.objects.count(),
        IdeaScore.objects.count(),
    )


def test_the_closed_round_has_a_contested_idea_and_a_corrected_harsh_reviewer(seeded):
    closed = ReviewRound.objects.get(name=demo.CLOSED_ROUND)
    assert closed.results.filter(contested=True).exists()
    top = closed.results.get(rank=1)
    # Ivy (IT) scores low by habit; calibrated, her function's mean is not the lowest.
    means = top.function_means
    assert means["it"]["importance"] > 4


def test_the_open_round_is_half_done_for_the_panelist(seeded):
    mine = Assignment.objects.filter(
        round__name=demo.OPEN_ROUND, reviewer__email="panelist@example.com"
    )
    assert mine.filter(submitted_at__isnull=False).exists()
    assert mine.filter(submitted_at__isnull=True).exists()
    assert mine.filter(submitted_at__isnull=True, scores__isnull=False).exists()


def test_it_skips_without_ideas(db):
    accounts_demo.seed()
    out = io.StringIO()
    demo.seed(stdout=out)
    assert "skipped rounds" in out.getvalue()
    assert not ReviewRound.objects.exists()
