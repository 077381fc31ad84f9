"""The default journey of the data migration, and the selectors the idea form uses."""

import importlib

import pytest
from django.apps import apps

from journeys.models import Journey, Stage
from journeys.selectors import stage_choices_grouped

pytestmark = pytest.mark.django_db

migration = importlib.import_module("journeys.migrations.0002_default_journey")

EXPECTED = [
    # (order, name, cycle, kind) exactly as DESIGN.md lists the default journey
    (1, "Discover", "buy", "step"),
    (2, "Consider", "buy", "step"),
    (3, "Evaluate", "buy", "step"),
    (4, "Purchase", "buy", "juncture"),
    (5, "Onboard", "own", "step"),
    (6, "Use", "own", "step"),
    (7, "Get help", "own", "step"),
    (8, "Renew", "own", "step"),
    (9, "Love", "own", "juncture"),
    (10, "Recommend", "advocate", "step"),
    (11, "Review & share", "advocate", "step"),
    (12, "Refer", "advocate", "step"),
]


def test_it_creates_the_default_journey_as_designed():
    journey = Journey.objects.get(is_default=True)
    stages = Stage.objects.of_journey(journey).values_list("order", "name", "cycle", "kind")
    assert list(stages) == EXPECTED


def test_it_reverses_and_reapplies_the_data_migration():
    migration.delete_default_journey(apps, None)
    assert not Journey.objects.filter(is_default=True).exists()
    migration.create_default_journey(apps, None)
    migration.create_default_journey(apps, None)  # idempotent
    assert Journey.objects.filter(is_default=True).count() == 1
    assert Stage.objects.filter(journey__is_default=True).count() == 12


def test_it_offers_stage_choices_grouped_by_cycle(django_assert_num_queries):
    with django_assert_num_queries(1):  # 1 stages of the default journey
        choices = stage_choices_grouped()
    ids = dict(Stage.objects.filter(journey__is_default=True).values_list("name", "id"))
    assert choices == [
        (
            "Buy",
            [
                (ids["Discover"], "Discover"),
                (ids["Consider"], "Consider"),
                (ids["Evaluate"], "Evaluate"),
                (ids["Purchase"], "Purchase (juncture)"),
            ],
        ),
        (
            "Own",
            [
                (ids["Onboard"], "Onboard"),
                (ids["Use"], "Use"),
                (ids["Get help"], "Get help"),
                (ids["Renew"], "Renew"),
                (ids["Love"], "Love (juncture)"),
            ],
        ),
        (
            "Advocate",
            [
                (ids["Recommend"], "Recommend"),
                (ids["Review & share"], "Review & share"),
                (ids["Refer"], "Refer"),
            ],
        ),
    ]
