"""Bad input across the surface: a clear 4xx, nothing stored, markup rendered escaped."""

import pytest
from django.urls import reverse

from ideas.models import Comment, Idea
from tests.factories import CampaignFactory, IdeaFactory

pytestmark = pytest.mark.django_db

HUGE = "9" * 25

GOOD_IDEA = {
    "title": "Card freeze from the lock screen",
    "customer_need": "Customers who lose a card call us first (2,100 calls a month) and wait 11 minutes.",
    "proposal": "A lock-screen widget that freezes the card.",
    "innovation_type": "new_interaction_model",
}


@pytest.mark.parametrize(
    "url",
    [
        f"/ideas/?stage={HUGE}",
        f"/ideas/?campaign={HUGE}",
        f"/ideas/?page={HUGE}",
        f"/journeys/?campaign={HUGE}",
        f"/journeys/?fiscal_year={HUGE}",
        f"/budgets/?fiscal_year={HUGE}",
        f"/api/v1/ideas/?stage={HUGE}",
        f"/api/v1/ideas/?page={HUGE}",
        f"/api/v1/journeys/1/map/?campaign={HUGE}",
        "/api/v1/ideas/not-a-number/",
        "/api/v1/rounds/1e9/",
        "/api/v1/budgets/fiscal-years/-1/summary/",
    ],
)
def test_absurd_numbers_and_ids_never_reach_a_500(client, manager, url):
    client.force_login(manager)
    assert 200 <= client.get(url).status_code < 500


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "x" * 161}, "title"),
        ({"innovation_type": "teleportation"}, "innovation_type"),
        ({"customer_need": ""}, "customer_need"),
        ({"estimated_cost": "-5"}, "estimated_cost"),
        ({"estimated_cost": "lots"}, "estimated_cost"),
        ({"stage": "abc"}, "stage"),
    ],
)
def test_the_api_refuses_bad_ideas_with_field_errors_and_stores_nothing(
    api, employee, change, field
):
    api.force_authenticate(employee)
    response = api.post("/api/v1/ideas/", {**GOOD_IDEA, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Idea.objects.exists()


def test_wrong_json_types_are_400(api, employee):
    api.force_authenticate(employee)
    response = api.post("/api/v1/ideas/", ["not", "an", "object"], format="json")
    assert response.status_code == 400
    response = api.post(
        "/api/v1/ideas/", {**GOOD_IDEA, "is_anonymous": {"nested": True}}, format="json"
    )
    assert response.status_code == 400
    assert not Idea.objects.exists()


def test_unknown_fields_cannot_set_protected_columns(api, employee):
    api.force_authenticate(employee)
    response = api.post(
        "/api/v1/ideas/",
        {
            **GOOD_IDEA,
            "status": "approved",
            "supports_customers": 999,
            "author": 1,
            "owner": 1,
            "unknown": "x",
        },
        format="json",
    )
    assert response.status_code in (201, 400)
    for idea in Idea.objects.all():
        assert idea.author == employee
        assert idea.status in ("submitted", "draft") and idea.supports_customers == 0


def test_markup_in_text_is_rendered_escaped(client, employee):
    campaign = CampaignFactory(audience="everyone")
    idea = IdeaFactory(
        title='<script>alert("t")</script>',
        campaign=campaign,
        customer_need='<img src=x onerror="alert(1)">',
    )
    Comment.objects.create(idea=idea, author=employee, body="<b>bold</b><script>x()</script>")
    client.force_login(employee)
    for url in [reverse("ideas:detail", args=[idea.pk]), reverse("ideas:board")]:
        html = client.get(url).content.decode()
        assert '<script>alert("t")</script>' not in html
        assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    html = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "<script>x()</script>" not in html


def test_oversize_comment_is_refused(api, employee):
    idea = IdeaFactory(status="submitted")
    api.force_authenticate(employee)
    response = api.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "x" * 5001}, format="json")
    assert response.status_code == 400
    assert not Comment.objects.exists()
