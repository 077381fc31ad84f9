"""Customers cannot write the staff-only money fields, and only those who may override a
gate can ask for it (others get 403 and nothing is logged)."""

import pytest

from accounts.models import AuditEvent
from ideas.models import Idea, IdeaTransition
from tests.conftest import api_as
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db

NEW = {"title": "Queue app", "customer_need": "Long queues", "innovation_type": "optimization"}


def test_a_customer_cannot_set_cost_or_value_through_the_api(customer):
    api = api_as(customer)
    response = api.post("/api/v1/ideas/", {**NEW, "estimated_cost": "999.00"}, format="json")
    assert response.status_code == 403
    assert not Idea.objects.exists()
    idea = IdeaFactory(author=customer, status="submitted")
    response = api.patch(f"/api/v1/ideas/{idea.pk}/", {"expected_value": "5"}, format="json")
    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.expected_value is None or str(idea.expected_value) != "5.00"
    # Their other fields still save.
    response = api.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Shorter queues"}, format="json")
    assert response.status_code == 200


def test_an_employee_sets_cost_and_value(employee):
    response = api_as(employee).post(
        "/api/v1/ideas/", {**NEW, "estimated_cost": "999.00", "expected_value": "5000.00"}
    )
    assert response.status_code == 201, response.content
    idea = Idea.objects.get()
    assert (str(idea.estimated_cost), str(idea.expected_value)) == ("999.00", "5000.00")


def test_override_is_refused_to_those_who_may_not_override(employee, manager):
    draft = IdeaFactory(author=employee, status="draft")
    url = f"/api/v1/ideas/{draft.pk}/transitions/"
    response = api_as(employee).post(
        url, {"to": "submitted", "override": True, "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not IdeaTransition.objects.filter(idea=draft, override=True).exists()
    assert not AuditEvent.objects.filter(action="idea.gate_override").exists()
    # The author submits without override, as usual.
    assert api_as(employee).post(url, {"to": "submitted"}, format="json").status_code in (
        200,
        201,
    )
