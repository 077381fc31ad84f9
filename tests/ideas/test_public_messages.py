"""Money and internal notes never reach customers: a transition has a public message and a
staff-only internal note; services never put amounts in public text."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from budgets import services as budgets
from ideas import services
from ideas.models import Follow
from outcomes import services as outcomes
from tests.conftest import api_as
from tests.factories import FiscalYearFactory, IdeaFactory
from tests.factories.outcomes import ExperimentFactory, MeasurementFactory

pytestmark = pytest.mark.django_db
SECRET = "Internal: NPS +42 in the pilot"


def test_no_amount_or_internal_note_reaches_a_customer(
    customer, employee, manager, mailoutbox, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(author=customer, status="approved", owner=employee)
    Follow.objects.get_or_create(idea=idea, user=customer)
    fy = FiscalYearFactory(
        starts_on=date(2000, 1, 1), ends_on=date(2100, 12, 31), marketing_budget=Decimal("1e7")
    )
    with django_capture_on_commit_callbacks(execute=True):
        budgets.allocation_create(
            fiscal_year=fy, idea=idea, amount=Decimal("12345.67"), actor=manager
        )
        experiment = ExperimentFactory(idea=idea)
        MeasurementFactory(experiment=experiment)
        services.idea_transition(idea=idea, to="in_experiment", actor=manager)
        outcomes.experiment_decide(experiment=experiment, decision="scale", actor=manager)
        services.idea_transition(
            idea=idea, to="launched", actor=manager, reason="Launched.", internal_note=SECRET
        )
    client = Client()
    client.force_login(customer)
    api = api_as(customer)
    seen = [
        client.get(reverse("ideas:detail", args=[idea.pk])).content.decode(),
        client.get(reverse("ideas:notifications")).content.decode(),
        api.get(f"/api/v1/ideas/{idea.pk}/").content.decode(),
        api.get(f"/api/v1/ideas/{idea.pk}/transitions/").content.decode(),
        *[m.subject + m.body for m in mailoutbox if m.to == [customer.email]],
    ]
    for text in seen:
        assert "12345" not in text and "12,345" not in text
        assert SECRET not in text
    # Staff read both.
    rows = api_as(employee).get(f"/api/v1/ideas/{idea.pk}/transitions/").json()["results"]
    notes = " ".join(r["internal_note"] or "" for r in rows)
    assert "12345.67" in notes and SECRET in notes
