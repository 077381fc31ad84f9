"""The board's paginator: exact counts for small lists, the planner's estimate for large ones
(ideas.pagination; issue 8). One query either way, so the query-count tests stay valid."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ideas import pagination
from ideas.models import Idea
from ideas.search import search
from tests.factories.ideas import IdeaFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture
def ideas(employee):
    return IdeaFactory.create_batch(3, status="submitted")


def test_it_counts_exactly_below_the_threshold(ideas):
    paginator = pagination.EstimatedCountPaginator(Idea.objects.order_by("-id"), 2)
    # 1 the count (an estimate and, below the threshold, the exact count in one statement)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 3
    assert len(queries) == 1
    assert paginator.estimated is False
    assert paginator.num_pages == 2


def test_it_counts_exactly_for_a_filter_too(ideas):
    qs = Idea.objects.filter(pk__in=[ideas[0].pk, ideas[1].pk]).order_by("-id")
    assert pagination.count_or_estimate(qs) == (2, False)


def test_it_uses_the_planner_estimate_above_the_threshold(ideas, monkeypatch):
    require_postgres()
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 0)
    paginator = pagination.EstimatedCountPaginator(Idea.objects.order_by("-id"), 2)
    # 1 the estimate (the COUNT sub-select is never run)
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    assert len(queries) == 1
    assert "juncture_count_estimate" in queries[0]["sql"]
    assert paginator.estimated is True
    assert isinstance(count, int) and count >= 0


def test_it_quotes_the_search_text_it_estimates(ideas, monkeypatch):
    require_postgres()
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 0)
    # A quote in the search text must reach EXPLAIN as a literal, not as SQL.
    qs = search(Idea.objects.all(), "it's a '; DROP TABLE ideas_idea; --")
    _count, estimated = pagination.count_or_estimate(qs)
    assert estimated is True
    assert Idea.objects.count() == 3


def test_the_board_says_about_for_an_estimate(client, employee, ideas, monkeypatch):
    require_postgres()
    monkeypatch.setattr(pagination, "ESTIMATE_ABOVE", 0)
    client.force_login(employee)
    response = client.get("/ideas/")
    assert response.status_code == 200
    assert b"About " in response.content


@pytest.mark.django_db
def test_an_empty_queryset_counts_zero_without_a_query_error():
    from ideas.models import Idea
    from ideas.pagination import count_or_estimate

    assert count_or_estimate(Idea.objects.none()) == (0, False)
