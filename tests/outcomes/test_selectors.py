"""The reads other reports build on: decided experiments, latest attainment per idea and
value totals per idea, each checked against hand-worked numbers."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ideas.models import Idea
from outcomes.models import Experiment, ValueRecord
from outcomes.selectors import with_latest_attainment, with_value_totals
from tests import factories

pytestmark = pytest.mark.django_db


def at(day: int) -> datetime:
    return timezone.make_aware(datetime(2026, 5, day, 12))


def decided(idea, decision, day, *, latest, baseline="40", target="60"):
    e = factories.ExperimentFactory(
        idea=idea,
        decision=decision,
        decided_at=at(day),
        baseline=Decimal(baseline),
        target=Decimal(target),
    )
    factories.MeasurementFactory(
        experiment=e, measured_on=date(2026, 4, day), value=Decimal(latest)
    )
    return e


def test_decided_excludes_pending_experiments():
    pending = factories.ExperimentFactory()
    stop = factories.ExperimentFactory(decision="stop", decided_at=at(1))
    assert list(Experiment.objects.decided()) == [stop]
    assert list(Experiment.objects.pending()) == [pending]


def test_latest_attainment_per_idea_uses_the_latest_decision():
    a = factories.IdeaFactory(status="launched")
    decided(a, "iterate", 2, latest="45")  # (45-40)/20 = 0.25, decided earlier
    decided(a, "scale", 9, latest="58")  # (58-40)/20 = 0.9, decided later: this one
    factories.ExperimentFactory(idea=factories.IdeaFactory(status="funded"))  # pending only
    b = factories.IdeaFactory(status="parked")
    decided(b, "stop", 3, latest="8.5", baseline="8", target="5")  # (8.5-8)/(5-8) = -0.1667
    rows = {
        i.pk: (round(i.attainment, 4) if i.attainment is not None else None, i.experiment_decision)
        for i in with_latest_attainment(Idea.objects.all())
    }
    assert rows[a.pk] == (0.9, "scale")
    assert rows[b.pk] == (-0.1667, "stop")
    assert sorted(v for v in rows.values() if v[0] is None) == [(None, None)]


def test_value_totals_per_idea():
    a = factories.IdeaFactory(status="launched")
    factories.ValueRecordFactory(
        idea=a,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        revenue_generated=Decimal("1000.50"),
        revenue_protected=Decimal("200.00"),
    )
    factories.ValueRecordFactory(
        idea=a,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        revenue_generated=Decimal("999.50"),
        revenue_protected=Decimal("0.00"),
    )
    none = factories.IdeaFactory(status="launched")
    rows = {i.pk: i for i in with_value_totals(Idea.objects.all())}
    # 1000.50 + 999.50 = 2000.00 generated; 200.00 protected; 2200.00 in all
    assert (rows[a.pk].realised_generated, rows[a.pk].realised_protected) == (
        Decimal("2000.00"),
        Decimal("200.00"),
    )
    assert rows[a.pk].realised_total == Decimal("2200.00")
    assert rows[none.pk].realised_total == Decimal("0")
    totals = list(ValueRecord.objects.totals_by_idea())
    assert totals == [
        {
            "idea": a.pk,
            "generated": Decimal("2000.00"),
            "protected": Decimal("200.00"),
            "records": 2,
            "total": Decimal("2200.00"),
        }
    ]
