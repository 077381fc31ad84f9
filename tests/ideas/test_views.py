"""HTML pages: board filters and htmx, submit prefill and errors, campaigns, notifications."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas import services
from ideas.models import Campaign, Idea, Notification
from journeys.models import Moment, Stage
from tests.conftest import api_as
from tests.factories import CampaignFactory, IdeaFactory


def test_board_filters_sort_and_paginate(client, employee, campaign):
    for i in range(23):
        IdeaFactory(campaign=campaign if i % 2 else None, title=f"Branch idea {i}")
    IdeaFactory(title="Mortgage rate page", origin="customer", supports_customers=5)
    client.force_login(employee)
    page = client.get(reverse("ideas:board")).content.decode()
    assert "24 ideas" in page and "Page 1 of 2" in page
    page = client.get(reverse("ideas:board"), {"campaign": "everyday"}).content.decode()
    assert "11 ideas" in page
    page = client.get(reverse("ideas:board"), {"q": "rate page", "ordering": "supported"})
    assert "1 idea<" in page.content.decode()
    empty = client.get(reverse("ideas:board"), {"q": "zzzz"}).content.decode()
    assert "No idea matches these filters" in empty


def test_board_htmx_swaps_only_the_list(client, employee):
    IdeaFactory()
    client.force_login(employee)
    response = client.get(
        reverse("ideas:board"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="idea-list"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="idea-list"') and "HX-Request" in response["Vary"]
    restore = client.get(
        reverse("ideas:board"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="idea-list",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in restore.content.decode()


def test_new_idea_prefills_from_the_journey_map(client, employee, campaign):
    stage = Stage.objects.filter(journey__is_default=True).first()
    moment = Moment.objects.create(stage=stage, name="Rate page confusion", effect="destroys_value")
    client.force_login(employee)
    page = client.get(
        reverse("ideas:new"), {"moment": moment.pk, "campaign": "everyday"}
    ).content.decode()
    assert f'<option value="{moment.pk}" selected>' in page
    assert f'<option value="{stage.pk}" selected>' in page
    assert '<option value="everyday" selected>' in page
    assert "<optgroup" in page


def test_bad_input_is_400_and_saves_nothing(client, customer):
    staff_only = CampaignFactory(audience="employees", slug="staff")
    client.force_login(customer)
    response = client.post(
        reverse("ideas:new"),
        {"title": "", "customer_need": "x", "innovation_type": "nope", "campaign": staff_only.slug},
    )
    assert response.status_code == 400
    assert not Idea.objects.exists()


def test_closed_campaign_takes_no_new_ideas(client, employee):
    closed = CampaignFactory(
        slug="closed",
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(employee)
    page = client.get(reverse("ideas:campaign", args=["closed"])).content.decode()
    assert "takes no new ideas" in page
    response = api_as(employee).post(
        "/api/v1/ideas/",
        {
            "title": "t",
            "customer_need": "n",
            "innovation_type": "optimization",
            "campaign": closed.slug,
        },
    )
    assert response.status_code == 400 and "campaign" in response.json()


def test_managers_create_and_edit_campaigns(client, manager, employee):
    client.force_login(employee)
    assert client.get(reverse("ideas:campaign_new")).status_code == 403
    client.force_login(manager)
    data = {
        "title": "Branch of the future",
        "slug": "branch-future",
        "brief": "What should a branch do?",
        "audience": "everyone",
        "opens_at": "2026-01-01",
        "closes_at": "2025-01-01",
    }
    assert client.post(reverse("ideas:campaign_new"), data).status_code == 400
    data["closes_at"] = "2027-01-01"
    assert client.post(reverse("ideas:campaign_new"), data).status_code == 302
    data["title"] = "Branch of tomorrow"
    client.post(reverse("ideas:campaign_edit", args=["branch-future"]), data)
    assert Campaign.objects.get(slug="branch-future").title == "Branch of tomorrow"
    assert "Branch of tomorrow" in client.get(reverse("ideas:campaigns")).content.decode()


def test_transition_errors_are_shown_not_raised(client, manager, gates):
    idea = IdeaFactory(status="screening")
    client.force_login(manager)
    page = client.post(
        reverse("ideas:transition", args=[idea.pk]), {"to": "in_review"}, follow=True
    ).content.decode()
    assert "Not possible yet" in page
    response = api_as(manager).post(f"/api/v1/ideas/{idea.pk}/transitions/", {"to": "in_review"})
    assert response.status_code == 409 and "review round" in response.json()["detail"]
    assert response.json()["code"] == "gate"


def test_manager_merges_from_the_page(client, manager, gates):
    source, target = IdeaFactory(), IdeaFactory()
    client.force_login(manager)
    response = client.post(reverse("ideas:merge", args=[source.pk]), {"target": target.pk})
    assert response["Location"] == reverse("ideas:detail", args=[target.pk])
    page = client.get(reverse("ideas:detail", args=[source.pk])).content.decode()
    assert "was merged into" in page


def test_notifications_list_and_mark_read(client, employee):
    Notification.objects.create(user=employee, verb="commented", message="Someone commented")
    client.force_login(employee)
    page = client.get(reverse("ideas:notifications")).content.decode()
    assert "Someone commented" in page and 'data-testid="bell-count">1<' in page
    client.post(reverse("ideas:notifications_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_support_and_comment_with_htmx(client, customer, campaign):
    idea = IdeaFactory(campaign=campaign)
    client.force_login(customer)
    hx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "support"}
    body = client.post(reverse("ideas:support", args=[idea.pk]), {"action": "add"}, **hx)
    body = client.post(reverse("ideas:support", args=[idea.pk]), {"action": "add"}, **hx)
    assert 'data-testid="supports-customers">1<' in body.content.decode()
    hx["HTTP_HX_TARGET"] = "comments"
    response = client.post(reverse("ideas:comments", args=[idea.pk]), {"body": ""}, **hx)
    assert response.status_code == 400
    response = client.post(reverse("ideas:comments", args=[idea.pk]), {"body": "Me too"}, **hx)
    assert "Me too" in response.content.decode()


@pytest.mark.parametrize("action", ["comments", "attachment_add"])
def test_the_page_re_rendered_after_a_failed_comment_or_upload_keeps_the_manage_panel(
    client, manager, action
):
    idea = IdeaFactory(status="submitted")
    client.force_login(manager)
    response = client.post(reverse(f"ideas:{action}", args=[idea.pk]), {"body": ""})
    assert response.status_code == 400
    page = response.content.decode()
    # the status, owner and merge forms of the Manage panel
    assert 'name="to"' in page and 'name="owner"' in page and 'name="target"' in page


@pytest.mark.django_db
def test_schema_documents_the_ideas_api(api, manager):
    api.force_authenticate(manager)
    schema = api.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in [
        "/api/v1/ideas/",
        "/api/v1/ideas/{id}/",
        "/api/v1/ideas/{id}/support/",
        "/api/v1/ideas/{id}/comments/",
        "/api/v1/ideas/{id}/transitions/",
        "/api/v1/ideas/similar/",
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{slug}/",
    ]:
        assert path in paths, path
    assert services  # the API calls the services (imported for clarity)
