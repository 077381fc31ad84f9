"""Query counts for the dashboard, the summary API and the lists; each query named."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tests.budgets.conftest import closed_round
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

# The 5 queries of insights.dashboard.executive_summary, whatever the data size:
# committed allocations grouped by type x cycle x campaign (amounts and their maintained
# spent: no spend row is read), funnel, top ideas, ideas without owner, snapshots.
SUMMARY = 5


@pytest.fixture
def busy_year(fy, manager):
    journey = factories.JourneyFactory()
    stages = [factories.StageFactory(journey=journey, cycle=c) for c in ("buy", "own", "advocate")]
    campaigns = [factories.CampaignFactory() for _ in range(3)]
    rnd = closed_round()
    from scoring.latest import latest_scores_rebuild
    from scoring.models import IdeaScore

    for i in range(12):
        idea = factories.IdeaFactory(
            status="funded",
            owner=manager if i % 4 else None,
            stage=stages[i % 3],
            campaign=campaigns[i % 3],
            innovation_type=["optimization", "new_experience", "new_technology"][i % 3],
        )
        IdeaScore.objects.create(
            round=rnd,
            idea=idea,
            overall=3 + i / 10,
            passes_gate=True,
            contested=False,
            reviewers=3,
            functions=3,
            rank=i + 1,
        )
        latest_scores_rebuild(idea_ids=[idea.pk])  # as the aggregation would
        allocation = factories.AllocationFactory(
            fiscal_year=fy, idea=idea, amount=Decimal("1000"), allocated_by=manager
        )
        factories.SpendFactory(allocation=allocation, amount=Decimal("10"), recorded_by=manager)
        factories.BudgetSnapshotFactory(fiscal_year=fy, date=date(2026, 3, i + 1))
    return fy


def test_the_dashboard_query_count(client, executive, busy_year, django_assert_num_queries):
    client.force_login(executive)
    # 1 session, 2 user with their groups (rules) and the layout's panel membership and unread
    # count (accounts.layout), 3 fiscal years for the chooser, 4-8 the summary (SUMMARY), 9 the
    # value realised by the year's ideas (the portfolio line)
    with django_assert_num_queries(4 + SUMMARY):
        response = client.get(reverse("insights:dashboard"), {"fiscal_year": busy_year.pk})
    assert response.status_code == 200


def test_the_summary_api_query_count(executive, busy_year, django_assert_num_queries):
    client = api_as(executive)
    # 1 user's groups (rules), 2 the fiscal year, 3-7 the summary (SUMMARY)
    with django_assert_num_queries(2 + SUMMARY):
        response = client.get(f"/api/v1/budgets/fiscal-years/{busy_year.pk}/summary/")
    assert response.status_code == 200


def test_the_allocations_list_query_count(executive, busy_year, django_assert_num_queries):
    client = api_as(executive)
    # 1 user's groups (rules), 2 count, 3 page of allocations
    with django_assert_num_queries(3):
        response = client.get("/api/v1/budgets/allocations/")
    assert response.json()["count"] == 12


def test_the_spends_list_query_count(executive, busy_year, django_assert_num_queries):
    client = api_as(executive)
    # 1 user's groups (rules), 2 count, 3 page of spends
    with django_assert_num_queries(3):
        response = client.get("/api/v1/budgets/spends/")
    assert response.json()["count"] == 12


def test_the_fiscal_year_page_query_count(client, manager, busy_year, django_assert_num_queries):
    client.force_login(manager)
    # 1 session, 2 user with their groups and the layout's facts (accounts.layout; a manager
    # moderates, so the moderation queue's waiting count too), 3 the fiscal year, 4 committed
    # total, 5 allocations with spent, idea and allocator, 6 any fundable idea? 7 fundable
    # ideas (select options), 8 any committed allocation? 9 committed allocations with what is
    # left (spend form's options)
    with django_assert_num_queries(9):
        response = client.get(reverse("budgets:fiscal_year", args=[busy_year.pk]))
    assert response.status_code == 200
