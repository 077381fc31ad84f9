from datetime import date
from decimal import Decimal

import pytest

from tests import factories


@pytest.fixture
def fy(db):
    """FY 2026: marketing 1,000,000 x 10% → innovation budget 100,000.00."""
    return factories.FiscalYearFactory(
        label="FY2026",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        marketing_budget=Decimal("1000000.00"),
        innovation_target_pct=Decimal("10.00"),
    )


@pytest.fixture
def approved_idea(db, employee):
    return factories.IdeaFactory(
        status="approved", owner=employee, innovation_type="new_technology"
    )


def closed_round():
    """A closed review round with its own scorecard: transactional tests flush the default
    scorecard written by the scoring data migration, so do not rely on it here."""
    from scoring.models import Scorecard

    return factories.ReviewRoundFactory(
        status="closed", scorecard=Scorecard.objects.create(name="Budget tests")
    )
