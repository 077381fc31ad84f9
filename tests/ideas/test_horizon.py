"""The horizon the submitter proposes, and the manager's confirmation of type and horizon."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from ideas import services
from tests.conftest import api_as
from tests.factories import IdeaFactory, guided_idea_post


def test_the_submitter_proposes_a_horizon_in_the_form_and_the_api(client, employee):
    client.force_login(employee)
    response = client.post(
        reverse("ideas:new"),
        guided_idea_post(
            title="Video advice for first-time buyers",
            innovation_type="new_interaction_model",
            horizon="adjacent",
        ),
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


# --- Budgets: horizon targets and the strict figure -----------------------------------------


def test_a_fiscal_year_has_horizon_targets_70_20_10_by_default(manager):
    from datetime import date

    from budgets import services as budget_services

    fy = budget_services.fiscal_year_create(
        label="FY horizons",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        marketing_budget="1000000",
        actor=manager,
    )
    assert fy.horizon_targets == {"core": 70, "adjacent": 20, "transformational": 10}
    body = api_as(manager).get(f"/api/v1/budgets/fiscal-years/{fy.pk}/").json()
    assert body["horizon_targets"] == {"core": 70, "adjacent": 20, "transformational": 10}


@pytest.mark.parametrize(
    "targets",
    [
        {"core": 70, "adjacent": 20, "transformational": 20},  # 110
        {"core": 80, "adjacent": 20},  # one missing
        {"core": 70.5, "adjacent": 19.5, "transformational": 10},  # not whole
        {"core": -10, "adjacent": 100, "transformational": 10},
    ],
)
def test_horizon_targets_must_be_whole_percentages_adding_up_to_100(manager, targets):
    from budgets.models import FiscalYear
    from tests.factories import FiscalYearFactory

    fy = FiscalYearFactory()
    response = api_as(manager).patch(
        f"/api/v1/budgets/fiscal-years/{fy.pk}/", {"horizon_targets": targets}, format="json"
    )
    assert response.status_code == 400 and "horizon_targets" in response.json()
    assert FiscalYear.objects.get(pk=fy.pk).horizon_targets["core"] == 70


def test_horizon_targets_are_set_in_the_api_and_the_form(client, manager):
    from budgets.models import FiscalYear
    from tests.factories import FiscalYearFactory

    fy = FiscalYearFactory()
    targets = {"core": 60, "adjacent": 25, "transformational": 15}
    response = api_as(manager).patch(
        f"/api/v1/budgets/fiscal-years/{fy.pk}/", {"horizon_targets": targets}, format="json"
    )
    assert response.status_code == 200 and response.json()["horizon_targets"] == targets
    client.force_login(manager)
    data = {
        "label": fy.label,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "marketing_budget": "1000000.00",
        "innovation_target_pct": "10.00",
        "currency": "EUR",
        "target_core": 50,
        "target_adjacent": 30,
        "target_transformational": 30,
    }
    url = reverse("budgets:fiscal_year_edit", args=[fy.pk])
    bad = client.post(url, data)
    assert bad.status_code == 400 and "add up to 100" in bad.content.decode()
    data["target_transformational"] = 20
    assert client.post(url, data).status_code == 302
    assert FiscalYear.objects.get(pk=fy.pk).horizon_targets == {
        "core": 50,
        "adjacent": 30,
        "transformational": 20,
    }


def test_the_strict_figure_counts_confirmed_new_types_only(db):
    from datetime import date
    from decimal import Decimal

    from budgets.models import Allocation
    from budgets.services import snapshot_values
    from tests.factories import AllocationFactory, FiscalYearFactory

    fy = FiscalYearFactory()
    confirmed_new = IdeaFactory(status="funded", innovation_type="new_technology")
    unconfirmed_new = IdeaFactory(
        status="funded", innovation_type="new_technology", type_confirmed=False
    )
    optimization = IdeaFactory(status="funded", innovation_type="optimization")
    for idea, amount in [(confirmed_new, 1000), (unconfirmed_new, 200), (optimization, 30)]:
        AllocationFactory(fiscal_year=fy, idea=idea, amount=Decimal(amount))
    # 1,000 counts as new; 200 is new by the submitter's label only; 30 is an optimization.
    assert Allocation.objects.new_only().count() == 1
    values = snapshot_values(fiscal_year=fy, day=date(2026, 12, 31))
    assert values["committed"] == Decimal("1230.00")
    assert values["committed_new_only"] == Decimal("1000.00")


@pytest.fixture
def horizon_year(db):
    """An innovation budget of 100,000 (1,000,000 at 10%) with money on each horizon, one
    idea of them new by its label only (type not confirmed)."""
    from decimal import Decimal

    from tests.factories import AllocationFactory, FiscalYearFactory

    fy = FiscalYearFactory(label="FY horizons")
    rows = [
        ("Core fix", "optimization", "core", True, "40000"),
        ("Adjacent app", "new_technology", "adjacent", True, "25000"),
        ("Moonshot", "new_product_or_service", "transformational", False, "5000"),
    ]
    ideas = {}
    for title, kind, horizon, confirmed, amount in rows:
        ideas[title] = IdeaFactory(
            title=title,
            status="funded",
            innovation_type=kind,
            horizon=horizon,
            type_confirmed=confirmed,
        )
        AllocationFactory(fiscal_year=fy, idea=ideas[title], amount=Decimal(amount))
    return fy, ideas


def test_the_summary_splits_money_by_horizon_against_the_targets(horizon_year):
    from datetime import date
    from decimal import Decimal as D

    from insights.dashboard import executive_summary

    fy, _ideas = horizon_year
    s = executive_summary(fy, today=date(2026, 7, 2)).as_dict()
    # Worked out by hand: innovation budget 100,000; targets 70/20/10 → 70,000/20,000/10,000.
    assert [
        (r["key"], r["amount"], r["of_innovation_pct"], r["target_pct"], r["target_amount"])
        for r in s["by_horizon"]
    ] == [
        ("core", D("40000.00"), D("40.00"), D("70.00"), D("70000.00")),
        ("adjacent", D("25000.00"), D("25.00"), D("20.00"), D("20000.00")),
        ("transformational", D("5000.00"), D("5.00"), D("10.00"), D("10000.00")),
    ]
    # New only: the adjacent app (25,000); the moonshot's type is not confirmed, the core fix
    # is an optimization.
    assert s["committed_new_only"] == D("25000.00")
    assert s["committed_unconfirmed"] == D("5000.00")
    assert [i["title"] for i in s["ideas_unconfirmed"]] == ["Moonshot"]
    assert "unconfirmed_type" in [a["code"] for a in s["alerts"]]


def test_confirming_the_type_moves_the_money_into_the_strict_figure(horizon_year, manager):
    from datetime import date
    from decimal import Decimal as D

    from insights.dashboard import executive_summary

    fy, ideas = horizon_year
    services.idea_confirm_type(
        idea=ideas["Moonshot"],
        actor=manager,
        innovation_type="new_product_or_service",
        horizon="transformational",
    )
    s = executive_summary(fy, today=date(2026, 7, 2)).as_dict()
    assert s["committed_new_only"] == D("30000.00") and s["committed_unconfirmed"] == D("0.00")
    assert s["ideas_unconfirmed"] == []
    assert "unconfirmed_type" not in [a["code"] for a in s["alerts"]]


def test_the_dashboard_flags_unconfirmed_ideas_and_shows_the_horizons(
    client, executive, horizon_year
):
    fy, ideas = horizon_year
    client.force_login(executive)
    page = client.get(reverse("insights:dashboard"), {"fiscal_year": fy.pk}).content.decode()
    assert f'data-unconfirmed="{ideas["Moonshot"].pk}"' in page
    assert 'data-horizon="transformational"' in page and "70.00" in page
    body = api_as(executive).get(f"/api/v1/budgets/fiscal-years/{fy.pk}/summary/").json()
    assert body["by_horizon"][1] == {
        "key": "adjacent",
        "label": "Adjacent",
        "amount": "25000.00",
        "allocations": 1,
        "of_innovation_pct": "25.00",
        "target_pct": "20.00",
        "target_amount": "20000.00",
    }
    assert body["ideas_unconfirmed"][0]["title"] == "Moonshot"


def test_the_unconfirmed_list_costs_one_query_and_only_when_needed(
    executive, horizon_year, manager, django_assert_num_queries
):
    from tests.budgets.test_queries import SUMMARY

    fy, ideas = horizon_year
    client = api_as(executive)
    url = f"/api/v1/budgets/fiscal-years/{fy.pk}/summary/"
    # 1 user's groups (rules), 2 the fiscal year, the summary (SUMMARY), and the funded ideas
    # whose type is not confirmed (there is one)
    with django_assert_num_queries(2 + SUMMARY + 1):
        assert client.get(url).status_code == 200
    services.idea_confirm_type(
        idea=ideas["Moonshot"], actor=manager, innovation_type="new_technology", horizon="core"
    )
    # nothing unconfirmed: the summary's totals say so, and the list is not read (a fresh
    # user object, as in a new request: the groups are cached on the first one)
    client = api_as(type(executive).objects.get(pk=executive.pk))
    with django_assert_num_queries(2 + SUMMARY):
        assert client.get(url).status_code == 200
