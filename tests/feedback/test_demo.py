"""The demo feedback: realistic volume, a clear pain point with no idea, links to ideas."""

import io

from django.core.management import call_command

from feedback import selectors
from feedback.demo import PAIN_MOMENT
from feedback.models import FeedbackItem, FeedbackLink
from journeys.models import Journey


def test_the_demo_has_a_clear_pain_point_and_is_idempotent(db):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert FeedbackItem.objects.count() == 3000
    assert FeedbackLink.objects.exists()
    assert FeedbackItem.objects.filter(stage__isnull=True, suggested_moment__isnull=False).exists()
    overlay = selectors.journey_overlay(Journey.objects.default(), days=90)
    assert overlay["pain"][0]["moment"].name == PAIN_MOMENT
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert FeedbackItem.objects.count() == 3000
