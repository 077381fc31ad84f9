"""The guided new-idea form: four steps, minimums on the field, plain words for customers,
the first evidence saved with the idea, and "Support this instead" for a duplicate."""

import pytest
from django.urls import reverse

from ideas.models import Evidence, Idea, Support
from tests.factories import CampaignFactory, IdeaFactory, guided_idea_post

pytestmark = pytest.mark.django_db


def test_it_saves_the_idea_with_who_the_customer_is_and_its_first_evidence(client, employee):
    client.force_login(employee)
    response = client.post(reverse("ideas:new"), guided_idea_post(evidence_kind="complaint"))
    idea = Idea.objects.get(author=employee)
    assert response.status_code == 302 and response["Location"] == f"/ideas/{idea.pk}/"
    assert idea.customer_need.startswith("Customers who call us about their card\n\n")
    evidence = Evidence.objects.get(idea=idea)
    assert (evidence.kind, evidence.customers_affected) == ("complaint", 12)
    idea.refresh_from_db()
    assert idea.evidence_count == 1 and idea.status == "submitted"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("who", "Us", "Who the customer is needs at least 10 characters"),
        ("title", "Queue", "The title needs at least 10 characters"),
        ("customer_need", "Long queues", "The need needs at least 40 characters"),
        ("evidence_summary", "Complaints", "The evidence needs at least 20 characters"),
        ("proposal", "An app", "The proposal needs at least 30 characters"),
    ],
)
def test_each_minimum_is_shown_on_its_field_and_nothing_is_saved(
    client, employee, field, value, message
):
    client.force_login(employee)
    response = client.post(reverse("ideas:new"), guided_idea_post(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html and message in html
    assert not Idea.objects.exists() and not Evidence.objects.exists()


def test_employees_must_propose_and_customers_may_leave_it_empty(client, employee, customer):
    client.force_login(employee)
    assert client.post(reverse("ideas:new"), guided_idea_post(proposal="")).status_code == 400
    client.force_login(customer)
    response = client.post(reverse("ideas:new"), guided_idea_post(proposal=""))
    assert response.status_code == 302


def test_customers_read_no_internal_jargon(client, customer):
    client.force_login(customer)
    html = client.get(reverse("ideas:new")).content.decode()
    assert "Where in your experience with us?" in html
    for jargon in (
        "Moment in the journey",
        "Horizon",
        "Innovation type",
        "Customers affected",
        "Kind of evidence",
        "Estimated cost",
    ):
        assert jargon not in html, jargon
    assert "Improve something you already offer" in html


def test_a_customers_story_is_their_own_evidence(client, customer):
    client.force_login(customer)
    response = client.post(reverse("ideas:new"), guided_idea_post(evidence_kind="survey"))
    assert response.status_code == 400  # customers tell their own story, nothing else
    response = client.post(reverse("ideas:new"), guided_idea_post())
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.customers_affected) == ("other", 1)


def test_support_this_instead_supports_the_other_idea_and_saves_no_draft(client, customer):
    other = IdeaFactory(campaign=CampaignFactory(audience="everyone"), title="Branch queue app")
    client.force_login(customer)
    response = client.post(
        reverse("ideas:support", args=[other.pk]), {**guided_idea_post(), "instead": "1"}
    )
    assert response.status_code == 302 and response["Location"] == f"/ideas/{other.pk}/"
    assert Support.objects.filter(idea=other, user=customer).exists()
    assert not Idea.objects.filter(author=customer).exists()
    page = client.get(response["Location"]).content.decode()
    assert "your draft was discarded" in page


def test_the_suggestions_are_cards_with_the_button(client, customer):
    other = IdeaFactory(
        campaign=CampaignFactory(audience="everyone"), title="Branch queue booking in the app"
    )
    client.force_login(customer)
    html = client.get(reverse("ideas:similar") + "?title=branch+queue+booking").content.decode()
    assert 'data-testid="similar-idea"' in html
    assert f'formaction="/ideas/{other.pk}/support/"' in html and "Support this instead" in html


def test_without_javascript_the_suggestions_come_from_a_button(client, customer):
    IdeaFactory(campaign=CampaignFactory(audience="everyone"), title="Branch queue booking")
    client.force_login(customer)
    response = client.post(
        reverse("ideas:new"),
        {"who": "I bank with you", "title": "Branch queue booking", "check_similar": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Similar ideas already exist" in html
    assert 'value="I bank with you"' in html and 'class="error"' not in html
    assert not Idea.objects.filter(author=customer).exists()
