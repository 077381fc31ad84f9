"""Reads of outcomes that other pages build on (the portfolio and panel-accuracy reports
live in an app to the right and start from these).

- ``Experiment.objects.decided()`` / ``.with_attainment()`` (outcomes.models);
- :func:`with_latest_attainment`: ideas annotated with their latest decided experiment's
  attainment and decision;
- :func:`with_value_totals`: ideas annotated with realised revenue generated, protected and
  their sum (the maintained ``IdeaValue``);
- ``ValueRecord.objects.totals_by_idea()``: the same sums as rows.
"""

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from outcomes.models import MONEY, Experiment

ZERO = Value(Decimal("0.00"), DecimalField(**MONEY))


def with_latest_attainment(ideas: QuerySet, *, decided_only: bool = True) -> QuerySet:
    """Annotate ``attainment`` (float or None), ``experiment_decision`` and
    ``experiment_id`` of each idea's latest experiment: the latest decided one by decision
    time (default), or the latest created one with ``decided_only=False``."""
    experiments = Experiment.objects.filter(idea=OuterRef("pk")).with_attainment()
    if decided_only:
        experiments = experiments.decided().order_by("-decided_at", "-id")
    else:
        experiments = experiments.order_by("-created_at", "-id")
    return ideas.annotate(
        attainment=Subquery(experiments.values("attainment")[:1]),
        experiment_decision=Subquery(experiments.values("decision")[:1]),
        experiment_id=Subquery(experiments.values("pk")[:1]),
    )


def with_value_totals(ideas: QuerySet) -> QuerySet:
    """Annotate ``realised_generated``, ``realised_protected`` and ``realised_total``
    (Decimals, 0.00 without records) from the maintained ``IdeaValue`` (a one-to-one LEFT
    JOIN, so other annotations cannot multiply the rows and no record is summed here)."""
    return ideas.annotate(
        realised_generated=Coalesce(F("realised_value__generated"), ZERO),
        realised_protected=Coalesce(F("realised_value__protected"), ZERO),
        realised_total=Coalesce(F("realised_value__total"), ZERO),
    )
