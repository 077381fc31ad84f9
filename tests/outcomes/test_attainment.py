"""Attainment = (latest - baseline) / (target - baseline), worked out by hand per case,
in Python (outcomes.models.attainment) and in SQL (ExperimentQuerySet.with_attainment)."""

from datetime import date
from decimal import Decimal

import pytest

from outcomes.models import Experiment, attainment
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal


def sql_attainment(experiment) -> float | None:
    value = Experiment.objects.with_attainment().get(pk=experiment.pk).attainment
    return None if value is None else round(value, 4)


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "values", "expected"),
    [
        # Increase: completion 40 % -> target 60 %; latest 55: 15 of the 20 points = 0.75.
        ("increase", "40", "60", ["48", "55"], 0.75),
        # Increase beyond the target: 65 is 25 of 20 points = 1.25.
        ("increase", "40", "60", ["65"], 1.25),
        # Increase that went the wrong way: 38 is -2 of 20 points = -0.1.
        ("increase", "40", "60", ["38"], -0.1),
        # Decrease: wait 8.0 min -> target 5.0; latest 6.5: (6.5-8)/(5-8) = -1.5/-3 = 0.5.
        ("decrease", "8.0", "5.0", ["7.1", "6.5"], 0.5),
        # Decrease met exactly: (5-8)/(5-8) = 1.
        ("decrease", "8.0", "5.0", ["5.0"], 1.0),
        # Decrease gone wrong: wait rose to 9: (9-8)/(5-8) = 1/-3 = -0.3333.
        ("decrease", "8.0", "5.0", ["9"], -0.3333),
        # Whole numbers (SQLite stores them as integers): (3-1)/(4-1) = 2/3 = 0.6667.
        ("increase", "1", "4", ["3"], 0.6667),
    ],
)
def test_it_computes_attainment_by_hand(direction, baseline, target, values, expected):
    experiment = factories.ExperimentFactory(
        direction=direction, baseline=D(baseline), target=D(target)
    )
    for day, value in enumerate(values, start=1):
        factories.MeasurementFactory(
            experiment=experiment, measured_on=date(2026, 3, day), value=D(value)
        )
    assert attainment(D(baseline), D(target), D(values[-1])) == expected
    assert sql_attainment(experiment) == expected


def test_it_uses_the_latest_measurement_by_day_not_by_entry():
    experiment = factories.ExperimentFactory(baseline=D("40"), target=D("60"))
    factories.MeasurementFactory(experiment=experiment, measured_on=date(2026, 3, 9), value=D("50"))
    # Entered later, measured earlier: not the latest.
    factories.MeasurementFactory(experiment=experiment, measured_on=date(2026, 3, 2), value=D("60"))
    # (50-40)/(60-40) = 0.5
    assert sql_attainment(experiment) == 0.5


def test_it_is_null_without_a_measurement():
    experiment = factories.ExperimentFactory()
    assert attainment(D("40"), D("60"), None) is None
    assert sql_attainment(experiment) is None


def test_it_is_null_when_target_equals_baseline():
    # The services refuse such an experiment; the formula still never divides by zero.
    experiment = factories.ExperimentFactory(baseline=D("40"), target=D("40"))
    factories.MeasurementFactory(experiment=experiment, value=D("45"))
    assert attainment(D("40"), D("40"), D("45")) is None
    assert sql_attainment(experiment) is None


def test_it_is_null_while_baseline_or_target_is_missing():
    experiment = factories.ExperimentFactory(baseline=None, target=D("60"))
    factories.MeasurementFactory(experiment=experiment, value=D("45"))
    assert attainment(None, D("60"), D("45")) is None
    assert sql_attainment(experiment) is None
