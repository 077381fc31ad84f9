"""Suggested places: full-text ranking and trigrams on PostgreSQL, word overlap elsewhere;
the same answers on both for the cases a curator would judge obvious."""

import pytest
from django.db import connection

from feedback.placement import suggest_many
from journeys.models import Journey
from tests.factories import MomentFactory


@pytest.fixture
def places(journey_places):
    # A third moment that shares "app" with the login moment, only in its description.
    journey_places["statement"] = MomentFactory(
        stage=journey_places["use"],
        name="Monthly statement",
        description="The statement arrives late in the app or by post.",
    )
    return journey_places


CASES = [
    # words of the name win (name counts twice)
    ("I was locked out of the app after the update", "login"),
    ("Nobody helped with the disputed card payment", "dispute"),
    ("My statement never arrived", "statement"),
    # nothing that overlaps enough: no suggestion
    ("Lovely weather today", None),
    ("", None),
]


def test_it_suggests_the_moment_whose_words_the_text_shares(places):
    texts = [text for text, _ in CASES]
    expected = [places[key].pk if key else None for _, key in CASES]
    assert suggest_many(texts, Journey.objects.default()) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgresql_matches_stems_and_breaks_ties_with_trigrams(places):
    journey = Journey.objects.default()
    # "disputing" and "transactions" stem to the name's words; one word of the name suffices.
    [dispute] = suggest_many(["Still disputing those transactions"], journey)
    assert dispute == places["dispute"].pk
    # One word found only in a description is too little overlap; two are enough.
    assert suggest_many(["by post"], journey) == [None]
    assert suggest_many(["it arrived late, by post"], journey) == [places["statement"].pk]
    # Stop words and punctuation only: nothing to rank.
    assert suggest_many(["and the, of!"], journey) == [None]
