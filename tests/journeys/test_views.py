"""The map page, its cell panel, the moment options and the managers' editor."""

import pytest
from django.urls import reverse

from journeys.models import Journey, Moment, Stage
from tests.factories import MomentFactory

pytestmark = pytest.mark.django_db


def test_it_redirects_the_default_map_url_to_the_default_journey(client, employee):
    client.force_login(employee)
    journey = Journey.objects.get(is_default=True)
    response = client.get(reverse("insights:journey_default") + "?metric=score")
    assert response.status_code == 302
    assert response.url == reverse("insights:journey_map", args=[journey.pk]) + "?metric=score"


def test_it_shows_the_map_with_cycles_junctures_heat_and_gaps(client, manager, small_map):
    client.force_login(manager)
    a, b, _ = small_map["stages"]
    response = client.get(reverse("insights:journey_map", args=[small_map["journey"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
    assert 'scope="colgroup" colspan="2" class="map-cycle map-cycle-buy">Buy' in html
    assert "◆ Juncture" in html  # junctures are labelled, not only coloured
    assert 'data-heat="5"' in html and "heat heat-5" in html
    assert "Allocated" in html and "2,100" in html
    gap = small_map["moments"]["mA2"]
    new_url = reverse("ideas:new") if _has("ideas:new") else None
    if new_url:
        assert f"{new_url}?stage={a.pk}&amp;moment={gap.pk}" in html
    assert "mA2" in html and "⚠ Gap" in html
    # The cell links to the ideas board without JS and loads the panel with htmx.
    assert (
        f'hx-get="{reverse("insights:journey_cell", args=[small_map["journey"].pk, b.pk])}"' in html
    )


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
        return True
    except NoReverseMatch:
        return False


def test_it_hides_money_from_employees_on_the_page(client, employee, small_map):
    client.force_login(employee)
    url = reverse("insights:journey_map", args=[small_map["journey"].pk])
    html = client.get(url).content.decode()
    assert "Allocated" not in html and "2,100" not in html
    assert "Money allocated" not in html  # no funding metric to choose
    assert 'name="fiscal_year"' not in html
    response = client.get(url + "?metric=funding")
    assert response.status_code == 400
    assert "2,100" not in response.content.decode()


def test_it_answers_bad_filters_with_400_and_the_unfiltered_map(client, manager, small_map):
    client.force_login(manager)
    url = reverse("insights:journey_map", args=[small_map["journey"].pk])
    response = client.get(url + "?campaign=abc&metric=colour")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert 'data-testid="journey-map"' in html


def test_it_filters_the_page_by_campaign(client, manager, small_map):
    client.force_login(manager)
    url = reverse("insights:journey_map", args=[small_map["journey"].pk])
    response = client.get(
        url, {"campaign": small_map["campaign"].pk}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the htmx answer is only the grid
    assert "1,750" in html


def test_it_lists_a_cells_ideas_in_the_panel(client, employee, small_map):
    client.force_login(employee)
    a = small_map["stages"][0]
    url = reverse("insights:journey_cell", args=[small_map["journey"].pk, a.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    live = [i.title for i in small_map["ideas"][:7]]
    assert all(title in html for title in live)
    assert small_map["ideas"][7].title not in html  # the draft
    assert small_map["ideas"][8].title not in html  # the rejected one
    # Without htmx the same URL shows the whole map with the panel filled in.
    full = client.get(url).content.decode()
    assert "<html" in full and live[0] in full


def test_it_returns_the_moment_options_of_a_stage(client, customer):
    client.force_login(customer)  # customers fill the idea form too
    stage = Stage.objects.get(journey__is_default=True, name="Use")
    first = MomentFactory(stage=stage, name="App login lockout", severity=5)
    second = MomentFactory(stage=stage, name="Overdraft fee surprise", severity=4)
    MomentFactory(stage=Stage.objects.get(journey__is_default=True, name="Renew"))
    url = reverse("journeys:moment_options")
    html = client.get(url, {"stage": stage.pk, "moment": second.pk}).content.decode()
    assert html.count("<option") == 3
    assert html.startswith('<option value="">—</option>')
    assert f'<option value="{first.pk}">App login lockout</option>' in html
    assert f'<option value="{second.pk}" selected>Overdraft fee surprise</option>' in html
    assert client.get(url).content.decode().strip() == '<option value="">—</option>'
    assert client.get(url, {"stage": "x"}).status_code == 400
    assert client.get(url, {"stage": "999999"}).status_code == 400


def test_it_lets_a_manager_edit_the_journey(client, manager):
    client.force_login(manager)
    journey = Journey.objects.get(is_default=True)
    edit = reverse("journeys:edit", args=[journey.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": "Retail bank journey", "description": "Ours"})
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.name == "Retail bank journey"
    # A blank name is refused with the form re-rendered and nothing saved.
    response = client.post(edit, {"name": "", "description": "x"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    journey.refresh_from_db()
    assert journey.description == "Ours"


def test_it_lets_a_manager_add_and_move_stages(client, manager):
    client.force_login(manager)
    journey = Journey.objects.get(is_default=True)
    response = client.post(
        reverse("journeys:stage_add", args=[journey.pk]),
        {"new-name": "Leave", "new-cycle": "advocate", "new-kind": "step"},
    )
    assert response.status_code == 302
    leave = Stage.objects.get(journey=journey, name="Leave")
    assert leave.order == 13
    client.post(reverse("journeys:stage_move", args=[leave.pk]), {"direction": "up"})
    names = list(Stage.objects.of_journey(journey).values_list("name", flat=True))
    assert names[-2:] == ["Leave", "Refer"]
    # A duplicate name comes back as a 400 with the message.
    response = client.post(
        reverse("journeys:stage_add", args=[journey.pk]),
        {"new-name": "refer", "new-cycle": "advocate", "new-kind": "step"},
    )
    assert response.status_code == 400
    assert "already has a stage" in response.content.decode()
    # Renaming a stage.
    response = client.post(
        reverse("journeys:stage_edit", args=[leave.pk]),
        {"name": "Churn", "cycle": "advocate", "kind": "juncture"},
    )
    assert response.status_code == 302
    leave.refresh_from_db()
    assert (leave.name, leave.kind) == ("Churn", "juncture")


def test_it_lets_a_manager_add_edit_and_delete_moments(client, manager):
    client.force_login(manager)
    stage = Stage.objects.get(journey__is_default=True, name="Onboard")
    add = reverse("journeys:moment_add", args=[stage.pk])
    assert client.get(add).status_code == 200
    response = client.post(
        add, {"name": "Card activation delay", "effect": "destroys_value", "severity": "4"}
    )
    assert response.status_code == 302
    moment = Moment.objects.get(stage=stage, name="Card activation delay")
    response = client.post(add, {"name": "Bad", "effect": "destroys_value", "severity": "9"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Moment.objects.filter(name="Bad").exists()
    edit = reverse("journeys:moment_edit", args=[moment.pk])
    response = client.post(
        edit,
        {"name": "PIN arrives late", "effect": "destroys_value", "severity": "5", "evidence": "x"},
    )
    assert response.status_code == 302
    moment.refresh_from_db()
    assert (moment.name, moment.severity) == ("PIN arrives late", 5)
    assert client.post(reverse("journeys:moment_delete", args=[moment.pk])).status_code == 302
    assert not Moment.objects.filter(pk=moment.pk).exists()
