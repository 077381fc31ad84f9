from datetime import date
from decimal import Decimal

import pytest
import time_machine

from budgets.models import Allocation
from tests import factories
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def test_it_allocates_and_answers_with_the_design_fields(fy, approved_idea, manager):
    response = api_as(manager).post(
        "/api/v1/budgets/allocations/",
        {"fiscal_year": fy.pk, "idea": approved_idea.pk, "amount": "1234.5", "note": "Pilot"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "fiscal_year", "idea", "amount", "status", "override", "reason"}
    assert body["amount"] == "1234.50"
    assert body["status"] == "committed"
    approved_idea.refresh_from_db()
    assert approved_idea.status == "funded"


def test_an_overrun_is_a_409_with_the_message(fy, approved_idea, manager):
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("99999.99"))
    response = api_as(manager).post(
        "/api/v1/budgets/allocations/",
        {"fiscal_year": fy.pk, "idea": approved_idea.pk, "amount": "0.02"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "overrun"
    assert "only 0.01 EUR of 100000.00 remains" in response.json()["detail"]


def test_an_override_is_recorded_through_the_api(fy, approved_idea, manager):
    factories.AllocationFactory(fiscal_year=fy, amount=Decimal("99999.99"))
    client = api_as(manager)
    url = "/api/v1/budgets/allocations/"
    data = {"fiscal_year": fy.pk, "idea": approved_idea.pk, "amount": "10.00", "override": True}
    missing = client.post(url, data, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    response = client.post(url, {**data, "reason": "CEO's call"}, format="json")
    assert response.status_code == 201
    assert response.json()["override"] is True and response.json()["reason"] == "CEO's call"


def test_a_not_approved_idea_is_a_409(fy, manager):
    idea = factories.IdeaFactory(status="shortlisted")
    response = api_as(manager).post(
        "/api/v1/budgets/allocations/",
        {"fiscal_year": fy.pk, "idea": idea.pk, "amount": "10.00"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "not_fundable"


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "1.234", None])
def test_bad_amounts_are_a_400_and_save_nothing(fy, approved_idea, manager, amount):
    response = api_as(manager).post(
        "/api/v1/budgets/allocations/",
        {"fiscal_year": fy.pk, "idea": approved_idea.pk, "amount": amount},
        format="json",
    )
    assert response.status_code == 400 and "amount" in response.json()
    assert not Allocation.objects.exists()


@time_machine.travel(date(2026, 6, 15))
def test_spend_beyond_the_allocation_is_a_409(fy, manager):
    allocation = factories.AllocationFactory(fiscal_year=fy, amount=Decimal("100"))
    client = api_as(manager)
    data = {
        "allocation": allocation.pk,
        "amount": "60.00",
        "spent_on": "2026-06-01",
        "description": "Ads",
    }
    first = client.post("/api/v1/budgets/spends/", data, format="json")
    assert first.status_code == 201
    assert set(first.json()) == {"id", "allocation", "amount", "spent_on", "description"}
    again = client.post("/api/v1/budgets/spends/", data, format="json")
    assert again.status_code == 409 and again.json()["code"] == "overspend"
    future = client.post(
        "/api/v1/budgets/spends/",
        {**data, "amount": "1.00", "spent_on": "2026-07-01"},
        format="json",
    )
    assert future.status_code == 400 and "spent_on" in future.json()


def test_releasing_twice_is_a_409(fy, manager):
    allocation = factories.AllocationFactory(fiscal_year=fy)
    client = api_as(manager)
    url = f"/api/v1/budgets/allocations/{allocation.pk}/release/"
    assert client.post(url).json()["status"] == "released"
    assert client.post(url).status_code == 409


def test_the_fiscal_year_fields_are_as_designed(fy, executive):
    body = api_as(executive).get(f"/api/v1/budgets/fiscal-years/{fy.pk}/").json()
    assert body == {
        "id": fy.pk,
        "label": "FY2026",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "marketing_budget": "1000000.00",
        "innovation_target_pct": "10.00",
        "currency": "EUR",
    }


def test_a_bad_fiscal_year_is_a_400(manager):
    response = api_as(manager).post(
        "/api/v1/budgets/fiscal-years/",
        {
            "label": "X",
            "starts_on": "2027-01-01",
            "ends_on": "2026-01-01",
            "marketing_budget": "-1",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"ends_on", "marketing_budget"} <= set(response.json())


def test_the_allocation_list_filters_by_fiscal_year(fy, executive):
    factories.AllocationFactory(fiscal_year=fy)
    factories.AllocationFactory()
    body = api_as(executive).get(f"/api/v1/budgets/allocations/?fiscal_year={fy.pk}").json()
    assert body["count"] == 1 and body["results"][0]["fiscal_year"] == fy.pk


def test_the_schema_documents_the_budget_endpoints(client):
    response = client.get("/api/schema/")
    text = response.content.decode()
    for path in [
        "/api/v1/budgets/fiscal-years/{id}/summary/",
        "/api/v1/budgets/allocations/",
        "/api/v1/budgets/spends/",
    ]:
        assert path in text
