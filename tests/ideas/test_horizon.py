"""The horizon the submitter proposes, and the manager's confirmation of type and horizon."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from ideas import services
from tests.conftest import api_as
from tests.factories import IdeaFactory


def test_the_submitter_proposes_a_horizon_in_the_form_and_the_api(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("ideas:new"),
        {
            "title": "Video advice for first-time buyers",
            "customer_need": "First-time buyers drop out before the first meeting.",
            "innovation_type": "new_interaction_model",
            "horizon": "adjacent",
        },
    )
    assert response.status_code == 302
    idea = employee.ideas.get()
    assert (idea.horizon, idea.type_confirmed, idea.horizon_confirmed) == (
        "adjacent",
        False,
        False,
    )
    body = (
        api_as(employee)
        .post(
            "/api/v1/ideas/",
            {
                "title": "Open banking marketplace",
                "customer_need": "Small businesses juggle five finance apps.",
                "innovation_type": "new_product_or_service",
                "horizon": "transformational",
            },
            format="json",
        )
        .json()
    )
    assert body["horizon"] == "transformational"
    assert body["type_confirmed"] is False and body["horizon_confirmed"] is False


def test_a_new_idea_without_a_horizon_is_core(employee):
    idea = services.idea_submit(
        author=employee,
        title="Fewer PIN letters",
        customer_need="Late PINs.",
        innovation_type="optimization",
    )
    assert idea.horizon == "core"


def test_a_manager_confirms_and_corrects_type_and_horizon_and_it_is_audited(manager):
    idea = IdeaFactory(status="screening", innovation_type="new_technology", horizon="core")
    services.idea_confirm_type(
        idea=idea, actor=manager, innovation_type="optimization", horizon="core"
    )
    idea.refresh_from_db()
    assert (idea.innovation_type, idea.horizon) == ("optimization", "core")
    assert idea.type_confirmed and idea.horizon_confirmed
    event = AuditEvent.objects.get(action="idea.confirm_type")
    assert event.target_id == str(idea.pk) and event.actor == manager
    assert event.data["before"]["innovation_type"] == "new_technology"
    assert event.data["after"] == {
        "innovation_type": "optimization",
        "horizon": "core",
        "type_confirmed": True,
        "horizon_confirmed": True,
    }


def test_only_managers_confirm(employee, executive, customer):
    idea = IdeaFactory(status="screening", author=employee)
    for user in (employee, executive, customer):
        with pytest.raises(PermissionDenied):
            services.idea_confirm_type(
                idea=idea, actor=user, innovation_type="optimization", horizon="core"
            )
    idea.refresh_from_db()
    assert not idea.type_confirmed and not AuditEvent.objects.exists()


def test_a_draft_is_not_confirmed_and_bad_choices_are_refused(manager):
    with pytest.raises(ValidationError):
        services.idea_confirm_type(
            idea=IdeaFactory(status="draft"),
            actor=manager,
            innovation_type="optimization",
            horizon="core",
        )
    with pytest.raises(ValidationError) as exc:
        services.idea_confirm_type(
            idea=IdeaFactory(status="screening"), actor=manager, innovation_type="x", horizon="y"
        )
    assert set(exc.value.message_dict) == {"innovation_type", "horizon"}


def test_the_manager_form_on_the_idea_page(client, manager, employee):
    idea = IdeaFactory(status="screening", innovation_type="optimization", horizon="core")
    client.force_login(employee)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Confirm type and horizon" not in page and "proposed, not confirmed yet" in page
    assert (
        client.post(
            reverse("ideas:confirm_type", args=[idea.pk]),
            {"innovation_type": "new_experience", "horizon": "adjacent"},
        ).status_code
        == 403
    )
    client.force_login(manager)
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Confirm type and horizon" in page
    response = client.post(
        reverse("ideas:confirm_type", args=[idea.pk]),
        {"innovation_type": "new_experience", "horizon": "adjacent"},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.innovation_type, idea.horizon, idea.type_confirmed) == (
        "new_experience",
        "adjacent",
        True,
    )
    bad = client.post(reverse("ideas:confirm_type", args=[idea.pk]), {"horizon": "someday"})
    assert bad.status_code == 400


def test_the_api_confirms_for_managers_only(manager, employee):
    idea = IdeaFactory(status="submitted", author=employee)
    url = f"/api/v1/ideas/{idea.pk}/"
    # The author may still edit the idea, but not confirm its type.
    refused = api_as(employee).patch(url, {"type_confirmed": True}, format="json")
    assert refused.status_code == 403
    idea.refresh_from_db()
    assert not idea.type_confirmed
    body = (
        api_as(manager)
        .patch(
            url,
            {"type_confirmed": True, "horizon_confirmed": True, "horizon": "adjacent"},
            format="json",
        )
        .json()
    )
    assert (body["type_confirmed"], body["horizon_confirmed"], body["horizon"]) == (
        True,
        True,
        "adjacent",
    )


def test_the_board_filters_by_horizon(client, employee):
    IdeaFactory(title="Core one", horizon="core")
    IdeaFactory(title="Moonshot", horizon="transformational")
    rows = api_as(employee).get("/api/v1/ideas/?horizon=transformational").json()["results"]
    assert [r["title"] for r in rows] == ["Moonshot"]
    assert api_as(employee).get("/api/v1/ideas/?horizon=someday").status_code == 400
    client.force_login(employee)
    page = client.get("/ideas/?horizon=transformational").content.decode()
    assert "Moonshot" in page and "Core one" not in page
