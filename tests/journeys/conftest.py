"""A small journey with ideas, scores and allocations whose map is worked out by hand.

Journey "Test journey": A (buy, step, order 1), B (buy, juncture, order 2), C (own, step, 3).

Ideas on A: i1 submitted (moment mA1, campaign X), i2 screening, i3 in_review (X),
i4 shortlisted, i5 approved (X), i6 funded, i7 launched, i8 draft (mA2), i9 rejected (mA2).
Ideas on B: i10 in_experiment, i11 parked (mB1). Nothing on C.

Scores (IdeaScore.overall): i1 2.0 then, in a later round, 4.0; i3 3.0; i9 5.0 (not live);
i10 2.5.
Allocations (committed unless said): i5 FY1 1000.00 + FY1 500.00 + FY2 250.00 + FY1 released
9999.00; i6 FY1 300.00; i10 FY2 100.00; i9 (rejected) FY1 50.00.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from budgets.models import Allocation, FiscalYear
from scoring.latest import latest_scores_rebuild
from scoring.models import IdeaScore, Panel, ReviewRound, Scorecard
from tests.factories import (
    CampaignFactory,
    IdeaFactory,
    JourneyFactory,
    MomentFactory,
    StageFactory,
)


def make_round(name: str) -> ReviewRound:
    scorecard, _ = Scorecard.objects.get_or_create(name="Test scorecard")
    panel = Panel.objects.create(name=f"Panel {name}")
    return ReviewRound.objects.create(
        name=name, panel=panel, scorecard=scorecard, due_at=timezone.now()
    )


def score(idea, overall: float, round_: ReviewRound, *, at=None) -> IdeaScore:
    row = IdeaScore.objects.create(
        round=round_,
        idea=idea,
        overall=overall,
        passes_gate=overall >= 3.5,
        contested=False,
        reviewers=3,
        functions=3,
        rank=1,
    )
    if at is not None:  # computed_at is auto_now: set it explicitly to order the rounds
        IdeaScore.objects.filter(pk=row.pk).update(computed_at=at)
    # Rows made by hand, not by the aggregation: keep the latest scores as it would.
    latest_scores_rebuild(idea_ids=[idea.pk])
    return row


def make_fiscal_year(label: str, year: int) -> FiscalYear:
    return FiscalYear.objects.create(
        label=label,
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        marketing_budget=Decimal("1000000.00"),
    )


def allocate(idea, fy, amount: str, by, status: str = "committed") -> Allocation:
    return Allocation.objects.create(
        fiscal_year=fy, idea=idea, amount=Decimal(amount), allocated_by=by, status=status
    )


@pytest.fixture
def small_map(db, manager, employee):
    journey = JourneyFactory(name="Test journey")
    a = StageFactory(journey=journey, name="A", cycle="buy", kind="step", order=1)
    b = StageFactory(journey=journey, name="B", cycle="buy", kind="juncture", order=2)
    c = StageFactory(journey=journey, name="C", cycle="own", kind="step", order=3)
    m_a1 = MomentFactory(stage=a, name="mA1", effect="destroys_value", severity=4)
    m_a2 = MomentFactory(stage=a, name="mA2", effect="destroys_value", severity=5)
    m_a3 = MomentFactory(stage=a, name="mA3", effect="creates_value", severity=2)
    m_b1 = MomentFactory(stage=b, name="mB1", effect="destroys_value", severity=3)
    m_c1 = MomentFactory(stage=c, name="mC1", effect="destroys_value", severity=1)
    campaign = CampaignFactory(title="Campaign X", owner=manager)

    def idea(stage, status, **kw):
        # One author for all: every new user costs a password hash.
        return IdeaFactory(stage=stage, status=status, author=employee, **kw)

    i1 = idea(a, "submitted", moment=m_a1, campaign=campaign)
    i2 = idea(a, "screening")
    i3 = idea(a, "in_review", campaign=campaign)
    i4 = idea(a, "shortlisted")
    i5 = idea(a, "approved", campaign=campaign, owner=manager)
    i6 = idea(a, "funded", owner=manager)
    i7 = idea(a, "launched")
    i8 = idea(a, "draft", moment=m_a2)
    i9 = idea(a, "rejected", moment=m_a2)
    i10 = idea(b, "in_experiment")
    i11 = idea(b, "parked", moment=m_b1)

    now = timezone.now()
    round1, round2 = make_round("R1"), make_round("R2")
    score(i1, 2.0, round1, at=now - timedelta(days=30))
    score(i1, 4.0, round2, at=now)
    score(i3, 3.0, round1)
    score(i9, 5.0, round1)
    score(i10, 2.5, round2)

    fy1, fy2 = make_fiscal_year("FY1", 2031), make_fiscal_year("FY2", 2032)
    allocate(i5, fy1, "1000.00", manager)
    allocate(i5, fy1, "500.00", manager)
    allocate(i5, fy2, "250.00", manager)
    allocate(i5, fy1, "9999.00", manager, status="released")
    allocate(i6, fy1, "300.00", manager)
    allocate(i10, fy2, "100.00", manager)
    allocate(i9, fy1, "50.00", manager)

    return {
        "journey": journey,
        "stages": (a, b, c),
        "moments": {"mA1": m_a1, "mA2": m_a2, "mA3": m_a3, "mB1": m_b1, "mC1": m_c1},
        "campaign": campaign,
        "fy": (fy1, fy2),
        "ideas": [i1, i2, i3, i4, i5, i6, i7, i8, i9, i10, i11],
    }
