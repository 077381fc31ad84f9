"""Rate limits on idea submission and supports, in the browser forms and the API: the request
beyond the limit gets 429 with a message, and nothing is stored for it."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from ideas.models import Idea, Support
from ideas.services import idea_transition
from tests.factories import CampaignFactory, IdeaFactory, guided_idea_post

pytestmark = pytest.mark.django_db

NEW_IDEA = {
    "title": "Show the card PIN in the app",
    "customer_need": "Customers who forget their PIN wait 5 days for a letter (312 calls in May).",
    "proposal": "Reveal the PIN after biometric login.",
    "innovation_type": "new_experience",
}


def test_it_limits_idea_submissions_per_user_in_the_form(client, employee, settings):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "idea_submit": "2/h"}
    client.force_login(employee)
    statuses = [
        client.post(reverse("ideas:new"), guided_idea_post(title=f"Idea number {n}")).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Idea.objects.filter(author=employee).count() == 2


def test_it_limits_idea_submissions_in_the_api_with_a_json_429(api, employee, settings):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "idea_submit": "1/h"}
    api.force_authenticate(employee)
    assert api.post("/api/v1/ideas/", NEW_IDEA, format="json").status_code == 201
    response = api.post("/api/v1/ideas/", {**NEW_IDEA, "title": "Another"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert Idea.objects.count() == 1


def test_it_limits_support_toggles(api, customer, settings):
    settings.JUNCTURE_RATES = {**settings.JUNCTURE_RATES, "support": "3/m"}
    campaign = CampaignFactory(audience="everyone")
    ideas = IdeaFactory.create_batch(4, status="submitted", campaign=campaign)
    api.force_authenticate(customer)
    statuses = [api.post(f"/api/v1/ideas/{idea.pk}/support/").status_code for idea in ideas]
    assert statuses == [200, 200, 200, 429]
    assert Support.objects.filter(user=customer).count() == 3


def test_every_transition_and_override_lands_in_the_audit_log(manager):
    idea = IdeaFactory(status="submitted", title="Instant card freeze")
    idea_transition(idea=idea, to="screening", actor=manager)
    idea_transition(idea=idea, to="parked", actor=manager, reason="Waiting for the new app release")
    events = list(AuditEvent.objects.order_by("id").values_list("action", "data"))
    assert events == [
        (
            "idea.transition",
            {
                "from": "submitted",
                "to": "screening",
                "reason": "",
                "override": False,
                "title": "Instant card freeze",
            },
        ),
        (
            "idea.transition",
            {
                "from": "screening",
                "to": "parked",
                "reason": "Waiting for the new app release",
                "override": False,
                "title": "Instant card freeze",
            },
        ),
    ]
