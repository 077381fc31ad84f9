"""The executive dashboard's parts that read other apps (funnel, ideas without an owner,
top ideas by their latest score), over the budgets tests' portfolio; the money itself is
tested in tests/budgets/test_summary.py."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from insights.dashboard import executive_summary
from scoring.latest import latest_scores_rebuild
from scoring.models import IdeaScore
from tests.budgets.conftest import closed_round

pytestmark = pytest.mark.django_db
D = Decimal


def test_it_counts_the_funnel_and_finds_ideas_without_an_owner(fy, portfolio):
    s = executive_summary(fy, today=date(2026, 7, 2)).as_dict()
    funnel = {row["status"]: row["ideas"] for row in s["funnel"]}
    assert funnel["funded"] == 3  # A, B, D
    assert funnel["in_experiment"] == 1  # C
    assert funnel["approved"] == 1  # E
    assert funnel["submitted"] == 1  # F
    assert sum(funnel.values()) == 6
    assert [i["title"] for i in s["ideas_without_owner"]] == ["E"]


def test_it_raises_the_behind_pace_and_no_owner_alerts(fy, portfolio):
    s = executive_summary(fy, today=date(2026, 7, 2)).as_dict()
    # elapsed: Jan 1..Jul 2 = 183 of 365 days → 50.136…% → 50.14
    # spent of the innovation budget: 17,500.50 / 100,000 = 17.5005% → 17.50
    # 17.50 < 50.14 - 10 → behind pace
    assert s["elapsed_pct"] == D("50.14")
    assert s["spent_of_innovation_pct"] == D("17.50")
    assert [a["code"] for a in s["alerts"]] == ["behind_pace", "no_owner"]


def test_it_lists_top_ideas_by_their_latest_score(fy, portfolio):
    old_round = closed_round()
    new_round = closed_round()

    def score(idea, rnd, overall, at):
        row = IdeaScore.objects.create(
            round=rnd,
            idea=idea,
            overall=overall,
            passes_gate=True,
            contested=False,
            reviewers=3,
            functions=3,
            rank=1,
        )
        IdeaScore.objects.filter(pk=row.pk).update(computed_at=at)
        latest_scores_rebuild(idea_ids=[idea.pk])  # as the aggregation would

    t1 = timezone.make_aware(datetime(2026, 3, 1))
    t2 = timezone.make_aware(datetime(2026, 4, 1))
    score(portfolio["A"], old_round, 4.9, t1)
    score(portfolio["A"], new_round, 3.1, t2)  # A's latest score is 3.1, not 4.9
    score(portfolio["B"], new_round, 4.2, t2)
    score(portfolio["E"], new_round, 3.8, t2)
    s = executive_summary(fy, today=date(2026, 7, 2)).as_dict()
    assert [(i["title"], i["score"], i["allocated"], i["owner"]) for i in s["top_ideas"]] == [
        ("B", 4.2, D("20000.00"), "Erin Employee"),
        ("E", 3.8, D("0.00"), None),
        ("A", 3.1, D("30000.00"), "Erin Employee"),
    ]


def test_the_funnel_counts_the_chosen_fiscal_year_only(fy):
    from tests.factories import FiscalYearFactory, IdeaFactory

    # fy is FY2026; one idea from each of 2025 and 2026.
    last_year = FiscalYearFactory(
        label="FY2025", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31)
    )
    IdeaFactory(status="submitted", created_at=timezone.make_aware(datetime(2025, 6, 1)))
    IdeaFactory(status="approved", created_at=timezone.make_aware(datetime(2026, 6, 1)))
    this = {r["status"]: r["ideas"] for r in executive_summary(fy).as_dict()["funnel"]}
    last = {r["status"]: r["ideas"] for r in executive_summary(last_year).as_dict()["funnel"]}
    assert (this["submitted"], this["approved"]) == (0, 1)
    assert (last["submitted"], last["approved"]) == (1, 0)
