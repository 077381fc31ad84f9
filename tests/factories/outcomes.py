from datetime import date
from decimal import Decimal

import factory

from outcomes.models import Experiment, Measurement, ValueRecord
from outcomes.services import value_totals_add
from tests.factories.ideas import IdeaFactory

__all__ = ["ExperimentFactory", "MeasurementFactory", "ValueRecordFactory"]


class ExperimentFactory(factory.django.DjangoModelFactory):
    """A complete, pending experiment written directly (no service): for read tests."""

    class Meta:
        model = Experiment

    idea = factory.SubFactory(IdeaFactory, status="funded")
    hypothesis = "Pre-filled income fields will cut abandonment at the income step."
    segment = "12 pilot branches"
    metric = "Completion rate"
    unit = "%"
    direction = "increase"
    baseline = Decimal("40")
    target = Decimal("60")
    starts_on = date(2026, 1, 1)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    experiment = factory.SubFactory(ExperimentFactory)
    measured_on = factory.Sequence(lambda n: date(2026, 2, 1 + n % 27))
    value = Decimal("45")


class ValueRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueRecord

    idea = factory.SubFactory(IdeaFactory, status="launched")
    period_start = date(2026, 1, 1)
    period_end = date(2026, 3, 31)
    revenue_generated = Decimal("10000.00")
    revenue_protected = Decimal("5000.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved with the idea's maintained totals, as the value-record service saves it."""
        record = super()._create(model_class, *args, **kwargs)
        value_totals_add(record.idea_id, [record])
        return record
