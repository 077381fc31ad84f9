"""The counters the journey map and the dashboard read (``ideas.StageCount``,
``ideas.IdeaDay``, ``budgets.CommittedMoney``): after a realistic series of writes through
services, bulk updates and plain ORM calls, the values the PostgreSQL triggers kept equal
the ones ``manage.py rebuild_stage_counts`` / ``rebuild_committed_money`` recompute, both
equal a count of the rows by hand, and the map and the summary read from the counters equal
the ones computed from the ideas and allocations themselves."""

import io
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from budgets import services as budgets
from budgets.committed import committed_money_rows, committed_rollup_rows
from budgets.models import Allocation, AllocationStatus
from ideas import services as ideas
from ideas.models import Idea, IdeaDay, LatestScore, StageCount
from ideas.stage_counts import idea_day_rows, stage_count_rows
from insights import dashboard, selectors
from tests import factories

pytestmark = pytest.mark.django_db(transaction=False)

D = Decimal


def _expected_stage_counts() -> set[tuple]:
    """StageCount's rows counted by hand from the ideas."""
    acc: dict[tuple, list] = {}
    scores = dict(LatestScore.objects.values_list("idea_id", "score"))
    for idea in Idea.objects.filter(moderation="published", stage__isnull=False):
        keys = [0] + ([idea.campaign_id] if idea.campaign_id else [])
        for key in keys:
            row = acc.setdefault((idea.stage_id, key, idea.status), [0, 0, D(0), 0])
            row[0] += 1
            row[1] += idea.customers_affected
            if idea.pk in scores:
                row[2] += scores[idea.pk]
                row[3] += 1
    return {(*k, *v) for k, v in acc.items()}


def _expected_days() -> set[tuple]:
    counts = Counter(
        (idea.created_at.astimezone(UTC).date(), idea.status) for idea in Idea.objects.all()
    )
    return {(day, status, n) for (day, status), n in counts.items()}


def _expected_money() -> set[tuple]:
    acc: dict[tuple, list] = {}
    for a in Allocation.objects.filter(status=AllocationStatus.COMMITTED).select_related("idea"):
        i = a.idea
        key = (
            a.fiscal_year_id,
            i.stage_id,
            i.campaign_id,
            i.innovation_type,
            i.type_confirmed,
            i.horizon,
        )
        row = acc.setdefault(key, [D(0), D(0), 0])
        row[0] += a.amount
        row[1] += a.spent
        row[2] += 1
    return {(*k, *v) for k, v in acc.items()}


def _expected_rollups(money: set[tuple]) -> dict[str, set[tuple]]:
    """The groups summed by hand over campaigns (fiscal year, stage, type, confirmation,
    horizon) and per campaign (fiscal year, campaign)."""
    out = {}
    for name, key in (
        ("by_stage", lambda g: (g[0], g[1], *g[3:6])),
        ("by_campaign", lambda g: g[:3:2]),
    ):
        acc: dict[tuple, list] = {}
        for g in money:
            row = acc.setdefault(key(g), [D(0), D(0), 0])
            for k in range(3):
                row[k] += g[6 + k]
        out[name] = {(*k, *v) for k, v in acc.items() if any(v)}
    return out


@pytest.fixture
def busy(manager, employee):
    """A journey of three stages, two campaigns, two fiscal years, and every kind of write
    the counters must follow."""
    journey = factories.JourneyFactory()
    s1, s2, s3 = (factories.StageFactory(journey=journey, cycle=c) for c in ("buy", "own", "own"))
    c1, c2 = factories.CampaignFactory(), factories.CampaignFactory()
    fy1 = factories.FiscalYearFactory()
    fy2 = factories.FiscalYearFactory(starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    mk = factories.IdeaFactory
    # Created one by one, on several days (ideas of the funnel's day counters).
    made = [
        mk(stage=s1, campaign=c1, status="submitted", author=employee),
        mk(stage=s1, campaign=None, status="in_review", author=employee),
        mk(stage=s2, campaign=c2, status="approved", owner=employee, author=employee),
        mk(stage=s2, campaign=c1, status="approved", owner=employee, author=employee),
        mk(stage=s3, campaign=c2, status="approved", owner=employee, author=employee),
        mk(stage=None, campaign=c1, status="approved", owner=employee, author=employee),
        mk(stage=s1, campaign=c2, status="draft", author=employee),
        mk(stage=s2, campaign=None, status="parked", author=employee),
        mk(stage=s3, campaign=c1, status="launched", author=employee),
    ]
    for k, idea in enumerate(made):
        Idea.objects.filter(pk=idea.pk).update(created_at=datetime(2026, 3, 1 + k % 3, tzinfo=UTC))
    # Several rows in one INSERT.
    Idea.objects.bulk_create(
        [
            Idea(
                title=f"Bulk {k}",
                customer_need="A need",
                innovation_type="new_technology",
                author=employee,
                origin="employee",
                status="submitted",
                stage=[s1, s2][k % 2],
                campaign=[c1, c2, None][k % 3],
                customers_affected=k,
            )
            for k in range(6)
        ]
    )
    a, b, c, d, e, f, _draft, _parked, launched = made
    # Latest scores before the ideas move (b changes stage, e's stage is deleted, "Bulk 5"
    # is deleted): the idea triggers carry an idea's score with it.
    bulk5 = Idea.objects.get(title="Bulk 5")
    LatestScore.objects.bulk_create(
        [LatestScore(idea=i, score=D("2.500000")) for i in (b, e, bulk5, launched)]
    )

    # The workflow, a bulk move, a stage and a campaign change, moderation, evidence volume,
    # latest scores (as the scoring job writes them: one statement each), a deletion.
    ideas.idea_transition(idea=a, to="screening", actor=manager)
    Idea.objects.filter(title__startswith="Bulk", stage=s2).update(status="screening")
    ideas.idea_update(idea=b, actor=manager, stage=s2)
    Idea.objects.filter(pk=launched.pk).update(campaign=c2)
    Idea.objects.filter(title="Bulk 0").update(moderation="held")
    Idea.objects.filter(title="Bulk 1").update(customers_affected=40)
    LatestScore.objects.bulk_create([LatestScore(idea=i, score=D("3.250000")) for i in (a, c, d)])
    LatestScore.objects.filter(idea__in=[c, b]).update(score=D("4.125000"))
    LatestScore.objects.filter(idea=launched).delete()
    Idea.objects.get(title="Bulk 5").delete()

    # Money: allocations through the service (c, d, e move to funded), a top-up, spend, a
    # release, an allocation written directly and one deleted, one moved to another year.
    alloc_c = budgets.allocation_create(fiscal_year=fy1, idea=c, amount="10000", actor=manager)
    alloc_d = budgets.allocation_create(fiscal_year=fy1, idea=d, amount="2500.50", actor=manager)
    budgets.allocation_create(fiscal_year=fy1, idea=c, amount="500", actor=manager)
    alloc_e = budgets.allocation_create(fiscal_year=fy1, idea=e, amount="700", actor=manager)
    budgets.spend_record(
        allocation=alloc_c,
        amount="1200.25",
        spent_on=date(2026, 3, 5),
        description="x",
        actor=manager,
    )
    budgets.allocation_release(allocation=alloc_d, actor=manager)
    factories.AllocationFactory(fiscal_year=fy2, idea=f, amount=D("333.33"), allocated_by=manager)
    gone = factories.AllocationFactory(fiscal_year=fy2, idea=f, amount=D("1"), allocated_by=manager)
    gone.delete()
    Allocation.objects.filter(pk=alloc_e.pk).update(fiscal_year=fy2, amount=D("750"))

    # Ideas with money change group: stage, type confirmation, campaign; then a stage with
    # funded ideas is deleted (their stage is set to NULL).
    ideas.idea_update(idea=Idea.objects.get(pk=c.pk), actor=manager, stage=s1)
    ideas.idea_confirm_type(
        idea=Idea.objects.get(pk=c.pk),
        actor=manager,
        innovation_type="new_experience",
        horizon="adjacent",
    )
    Idea.objects.filter(pk=d.pk).update(campaign=c2, horizon="transformational")
    s3.delete()
    return {"journey": journey, "fy1": fy1, "fy2": fy2, "c1": c1, "c2": c2, "manager": manager}


def test_the_rebuilt_counters_equal_the_maintained_ones(busy):
    stage_counts, days, money = _expected_stage_counts(), _expected_days(), _expected_money()
    assert len(stage_counts) > 5 and len(days) > 3 and len(money) > 2  # the scenario wrote
    rollups = _expected_rollups(money)
    assert len(rollups["by_stage"]) >= 2 and len(rollups["by_campaign"]) >= 2
    if connection.vendor == "postgresql":  # kept by the triggers
        assert stage_count_rows() == stage_counts
        assert idea_day_rows() == days
        assert committed_money_rows() == money
        assert committed_rollup_rows() == rollups
    call_command("rebuild_stage_counts", stdout=io.StringIO())
    call_command("rebuild_committed_money", stdout=io.StringIO())
    assert stage_count_rows() == stage_counts
    assert idea_day_rows() == days
    assert committed_money_rows() == money
    assert committed_rollup_rows() == rollups


def test_the_rebuild_is_idempotent_and_says_how_much_it_wrote(busy):
    out = io.StringIO()
    call_command("rebuild_stage_counts", stdout=out)
    rows = StageCount.objects.count() + IdeaDay.objects.count()
    assert out.getvalue().strip() == f"rebuilt {rows} counter row(s)"
    call_command("rebuild_stage_counts", stdout=io.StringIO())
    assert StageCount.objects.count() + IdeaDay.objects.count() == rows


@pytest.mark.parametrize("campaign", [None, "c1", "c2"])
@pytest.mark.parametrize("fiscal_year", [None, "fy1", "fy2"])
def test_the_map_from_the_counters_equals_the_map_from_the_ideas(
    busy, monkeypatch, campaign, fiscal_year
):
    """On PostgreSQL the map reads the counters; forced to count the ideas and allocations
    themselves (the SQLite path) it gives the same map."""
    kwargs = {
        "journey": busy["journey"],
        "viewer": busy["manager"],
        "campaign": busy[campaign].pk if campaign else None,
        "fiscal_year": busy[fiscal_year].pk if fiscal_year else None,
    }
    maintained = selectors.journey_map(**kwargs)
    monkeypatch.setattr(selectors, "counts_maintained", lambda: False)
    monkeypatch.setattr(selectors, "money_maintained", lambda: False)
    assert selectors.journey_map(**kwargs) == maintained


def test_the_summary_from_the_counters_equals_the_summary_from_the_allocations(busy, monkeypatch):
    from budgets import selectors as budget_selectors

    maintained = [
        dashboard.executive_summary(busy[fy], today=date(2026, 6, 1)) for fy in ("fy1", "fy2")
    ]
    monkeypatch.setattr(budget_selectors, "use_maintained", lambda: False)
    monkeypatch.setattr(dashboard, "counts_maintained", lambda: False)
    direct = [
        dashboard.executive_summary(busy[fy], today=date(2026, 6, 1)) for fy in ("fy1", "fy2")
    ]
    assert [s.as_dict() for s in direct] == [s.as_dict() for s in maintained]
    # The hand count of the scenario: fy1 keeps c (10,000 + 500, 1,200.25 spent) after d's
    # release; e's allocation moved to fy2 (750) with f's 333.33.
    assert maintained[0].budget.totals.committed == D("10500.00")
    assert maintained[0].budget.totals.spent == D("1200.25")
    assert maintained[1].budget.totals.committed == D("1083.33")
