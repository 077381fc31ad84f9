"""The outcomes demo tells its story and gives a later accuracy report enough to work on."""

import itertools

import pytest
from django.core.management import call_command

from accounts.models import AuditEvent
from ideas.models import Idea
from outcomes import demo
from outcomes.models import Experiment, Measurement, ValueRecord
from outcomes.selectors import with_latest_attainment

pytestmark = pytest.mark.django_db


def test_it_seeds_the_story_and_the_cohort_idempotently():
    call_command("seed_demo", quiet_logins=True)
    counts = (Experiment.objects.count(), Measurement.objects.count(), ValueRecord.objects.count())
    demo.seed()
    assert (
        Experiment.objects.count(),
        Measurement.objects.count(),
        ValueRecord.objects.count(),
    ) == counts

    decisions = set(Experiment.objects.values_list("decision", flat=True))
    assert decisions == {"pending", "scale", "iterate", "stop"}
    running = Experiment.objects.pending().filter(measurements__isnull=False).distinct()
    assert running.count() == 1 and running.get().measurements.count() == 5
    assert AuditEvent.objects.filter(action="experiment.decide", data__decision="stop").exists()

    # Every idea's status agrees with the gates: launched ideas scaled, ideas in experiment
    # have a complete pending experiment.
    for idea in Idea.objects.filter(status="launched", experiments__isnull=False).distinct():
        assert idea.experiments.order_by("-created_at", "-id")[0].decision == "scale"
    for idea in Idea.objects.filter(status="in_experiment"):
        latest = idea.experiments.order_by("-created_at", "-id")[0]
        assert latest.is_pending and latest.missing_for_start() == []

    # At least 12 decided experiments on ideas with a panel score, attainment spread out.
    scored = with_latest_attainment(
        Idea.objects.filter(idea_scores__isnull=False).distinct()
    ).filter(attainment__isnull=False)
    values = sorted(scored.values_list("attainment", flat=True))
    assert len(values) >= 12
    assert values[0] < 0.2 and values[-1] > 1.0

    # Value records: the launched ideas only, periods never overlapping.
    assert ValueRecord.objects.exclude(idea__status="launched").count() == 0
    for idea_id in set(ValueRecord.objects.values_list("idea", flat=True)):
        periods = sorted(
            ValueRecord.objects.filter(idea=idea_id).values_list("period_start", "period_end")
        )
        assert all(a[1] < b[0] for a, b in itertools.pairwise(periods))


def test_it_tolerates_an_empty_database(db):
    demo.seed()
    assert not Experiment.objects.exists()
