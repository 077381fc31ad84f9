"""Every role x every budgets action, allowed and denied (HTML and API).

An anonymous API caller gets 403, not 401: session auth is listed first and sends no
WWW-Authenticate challenge, so DRF answers 403 (the project-wide behaviour)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from budgets.models import Allocation, Spend
from tests import factories
from tests.conftest import api_as

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "customer", "employee", "manager", "executive"]


@pytest.fixture
def world(fy, manager):
    approved = factories.IdeaFactory(status="approved", owner=manager)
    to_release = factories.AllocationFactory(fiscal_year=fy, amount=Decimal("1000"))
    to_spend = factories.AllocationFactory(fiscal_year=fy, amount=Decimal("1000"))
    return {"fy": fy, "approved": approved, "to_release": to_release, "to_spend": to_spend}


def user_for(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def html_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# expected status per role: anonymous, customer, employee, manager, executive
HTML_READS = {
    "dashboard": (lambda w: reverse("insights:dashboard"), [302, 403, 403, 200, 200]),
    "summary_csv": (
        lambda w: reverse("insights:summary_csv", args=[w["fy"].pk]),
        [302, 403, 403, 200, 200],
    ),
    "fiscal_year": (
        lambda w: reverse("budgets:fiscal_year", args=[w["fy"].pk]),
        [302, 403, 403, 200, 403],
    ),
    "fiscal_year_new": (lambda w: reverse("budgets:fiscal_year_new"), [302, 403, 403, 200, 403]),
    "fiscal_year_edit": (
        lambda w: reverse("budgets:fiscal_year_edit", args=[w["fy"].pk]),
        [302, 403, 403, 200, 403],
    ),
}


@pytest.mark.parametrize("page", list(HTML_READS))
@pytest.mark.parametrize("role", ROLES)
def test_it_guards_each_page(request, world, role, page):
    url, expected = HTML_READS[page]
    response = html_client(user_for(request, role)).get(url(world))
    assert response.status_code == expected[ROLES.index(role)]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@time_machine.travel(date(2026, 6, 15))
@pytest.mark.parametrize("role", ROLES)
def test_it_guards_each_write_in_the_browser(request, world, role):
    user = user_for(request, role)
    client = html_client(user)
    allowed = role == "manager"
    fy = world["fy"]
    writes = [
        (
            reverse("budgets:allocate", args=[fy.pk]),
            {"idea": world["approved"].pk, "amount": "500"},
            lambda: Allocation.objects.filter(idea=world["approved"]).exists(),
        ),
        (
            reverse("budgets:release", args=[world["to_release"].pk]),
            {},
            lambda: Allocation.objects.get(pk=world["to_release"].pk).status == "released",
        ),
        (
            reverse("budgets:spend", args=[fy.pk]),
            {
                "allocation": world["to_spend"].pk,
                "amount": "10",
                "spent_on": "2026-06-01",
                "description": "Ads",
            },
            lambda: Spend.objects.exists(),
        ),
    ]
    for url, data, happened in writes:
        response = client.post(url, data)
        if role == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        elif allowed:
            assert response.status_code == 302, response.content[:500]
        else:
            assert response.status_code == 403
        assert happened() is allowed, url


API_READS = {
    "fiscal-years": lambda w: "/api/v1/budgets/fiscal-years/",
    "fiscal-year": lambda w: f"/api/v1/budgets/fiscal-years/{w['fy'].pk}/",
    "summary": lambda w: f"/api/v1/budgets/fiscal-years/{w['fy'].pk}/summary/",
    "allocations": lambda w: "/api/v1/budgets/allocations/",
    "allocation": lambda w: f"/api/v1/budgets/allocations/{w['to_spend'].pk}/",
    "spends": lambda w: "/api/v1/budgets/spends/",
}


@pytest.mark.parametrize("endpoint", list(API_READS))
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 403),
        ("customer", 403),
        ("employee", 403),
        ("manager", 200),
        ("executive", 200),
    ],
)
def test_it_guards_each_api_read(request, world, role, expected, endpoint):
    if expected == 403 and role != "anonymous" and not endpoint.endswith("s"):
        # One object the caller may not see: 404, as if it did not exist.
        expected = 404
    response = api_as(user_for(request, role)).get(API_READS[endpoint](world))
    assert response.status_code == expected


@time_machine.travel(date(2026, 6, 15))
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 403),
        ("customer", 403),
        ("employee", 403),
        ("manager", None),
        ("executive", 403),
    ],
)
def test_it_guards_each_api_write(request, world, role, expected):
    client = api_as(user_for(request, role))
    fy = world["fy"]
    writes = [
        (
            "/api/v1/budgets/allocations/",
            {"fiscal_year": fy.pk, "idea": world["approved"].pk, "amount": "500.00"},
            201,
        ),
        (f"/api/v1/budgets/allocations/{world['to_release'].pk}/release/", {}, 200),
        (
            "/api/v1/budgets/spends/",
            {
                "allocation": world["to_spend"].pk,
                "amount": "10.00",
                "spent_on": "2026-06-01",
                "description": "Ads",
            },
            201,
        ),
        (
            "/api/v1/budgets/fiscal-years/",
            {
                "label": "FY2027",
                "starts_on": "2027-01-01",
                "ends_on": "2027-12-31",
                "marketing_budget": "100.00",
            },
            201,
        ),
        (f"/api/v1/budgets/fiscal-years/{fy.pk}/", {"currency": "USD"}, 200),
    ]
    for url, data, ok in writes:
        method = client.patch if url.endswith(f"fiscal-years/{fy.pk}/") else client.post
        response = method(url, data, format="json")
        refused = expected
        if expected == 403 and role in {"customer", "employee"} and url[-2] != "s":
            # An object the caller may not even see (executives may): 404, not 403.
            refused = 404
        assert response.status_code == (refused or ok), (url, response.content)
