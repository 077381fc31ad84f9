"""The panels-and-rounds page lists review rounds newest first, 25 to a page, each with its
maintained progress, in a fixed number of queries however many rounds there are."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.views import ROUNDS_PAGE_SIZE
from tests.factories import PanelFactory, ReviewRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds(db):
    """27 rounds of one panel, "Round 01" the oldest and "Round 27" the newest."""
    panel = PanelFactory()
    start = timezone.now() - timedelta(days=60)
    made = [ReviewRoundFactory(panel=panel, name=f"Round {n:02d}") for n in range(1, 28)]
    for n, round in enumerate(made, start=1):
        type(round).objects.filter(pk=round.pk).update(created_at=start + timedelta(days=n))
    return made


def _names(html: str) -> list[str]:
    """The rounds' names in the order the page lists them."""
    return re.findall(r">(Round \d\d)</a>", html)


def test_it_pages_the_rounds_newest_first(client, manager, rounds):
    assert ROUNDS_PAGE_SIZE == 25
    client.force_login(manager)
    first = client.get(reverse("scoring:rounds")).content.decode()
    # Page 1: the 25 newest, Round 27 down to Round 03; page 2: Round 02 and Round 01.
    assert _names(first) == [f"Round {n:02d}" for n in range(27, 2, -1)]
    assert "Page 1 of 2" in first
    second = client.get(reverse("scoring:rounds"), {"page": 2}).content.decode()
    assert _names(second) == ["Round 02", "Round 01"]
    assert "Page 2 of 2" in second


def test_it_reads_a_page_in_a_fixed_number_of_queries(
    client, manager, rounds, django_assert_num_queries
):
    client.force_login(manager)
    # 1 session, 2 user, 3 default scorecard, 4 count of rounds, 5 panels with coverage,
    # 6 scorecards with their signal counts, 7 the page of rounds with progress summed
    with django_assert_num_queries(7):
        response = client.get(reverse("scoring:rounds"), {"page": 2})
    assert response.status_code == 200
