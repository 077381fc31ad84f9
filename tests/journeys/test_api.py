"""GET /api/v1/journeys/, /journeys/{id}/ and /journeys/{id}/map/."""

import pytest

from insights.selectors import journey_map
from journeys.models import Journey
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_it_lists_journeys_with_their_stages(employee):
    response = api_as(employee).get("/api/v1/journeys/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    journey = body["results"][0]
    assert set(journey) == {"id", "name", "is_default", "stages"}
    assert journey["is_default"] is True
    assert journey["stages"][3] == {
        "id": journey["stages"][3]["id"],
        "name": "Purchase",
        "cycle": "buy",
        "kind": "juncture",
        "order": 4,
    }


def test_it_returns_one_journey(employee):
    journey = Journey.objects.get(is_default=True)
    body = api_as(employee).get(f"/api/v1/journeys/{journey.pk}/").json()
    assert [s["name"] for s in body["stages"]][-3:] == ["Recommend", "Review & share", "Refer"]
    assert api_as(employee).get("/api/v1/journeys/999999/").status_code == 404


def test_it_returns_the_same_numbers_as_the_page(small_map, manager):
    journey = small_map["journey"]
    response = api_as(manager).get(f"/api/v1/journeys/{journey.pk}/map/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"journey", "stages", "as_of"}
    a = body["stages"][0]
    assert set(a) == {
        "id",
        "name",
        "cycle",
        "kind",
        "ideas",
        "mean_score",
        "allocated",
        "gaps",
        "customers_affected",
    }
    assert a["ideas"] == {"new": 2, "in_review": 2, "approved": 2, "launched": 1, "total": 7}
    assert a["mean_score"] == 3.5
    assert a["allocated"] == "2100.00"  # money as a decimal string
    assert a["gaps"] == [small_map["moments"]["mA2"].pk]
    # i2, in screening, has the factory's one piece of evidence (12 customers)
    assert a["customers_affected"] == 12
    # One computation: the page's selector gives the same per-stage numbers.
    page = journey_map(journey=journey, viewer=manager)
    for api_row, page_row in zip(body["stages"], page["stages"], strict=True):
        assert api_row["ideas"] == page_row["ideas"]
        assert api_row["gaps"] == page_row["gaps"]
        assert api_row["mean_score"] == page_row["mean_score"]
        assert api_row["allocated"] == f"{page_row['allocated']:.2f}"


def test_it_filters_the_map_by_campaign_and_fiscal_year(small_map, executive):
    journey = small_map["journey"]
    fy1, _ = small_map["fy"]
    api = api_as(executive)
    body = api.get(
        f"/api/v1/journeys/{journey.pk}/map/", {"campaign": small_map["campaign"].pk}
    ).json()
    assert body["stages"][0]["ideas"]["total"] == 3
    body = api.get(f"/api/v1/journeys/{journey.pk}/map/", {"fiscal_year": fy1.pk}).json()
    assert body["stages"][0]["allocated"] == "1850.00"


def test_it_nulls_money_for_employees(small_map, employee):
    journey = small_map["journey"]
    body = api_as(employee).get(f"/api/v1/journeys/{journey.pk}/map/").json()
    assert [row["allocated"] for row in body["stages"]] == [None, None, None]
    assert body["stages"][0]["ideas"]["total"] == 7


def test_it_refuses_bad_filters_with_400(small_map, manager):
    journey = small_map["journey"]
    response = api_as(manager).get(f"/api/v1/journeys/{journey.pk}/map/", {"campaign": "x"})
    assert response.status_code == 400
    assert "campaign" in response.json()


def test_it_documents_the_endpoints_in_the_schema(client, employee):
    client.force_login(employee)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/journeys/{id}/map/" in schema
    assert "JourneyMap" in schema
