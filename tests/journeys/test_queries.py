"""The map's query count does not grow with the number of ideas."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from insights.selectors import journey_map
from journeys.models import Journey, Stage
from tests.conftest import api_as
from tests.factories import IdeaFactory, MomentFactory

pytestmark = pytest.mark.django_db

STATUSES = ["submitted", "in_review", "approved", "funded", "launched"]


@pytest.fixture
def fill(employee):
    journey = Journey.objects.get(is_default=True)
    stages = list(Stage.objects.of_journey(journey))
    moments = [MomentFactory(stage=stage) for stage in stages[:4]]

    def _fill(n: int):
        for i in range(n):
            stage = stages[i % len(stages)]
            moment = next((m for m in moments if m.stage_id == stage.pk), None)
            IdeaFactory(stage=stage, moment=moment, status=STATUSES[i % 5], author=employee)
        return journey

    return _fill


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_it_computes_the_map_in_a_fixed_number_of_queries(
    fill, manager, employee, django_assert_num_queries
):
    journey = fill(2)
    manager.has_perm("insights.view_funding")  # warm the group cache
    employee.has_perm("insights.view_funding")
    # 1 stages with their counts and score sums per status, 2 money per stage, 3 gaps
    with django_assert_num_queries(3):
        journey_map(journey=journey, viewer=manager)
    # the same without money: 1 stages with counts, 2 gaps
    with django_assert_num_queries(2):
        journey_map(journey=journey, viewer=employee)


def test_it_does_not_grow_with_the_number_of_ideas(fill, client, manager):
    client.force_login(manager)
    journey = fill(2)
    url = reverse("insights:journey_map", args=[journey.pk])
    api_url = f"/api/v1/journeys/{journey.pk}/map/"

    def api_get():
        # A fresh user object each time, as in a real request (rules caches groups on it).
        api_as(User.objects.get(pk=manager.pk)).get(api_url)

    page_with_2, api_with_2 = _count(lambda: client.get(url)), _count(api_get)
    fill(18)
    assert _count(lambda: client.get(url)) == page_with_2
    assert _count(api_get) == api_with_2


def test_it_renders_the_page_in_a_known_number_of_queries(fill, client, manager):
    journey = fill(20)
    client.force_login(manager)
    url = reverse("insights:journey_map", args=[journey.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    # The shared layout (session, user, groups, the nav's permissions, the bell) belongs to
    # other apps and does not touch journeys tables. The map's own queries are exactly:
    # 1 journey, 2 campaigns on the journey, 3 fiscal years on the journey,
    # 4 stages with their counts and score sums, 5 money per stage, 6 gaps.
    own = [q["sql"] for q in ctx.captured_queries if "journeys_" in q["sql"]]
    assert len(own) == 6, own


def test_it_renders_the_cell_panel_in_a_known_number_of_queries(
    fill, client, employee, django_assert_num_queries
):
    journey = fill(20)
    client.force_login(employee)
    stage = Stage.objects.get(journey=journey, order=1)
    url = reverse("insights:journey_cell", args=[journey.pk, stage.pk])
    # 1 session, 2 user, 3 journey, 4 stage, 5 the stage's live ideas with their moments
    # (an employee passes journeys.view_map without a groups query)
    with django_assert_num_queries(5):
        client.get(url, headers={"HX-Request": "true"})


def test_it_lists_journeys_in_a_known_number_of_queries(employee, django_assert_num_queries):
    api = api_as(employee)
    # 1 count, 2 page of journeys, 3 prefetch stages
    with django_assert_num_queries(3):
        assert api.get("/api/v1/journeys/").status_code == 200


def test_the_api_map_answers_in_a_known_number_of_queries(fill, manager, django_assert_num_queries):
    journey = fill(20)
    api = api_as(manager)
    # 1 the manager's groups (rules), 2 journey, 3 stages with their counts and score sums
    # per status, 4 money per stage (a manager sees it), 5 gaps
    with django_assert_num_queries(5):
        assert api.get(f"/api/v1/journeys/{journey.pk}/map/").status_code == 200
