"""Expected value at approval: the approval gate, the manager's form, and that these
staff-only facts never reach customers (HTML, API, CSV)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from ideas import services
from ideas.workflow import TransitionError
from tests.conftest import api_as
from tests.factories import CampaignFactory, IdeaFactory


@pytest.fixture
def shortlisted(manager, employee):
    return IdeaFactory(status="shortlisted", owner=employee)


# --- The approval gate ---------------------------------------------------------------------


def test_approval_needs_an_expected_value_besides_the_owner(open_gates, shortlisted, manager):
    with pytest.raises(TransitionError, match="expected value") as exc:
        services.idea_transition(idea=shortlisted, to="approved", actor=manager)
    assert exc.value.code == "gate" and "accountable owner" not in exc.value.message
    services.idea_set_expected_value(
        idea=shortlisted, actor=manager, expected_revenue_protected=Decimal("120000")
    )
    services.idea_transition(idea=shortlisted, to="approved", actor=manager)
    shortlisted.refresh_from_db()
    assert shortlisted.status == "approved"


def test_without_owner_and_value_both_are_named(open_gates, manager):
    idea = IdeaFactory(status="shortlisted")
    with pytest.raises(TransitionError) as exc:
        services.idea_transition(idea=idea, to="approved", actor=manager)
    assert "accountable owner" in exc.value.message and "expected value" in exc.value.message


def test_a_non_financial_value_needs_a_named_kpi(open_gates, shortlisted, manager):
    # Written directly: the service refuses this combination before the gate sees it.
    shortlisted.non_financial = True
    shortlisted.kpi = "   "
    shortlisted.save()
    with pytest.raises(TransitionError, match="KPI"):
        services.idea_transition(idea=shortlisted, to="approved", actor=manager)
    with pytest.raises(ValidationError) as exc:
        services.idea_set_expected_value(idea=shortlisted, actor=manager, non_financial=True)
    assert "kpi" in exc.value.message_dict
    services.idea_set_expected_value(
        idea=shortlisted, actor=manager, non_financial=True, kpi="First-contact resolution"
    )
    services.idea_transition(idea=shortlisted, to="approved", actor=manager)


def test_the_expected_value_is_set_by_managers_and_audited(shortlisted, manager, employee):
    with pytest.raises(PermissionDenied):
        services.idea_set_expected_value(
            idea=shortlisted, actor=employee, expected_revenue_generated=Decimal("1")
        )
    with pytest.raises(ValidationError) as exc:
        services.idea_set_expected_value(
            idea=shortlisted, actor=manager, expected_revenue_generated=Decimal("-5")
        )
    assert "expected_revenue_generated" in exc.value.message_dict
    services.idea_set_expected_value(
        idea=shortlisted,
        actor=manager,
        expected_revenue_generated=Decimal("250000.00"),
        value_confidence="medium",
    )
    shortlisted.refresh_from_db()
    assert shortlisted.expected_revenue_generated == Decimal("250000.00")
    assert shortlisted.value_confidence == "medium"
    event = AuditEvent.objects.get(action="idea.expected_value")
    assert event.data["expected_revenue_generated"] == "250000.00"


def test_the_manager_form_on_the_idea_page(client, shortlisted, manager, employee):
    url = reverse("ideas:expected_value", args=[shortlisted.pk])
    client.force_login(employee)
    assert client.post(url, {"expected_revenue_generated": "10"}).status_code == 403
    client.force_login(manager)
    assert (
        "Save expected value"
        in client.get(reverse("ideas:detail", args=[shortlisted.pk])).content.decode()
    )
    bad = client.post(url, {"non_financial": "on"})
    assert bad.status_code == 400 and "Name the KPI" in bad.content.decode()
    ok = client.post(url, {"expected_revenue_protected": "80000", "value_confidence": "high"})
    assert ok.status_code == 302
    shortlisted.refresh_from_db()
    assert shortlisted.expected_revenue_protected == Decimal("80000")


# --- Staff only ----------------------------------------------------------------------------

VALUE_FIELDS = [
    "expected_revenue_generated",
    "expected_revenue_protected",
    "value_confidence",
    "non_financial",
    "kpi",
]


@pytest.fixture
def valued(customer, employee):
    """A customer's approved idea with a value: the customer is its author."""
    return IdeaFactory(
        author=customer,
        campaign=CampaignFactory(audience="everyone"),
        status="approved",
        owner=employee,
        expected_revenue_generated=Decimal("987654.00"),
        expected_revenue_protected=Decimal("123456.00"),
        value_confidence="high",
        non_financial=True,
        kpi="Secret KPI name",
    )


def test_customers_never_get_the_expected_value_in_the_api(valued, customer, outsider, employee):
    for user in (customer, outsider):
        body = api_as(user).get(f"/api/v1/ideas/{valued.pk}/").json()
        assert all(body[f] is None for f in VALUE_FIELDS), user
        listed = api_as(user).get("/api/v1/ideas/").json()["results"]
        assert all(row[f] is None for row in listed for f in VALUE_FIELDS)
    staff = api_as(employee).get(f"/api/v1/ideas/{valued.pk}/").json()
    assert staff["expected_revenue_generated"] == "987654.00"
    assert staff["expected_revenue_protected"] == "123456.00"
    assert (staff["value_confidence"], staff["non_financial"], staff["kpi"]) == (
        "high",
        True,
        "Secret KPI name",
    )


def test_customers_never_see_the_expected_value_on_the_page(client, valued, customer, employee):
    client.force_login(customer)
    page = client.get(reverse("ideas:detail", args=[valued.pk])).content.decode()
    for secret in ("987654", "123456", "Secret KPI name", "Expected value"):
        assert secret not in page
    client.force_login(employee)
    page = client.get(reverse("ideas:detail", args=[valued.pk])).content.decode()
    assert "987654" in page and "Secret KPI name" in page


def test_customers_cannot_write_the_expected_value(valued, customer):
    valued.status = "submitted"  # editable by its author
    valued.save()
    response = api_as(customer).patch(
        f"/api/v1/ideas/{valued.pk}/",
        {"title": "Renamed", "expected_revenue_generated": "1.00"},
        format="json",
    )
    assert response.status_code == 403
    valued.refresh_from_db()
    # All or nothing: the allowed part of the PATCH was not written either.
    assert valued.expected_revenue_generated == Decimal("987654.00") and valued.title != "Renamed"


def test_managers_write_it_through_the_api(valued, manager):
    response = api_as(manager).patch(
        f"/api/v1/ideas/{valued.pk}/", {"kpi": "Complaints per 1,000"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    # Fields not sent keep their values.
    assert body["kpi"] == "Complaints per 1,000" and body["non_financial"] is True
    assert body["expected_revenue_generated"] == "987654.00"


def test_the_csv_export_carries_it_for_managers_only(client, valued, manager, customer):
    client.force_login(customer)
    assert client.get(reverse("ideas:export")).status_code == 403
    client.force_login(manager)
    body = b"".join(client.get(reverse("ideas:export")).streaming_content).decode()
    header = body.splitlines()[0].split(",")
    assert {"horizon", "evidence_count", "customers_affected", *VALUE_FIELDS} <= set(header)
    assert "987654.00" in body
