"""Campaigns are run in whole days: date pickers on the form, "Opens 10 Dec" in the lists."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ideas.forms import CampaignForm
from ideas.models import Campaign
from ideas.templatetags.ideas_tags import campaign_when
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=MADRID)


def form_data(**extra):
    return {"title": "T", "slug": "t", "brief": "B?", "audience": "everyone", **extra}


@override_settings(TIME_ZONE="Europe/Madrid")
def test_it_opens_at_the_start_of_the_first_day_and_closes_at_the_end_of_the_last():
    with timezone.override(MADRID):
        form = CampaignForm(form_data(opens_at="2026-12-10", closes_at="2027-01-03"))
        assert form.is_valid(), form.errors
        assert form.cleaned_data["opens_at"] == datetime(2026, 12, 10, 0, 0, tzinfo=MADRID)
        assert form.cleaned_data["closes_at"] == datetime.combine(
            datetime(2027, 1, 3).date(), time.max, tzinfo=MADRID
        )
        # One day is a valid campaign; a last day before the first is not.
        assert CampaignForm(form_data(opens_at="2026-12-10", closes_at="2026-12-10")).is_valid()
        bad = CampaignForm(form_data(opens_at="2026-12-10", closes_at="2026-12-09"))
        assert not bad.is_valid() and "closes_at" in bad.errors
        assert CampaignForm(form_data(opens_at="2026-12-10")).is_valid()  # no end date


def test_the_form_uses_date_pickers_showing_the_campaigns_days():
    campaign = CampaignFactory(
        opens_at=datetime(2026, 12, 10, 0, 0, tzinfo=timezone.get_current_timezone()),
        closes_at=datetime(2027, 1, 3, 23, 59, tzinfo=timezone.get_current_timezone()),
    )
    html = str(CampaignForm(instance=campaign))
    assert 'type="date" name="opens_at" value="2026-12-10"' in html
    assert 'type="date" name="closes_at" value="2027-01-03"' in html


@time_machine.travel(NOW, tick=False)
def test_it_says_when_a_campaign_opens_or_closes():
    def at(y, m, d):
        return datetime(y, m, d, 9, 0, tzinfo=MADRID)

    now = timezone.now()
    assert campaign_when(Campaign(opens_at=at(2026, 12, 10)), now) == "Opens 10 Dec"
    open_one = Campaign(opens_at=at(2026, 11, 1), closes_at=at(2027, 1, 3))
    assert campaign_when(open_one, now) == "Closes 3 Jan 2027"  # the year when not this one
    assert campaign_when(Campaign(opens_at=at(2026, 11, 1), closes_at=at(2026, 12, 24)), now) == (
        "Closes 24 Dec"
    )
    assert campaign_when(Campaign(opens_at=at(2026, 1, 1), closes_at=at(2026, 7, 3)), now) == (
        "Closed 3 Jul"
    )
    assert campaign_when(Campaign(opens_at=at(2026, 1, 1)), now) == "Open, no end date"


@time_machine.travel(NOW, tick=False)
def test_the_campaign_list_says_opens_for_a_future_campaign(client, employee):
    CampaignFactory(title="Winter", opens_at=datetime(2026, 12, 10, 9, tzinfo=MADRID))
    client.force_login(employee)
    html = client.get(reverse("ideas:campaigns")).content.decode()
    assert "Opens 10 Dec" in html
