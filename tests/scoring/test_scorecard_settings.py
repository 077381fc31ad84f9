"""Managers edit a scorecard's rubric and whether a rationale is required (no new version)."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from scoring.models import Scorecard, Signal
from tests.factories import default_scorecard


@pytest.fixture
def card(db):
    return default_scorecard()


def _form(card, **changes):
    data = {"rationale_required": "on"} if card.rationale_required else {}
    for signal in card.signals.all():
        for value, _label, description in signal.scale():
            data[f"{signal.key}-{value}"] = description
    data.update(changes)
    return data


def test_a_manager_rewords_a_point_and_makes_the_rationale_optional(client, manager, card):
    client.force_login(manager)
    url = reverse("scoring:scorecard_settings", args=[card.pk])
    page = client.get(url).content.decode()
    assert "Customers would not notice" in page and "Wording, not method" in page
    data = _form(card, **{"importance-5": "Customers switch banks over it."})
    data.pop("rationale_required")
    res = client.post(url, data)
    assert res.status_code == 302
    card.refresh_from_db()
    assert card.rationale_required is False
    assert Signal.objects.get(key="importance").rubric["5"] == "Customers switch banks over it."
    # The same scorecard, not a new version; the change is audited.
    assert Scorecard.objects.count() == 1
    assert AuditEvent.objects.filter(action="scorecard.settings").count() == 1


def test_a_too_long_description_is_a_field_error(client, manager, card):
    client.force_login(manager)
    url = reverse("scoring:scorecard_settings", args=[card.pk])
    res = client.post(url, _form(card, **{"evidence-2": "x" * 301}))
    assert res.status_code == 400
    assert 'id="id_evidence-2_error"' in res.content.decode()
    assert Signal.objects.get(key="evidence").rubric["2"].startswith("Anecdotes")


@pytest.mark.parametrize("role", ["employee", "panelist", "executive", "customer"])
def test_only_managers_edit_scorecards(client, request, card, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse("scoring:scorecard_settings", args=[card.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _form(card)).status_code == 403


def test_the_rounds_page_links_each_scorecard(client, manager, card):
    client.force_login(manager)
    html = client.get(reverse("scoring:rounds")).content.decode()
    assert reverse("scoring:scorecard_settings", args=[card.pk]) in html
