from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories

D = Decimal


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


@pytest.fixture
def portfolio(fy, manager, employee):
    """FY2026, innovation budget 100,000.00 (1,000,000 x 10%).

    idea   type                 status         cycle  campaign  allocation           spend
    A      optimization         funded         buy    C1        30,000.00            5,000.00 + 2,500.50
    B      new_experience       funded         own    C1        20,000.00            10,000.00
    C      new_technology       in_experiment  -      -         12,345.67            -
    D      new_product_or_svc   funded         own    -         40,000.00 released   -
    E      new_experience       approved (no owner)
    F      optimization         submitted
    """
    journey = factories.JourneyFactory()
    buy = factories.StageFactory(journey=journey, cycle="buy")
    own = factories.StageFactory(journey=journey, cycle="own")
    c1 = factories.CampaignFactory(title="Onboarding")
    mk = factories.IdeaFactory
    ideas = {
        "A": mk(
            title="A",
            innovation_type="optimization",
            status="funded",
            stage=buy,
            campaign=c1,
            owner=employee,
        ),
        "B": mk(
            title="B",
            innovation_type="new_experience",
            status="funded",
            stage=own,
            campaign=c1,
            owner=employee,
        ),
        "C": mk(title="C", innovation_type="new_technology", status="in_experiment", owner=manager),
        "D": mk(
            title="D",
            innovation_type="new_product_or_service",
            status="funded",
            stage=own,
            owner=manager,
        ),
        "E": mk(title="E", innovation_type="new_experience", status="approved", owner=None),
        "F": mk(title="F", innovation_type="optimization", status="submitted"),
    }
    alloc = factories.AllocationFactory
    a = alloc(fiscal_year=fy, idea=ideas["A"], amount=D("30000.00"), allocated_by=manager)
    b = alloc(fiscal_year=fy, idea=ideas["B"], amount=D("20000.00"), allocated_by=manager)
    alloc(fiscal_year=fy, idea=ideas["C"], amount=D("12345.67"), allocated_by=manager)
    alloc(
        fiscal_year=fy,
        idea=ideas["D"],
        amount=D("40000.00"),
        allocated_by=manager,
        status="released",
        released_at=timezone.now(),
    )
    spend = factories.SpendFactory
    spend(allocation=a, amount=D("5000.00"), spent_on=date(2026, 3, 1), recorded_by=manager)
    spend(allocation=a, amount=D("2500.50"), spent_on=date(2026, 4, 1), recorded_by=manager)
    spend(allocation=b, amount=D("10000.00"), spent_on=date(2026, 5, 1), recorded_by=manager)
    return ideas
