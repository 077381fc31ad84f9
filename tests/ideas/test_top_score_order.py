"""The board sorted by top score: best latest score first, then newest (then the higher id);
ideas never scored last, newest first. A page is read from two ordered walks (the scored
ideas, the unscored ones) cut at the end of the page (ideas.filters.TopScoreWindow): every
page, the filters and the count must be those of the plain sort."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ideas import views
from ideas.filters import NEWEST, TOP_SCORE_ORDER, IdeaFilter, order_ideas
from ideas.models import Idea, LatestScore
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "idea-list"}


@pytest.fixture
def ideas():
    """Label: latest score (None: never scored), minutes old. C and E were made at the same
    instant, E after C (a higher id). X is someone's draft: only managers see it. A and N2
    are in screening; B and N1 mention a zebrafish."""
    now = timezone.now()
    same_instant = now - timedelta(minutes=1)
    rows = [
        ("D", "5.0", 60, {}),
        ("X", "4.9", 20, {"status": "draft"}),
        ("A", "4.5", 10, {"status": "screening"}),
        ("B", "4.5", 5, {"words": "zebrafish"}),
        ("C", "3.0", 1, {}),
        ("E", "3.0", 1, {}),
        ("N1", None, 30, {"words": "zebrafish"}),
        ("N2", None, 2, {"status": "screening"}),
    ]
    made = {}
    for label, score, minutes, extra in rows:
        created = same_instant if minutes == 1 else now - timedelta(minutes=minutes)
        title = f"Idea {label} {extra.pop('words', '')}".strip()
        made[label] = IdeaFactory(title=title, created_at=created, **extra)
        if score is not None:
            LatestScore.objects.create(idea=made[label], score=Decimal(score))
    assert made["E"].pk > made["C"].pk
    return made


def labels(response) -> list[str]:
    return [idea.title.split()[1] for idea in response.context["page"].object_list]


def pages(client, query: str, count: int) -> list[list[str]]:
    return [
        labels(client.get(f"/ideas/?ordering=score{query}&page={n}", **HTMX))
        for n in range(1, count + 1)
    ]


@pytest.fixture
def pages_of_three(monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)


def test_a_manager_pages_through_best_first_then_newest_unscored_last(
    client, manager, ideas, pages_of_three
):
    client.force_login(manager)
    # D 5.0; X 4.9; B and A both 4.5, B the newer; E and C both 3.0 and made at the same
    # instant, E the higher id; then the unscored, N2 (2 min) before N1 (30 min).
    assert pages(client, "", 3) == [["D", "X", "B"], ["A", "E", "C"], ["N2", "N1"]]
    response = client.get("/ideas/?ordering=score", **HTMX)
    assert response.context["page"].paginator.count == 8


def test_an_employee_does_not_see_the_draft_and_a_page_crosses_into_the_unscored(
    client, employee, ideas, pages_of_three
):
    client.force_login(employee)
    # As for the manager without X: page 2 ends with the newest unscored idea.
    assert pages(client, "", 3) == [["D", "B", "A"], ["E", "C", "N2"], ["N1"]]
    response = client.get("/ideas/?ordering=score", **HTMX)
    assert response.context["page"].paginator.count == 7


def test_the_filters_still_apply(client, manager, ideas, pages_of_three):
    client.force_login(manager)
    # In screening: A (4.5) and N2 (never scored).
    assert pages(client, "&status=screening", 1) == [["A", "N2"]]
    # Searched (sorted whole): B (4.5), N1 (never scored).
    assert pages(client, "&q=zebrafish", 1) == [["B", "N1"]]
    # Both: nothing.
    assert pages(client, "&q=zebrafish&status=screening", 1) == [[]]


@pytest.mark.parametrize(("low", "high"), [(0, 2), (1, 4), (3, 6), (4, 5), (5, 8), (6, 20)])
def test_every_slice_is_the_plain_sorts_slice(ideas, low, high):
    """The window is compiled into the sliced query: any slice, same rows as sorting all."""
    plain = list(Idea.objects.order_by(*TOP_SCORE_ORDER, *NEWEST).values_list("title", flat=True))
    windowed = order_ideas(Idea.objects.all(), "score")
    assert list(windowed[low:high].values_list("title", flat=True)) == plain[low:high]
    # Unsliced (the CSV export) and counted: every idea.
    assert list(windowed.values_list("title", flat=True)) == plain
    assert windowed.count() == 8
    # Sorted again in another order, a slice is that order's (the window is not applied).
    titles = sorted(plain)
    assert (
        list(windowed.order_by("title")[low:high].values_list("title", flat=True))
        == (titles[low:high])
    )


def test_the_page_query_count_is_the_boards(
    client, manager, ideas, pages_of_three, django_assert_num_queries
):
    client.force_login(manager)
    # 1 session, 2 user (with groups, panel membership, unread count and the moderation
    # queue's waiting count), 3 count, 4 the page of ideas (the two ordered walks are a
    # condition in it), on a later page as on the first
    with django_assert_num_queries(4):
        response = client.get("/ideas/?ordering=score&status=screening&page=1", **HTMX)
    assert labels(response) == ["A", "N2"]
    with django_assert_num_queries(4):
        response = client.get("/ideas/?ordering=score&page=2", **HTMX)
    assert labels(response) == ["A", "E", "C"]


def test_it_sorts_after_every_other_filter():
    # The top-score window walks the ideas as filtered when the sort is applied: a filter
    # applied after the sort would leave pages short. django-filter applies the filters in
    # the order they are declared, so the sort must stay the last one.
    assert list(IdeaFilter.base_filters)[-1] == "ordering"
