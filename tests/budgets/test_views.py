from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from budgets.models import Allocation, FiscalYear, Spend
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_the_page_shows_what_remains_and_the_allocations(manager_client, fy, approved_idea):
    factories.AllocationFactory(
        fiscal_year=fy, amount=Decimal("30000"), override=True, reason="Board"
    )
    response = manager_client.get(reverse("budgets:fiscal_year", args=[fy.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-remaining="allocate">€70,000' in html
    assert "Reason: Board" in html
    assert approved_idea.title in html  # offered in the allocate form


def test_allocating_in_the_browser_funds_the_idea(manager_client, fy, approved_idea):
    url = reverse("budgets:allocate", args=[fy.pk])
    response = manager_client.post(url, {"idea": approved_idea.pk, "amount": "2500"}, follow=True)
    assert "Allocated €2,500 to" in response.content.decode()
    approved_idea.refresh_from_db()
    assert approved_idea.status == "funded"


def test_an_overrun_in_the_browser_is_refused_with_a_message(manager_client, fy, approved_idea):
    url = reverse("budgets:allocate", args=[fy.pk])
    response = manager_client.post(url, {"idea": approved_idea.pk, "amount": "100000.01"})
    assert response.status_code == 409
    assert "would overrun the innovation budget" in response.content.decode()
    assert not Allocation.objects.exists()
    # Override without a reason: 400, the form says why.
    response = manager_client.post(
        url, {"idea": approved_idea.pk, "amount": "100000.01", "override": "on"}
    )
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    response = manager_client.post(
        url,
        {"idea": approved_idea.pk, "amount": "100000.01", "override": "on", "reason": "Board"},
        follow=True,
    )
    assert "override recorded" in response.content.decode()
    assert Allocation.objects.get().override is True


@pytest.mark.parametrize(
    "data",
    [{}, {"amount": "10"}, {"idea": "999999", "amount": "10"}, {"idea": "x", "amount": "-1"}],
)
def test_bad_allocation_input_is_a_400_and_saves_nothing(manager_client, fy, approved_idea, data):
    response = manager_client.post(reverse("budgets:allocate", args=[fy.pk]), data)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Allocation.objects.exists()


@time_machine.travel(date(2026, 6, 15))
def test_recording_spend_in_the_browser(manager_client, fy):
    allocation = factories.AllocationFactory(fiscal_year=fy, amount=Decimal("100"))
    url = reverse("budgets:spend", args=[fy.pk])
    data = {
        "allocation": allocation.pk,
        "amount": "70",
        "spent_on": "2026-06-01",
        "description": "Ads",
    }
    assert manager_client.post(url, data).status_code == 302
    too_much = manager_client.post(url, data)
    assert too_much.status_code == 409
    assert "30.00 of 100.00 EUR is left" in too_much.content.decode()
    bad = manager_client.post(url, {**data, "spent_on": "someday"})
    assert bad.status_code == 400
    assert Spend.objects.count() == 1


def test_releasing_in_the_browser(manager_client, fy):
    allocation = factories.AllocationFactory(fiscal_year=fy)
    response = manager_client.post(reverse("budgets:release", args=[allocation.pk]), follow=True)
    assert "Released €10,000 back" in response.content.decode()
    response = manager_client.post(reverse("budgets:release", args=[allocation.pk]), follow=True)
    assert "already released" in response.content.decode()


def test_creating_and_editing_a_fiscal_year(manager_client):
    data = {
        "label": "FY2030",
        "starts_on": "2030-01-01",
        "ends_on": "2030-12-31",
        "marketing_budget": "4000000",
        "innovation_target_pct": "10",
        "currency": "EUR",
    }
    response = manager_client.post(reverse("budgets:fiscal_year_new"), data)
    fy = FiscalYear.objects.get(label="FY2030")
    assert response["Location"] == reverse("budgets:fiscal_year", args=[fy.pk])
    assert fy.innovation_budget == Decimal("400000.00")
    bad = manager_client.post(
        reverse("budgets:fiscal_year_edit", args=[fy.pk]), {**data, "ends_on": "2029-01-01"}
    )
    assert bad.status_code == 400
    fy.refresh_from_db()
    assert fy.ends_on == date(2030, 12, 31)
