"""The portfolio's read model (PortfolioEntry, IdeaMilestone, FunnelDay, ExperimentDay,
CycleTimeCount), kept by triggers on
its sources, and the realised-value totals (IdeaValue) kept by the value-record service: after
a realistic series of writes through services, the ORM and cascades, the maintained rows equal
the rebuilt ones; the funnel is exact at the edges of a year in another time zone."""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from budgets import services as budgets
from ideas import services as ideas
from ideas.models import Idea, IdeaTransition
from insights import portfolio as port
from insights import readmodel
from insights.models import CycleTimeCount, FunnelDay, IdeaMilestone, PortfolioEntry
from outcomes import services as outcomes
from outcomes.models import Experiment, IdeaValue
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


def at(y, m, d, h=12) -> datetime:
    return timezone.make_aware(datetime(y, m, d, h))


def _history(idea, *steps):
    for status, when in steps:
        IdeaTransition.objects.create(idea=idea, to_status=status, at=when)


@pytest.fixture
def writes(portfolio, fy, manager, employee, approved_idea):
    """The budgets portfolio (A-F, FY2026), then a series of writes of every source."""
    a, b, c, d = (portfolio[k] for k in "ABCD")
    # Allocation through the service (approved → funded, a transition), spend through the
    # service and straight through the ORM, a release.
    new = budgets.allocation_create(
        fiscal_year=fy, idea=approved_idea, amount=D("1000.00"), actor=manager
    )
    budgets.spend_record(
        allocation=new,
        amount=D("250.25"),
        spent_on=date(2026, 3, 1),
        description="x",
        actor=manager,
    )
    # The idea's own facts: type and horizon, expected value, stage (and cycle), by services.
    ideas.idea_confirm_type(
        idea=b, actor=manager, innovation_type="new_product_or_service", horizon="adjacent"
    )
    ideas.idea_set_expected_value(
        idea=b, actor=manager, expected_revenue_generated=D("12000"), value_confidence="medium"
    )
    Idea.objects.filter(pk=c.pk).update(stage=a.stage)  # an UPDATE without save()
    stage = b.stage
    stage.cycle = "advocate"
    stage.save()
    # A second fiscal year for A; its value counts in both years.
    fy2 = factories.FiscalYearFactory(
        label="FY2027", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31)
    )
    factories.AllocationFactory(fiscal_year=fy2, idea=a, amount=D("300"))
    # Realised value through the service and its CSV import (launched ideas only).
    Idea.objects.filter(pk__in=[a.pk, b.pk]).update(status="launched")
    a.refresh_from_db()
    b.refresh_from_db()
    outcomes.value_record_create(
        idea=a,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 4, 30),
        revenue_generated="1200.10",
        revenue_protected="300",
        actor=manager,
    )
    outcomes.value_records_import(
        idea=b,
        content="period_start,period_end,revenue_generated,revenue_protected,note\n"
        "2026-05-01,2026-05-31,100,50.55,May\n2026-06-01,2026-06-30,10,0,June\n",
        actor=manager,
    )
    # Transitions, some written out of time order; a resubmission; an idea launched twice.
    _history(a, ("launched", at(2026, 6, 1)), ("submitted", at(2026, 1, 10)))
    _history(a, ("screening", at(2026, 1, 12)), ("launched", at(2026, 7, 1)))
    _history(b, ("submitted", at(2025, 12, 30)), ("submitted", at(2026, 2, 1)))
    _history(c, ("submitted", at(2026, 3, 3)), ("in_review", at(2026, 3, 9)))
    _history(d, ("draft", at(2026, 3, 1)))  # not a funnel step: no milestone
    # An idea with value and history, then deleted (both go with it; an allocation would
    # protect it from deletion).
    gone = factories.IdeaFactory(status="launched", innovation_type="optimization")
    factories.ValueRecordFactory(idea=gone, revenue_generated=D("5"), revenue_protected=D("0"))
    _history(gone, ("submitted", at(2026, 1, 20)), ("launched", at(2026, 5, 20)))
    gone.delete()
    # An experiment decided, then re-dated, straight through the ORM.
    decided = factories.ExperimentFactory(decision="scale", decided_at=at(2026, 8, 1))
    Experiment.objects.filter(pk=decided.pk).update(decided_at=at(2026, 8, 3))
    return {"fy": fy, "fy2": fy2, **portfolio, "new": approved_idea}


def test_rebuilt_equals_maintained_after_a_series_of_writes(writes):
    maintained = readmodel.snapshot()
    assert all(maintained.values())  # entries, cells, milestones, funnel and experiment days
    readmodel.rebuild()
    assert readmodel.snapshot() == maintained


def test_the_entries_hold_what_the_writes_left(writes):
    fy, fy2, a, b = writes["fy"], writes["fy2"], writes["A"], writes["B"]
    entries = {
        (e.fiscal_year_id, e.idea_id): e for e in PortfolioEntry.objects.filter(idea__in=[a, b])
    }
    # A: spend 5,000 + 2,500.50; realised 1,200.10 + 300; in both years with the same value.
    assert entries[fy.pk, a.pk].spent == D("7500.50")
    assert entries[fy.pk, a.pk].realised_total == D("1500.10")
    assert entries[fy2.pk, a.pk].spent == D("0.00")
    assert entries[fy2.pk, a.pk].realised_total == D("1500.10")
    # B: reclassified, a new expected value, its stage now in the advocate cycle; realised
    # 110 generated + 50.55 protected from the import.
    e = entries[fy.pk, b.pk]
    assert (e.innovation_type, e.horizon, e.cycle) == (
        "new_product_or_service",
        "adjacent",
        "advocate",
    )
    assert (e.expected, e.realised_generated, e.realised_protected) == (
        D("12000.00"),
        D("110.00"),
        D("50.55"),
    )
    assert PortfolioEntry.objects.filter(idea=writes["new"], spent=D("250.25")).exists()
    # The deleted idea left nothing behind.
    assert PortfolioEntry.objects.count() == 6  # A twice, B, C, D, the new one
    assert IdeaMilestone.objects.count() == 3  # A, B, C (D was never submitted)


def test_milestones_take_the_first_submission_and_launch_whatever_the_order(writes):
    a = IdeaMilestone.objects.get(idea=writes["A"])
    assert (a.submitted_at, a.launched_at) == (at(2026, 1, 10), at(2026, 6, 1))
    assert a.reached_screening and not a.reached_in_review
    b = IdeaMilestone.objects.get(idea=writes["B"])
    assert b.submitted_at == at(2025, 12, 30) and b.launched_at is None
    # The funnel counts each idea once, on the day of its first submission.
    days = {
        d.day: (d.submitted, d.screening, d.in_review, d.launched) for d in FunnelDay.objects.all()
    }
    assert days[date(2026, 1, 10)] == (1, 1, 0, 1)
    assert days[date(2025, 12, 30)] == (1, 0, 0, 0)
    assert days[date(2026, 3, 3)] == (1, 0, 1, 0)
    assert days[date(2026, 1, 20)] == (0, 0, 0, 0)  # the deleted idea's counts taken back


def test_the_realised_totals_equal_the_records(writes):
    assert outcomes.idea_values_rebuild() == 0
    a = IdeaValue.objects.get(idea=writes["A"])
    assert (a.generated, a.protected, a.total, a.records) == (
        D("1200.10"),
        D("300.00"),
        D("1500.10"),
        1,
    )
    b = IdeaValue.objects.get(idea=writes["B"])
    assert (b.total, b.records) == (D("160.55"), 2)


def test_the_rebuild_commands_repair_drift(writes):
    IdeaValue.objects.filter(idea=writes["A"]).update(total=D("1"))  # the entries follow
    PortfolioEntry.objects.filter(idea=writes["B"]).update(spent=D("3"))
    FunnelDay.objects.filter(day=date(2026, 3, 3)).update(in_review=5)
    CycleTimeCount.objects.filter(fiscal_year=writes["fy"], launches=1).update(launches=7)
    out = StringIO()
    call_command("rebuild_idea_values", stdout=out)
    assert "1 idea(s) corrected" in out.getvalue()
    out = StringIO()
    call_command("rebuild_portfolio", stdout=out)
    text = out.getvalue()
    assert "entries: 6 row(s), 2 differed" in text  # B's wrong row out, its right row in
    assert "funnel_days" in text and "milestones: 3 row(s), 0 differed" in text
    # A's launch (2026-01-10 to its first launch on 2026-06-01: 142 days), counted 7 times.
    assert "cycle_times: 1 row(s), 2 differed" in text
    assert readmodel.snapshot()["cycle_times"] == {(writes["fy"].pk, 142, 1)}
    assert PortfolioEntry.objects.get(idea=writes["B"]).spent == D("10000.00")
    assert FunnelDay.objects.get(day=date(2026, 3, 3)).in_review == 1


@override_settings(TIME_ZONE="Europe/Paris")
def test_the_funnel_is_exact_at_the_edges_of_a_year_in_another_time_zone(fy):
    utc = ZoneInfo("UTC")
    # FY2026 runs from 2025-12-31 23:00 UTC to 2026-12-31 23:00 UTC in Paris.
    for when in (
        datetime(2025, 12, 31, 22, 30, tzinfo=utc),  # 23:30 in Paris, 2025: out
        datetime(2025, 12, 31, 23, 30, tzinfo=utc),  # 00:30 on 1 January in Paris: in
        datetime(2026, 6, 1, 12, 0, tzinfo=utc),  # in
        datetime(2026, 12, 31, 22, 30, tzinfo=utc),  # 23:30 on 31 December in Paris: in
        datetime(2026, 12, 31, 23, 30, tzinfo=utc),  # 2027 in Paris: out
    ):
        _history(factories.IdeaFactory(), ("submitted", when), ("screening", when))
    counts = port.funnel_counts(fy)
    assert (counts["submitted"], counts["screening"], counts["in_review"]) == (3, 3, 0)


def test_the_ranking_pages_through_the_entries(client, executive, writes):
    client.force_login(executive)
    fy = writes["fy"]
    response = client.get("/insights/portfolio/", {"fiscal_year": fy.pk})
    page = response.context["page"]
    # A (1,500.10) first, then B (160.55), then the rest by idea id; 5 ideas in all.
    assert page.paginator.count == 5
    ranked = [e.idea_id for e in page.object_list]
    assert ranked[:2] == [writes["A"].pk, writes["B"].pk]
    assert ranked[2:] == sorted(ranked[2:])


def test_sources_deleted_after_the_counters_leave_no_negative_count(writes):
    # A flush may empty the counters before their sources: taking back from a missing row
    # must not create one.
    from budgets.models import Allocation, Spend
    from insights.models import PortfolioCell

    PortfolioCell.objects.all().delete()
    FunnelDay.objects.all().delete()
    Spend.objects.all().delete()
    Allocation.objects.all().delete()
    IdeaTransition.objects.all().delete()
    assert not PortfolioCell.objects.filter(ideas__lt=0).exists()
    assert not FunnelDay.objects.filter(submitted__lt=0).exists()
    assert not PortfolioEntry.objects.exists() and not IdeaMilestone.objects.exists()


def test_the_demo_data_leaves_the_maintained_values_equal_to_rebuilt_ones():
    # The demo writes through services, bulk_create and bulk_update, with backdated history.
    call_command("seed_demo", quiet_logins=True)
    maintained = readmodel.snapshot()
    assert maintained["entries"] and maintained["milestones"]
    assert outcomes.idea_values_rebuild() == 0 and IdeaValue.objects.exists()
    readmodel.rebuild()
    assert readmodel.snapshot() == maintained


def test_sqlite_triggers_dropped_by_a_table_rebuild_come_back_after_migrate():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps triggers across ALTER TABLE")
    idea = factories.IdeaFactory()
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER insights_pf_move_ins")  # as a table rebuild would
    _history(idea, ("submitted", at(2026, 2, 1)))
    assert not IdeaMilestone.objects.filter(idea=idea).exists()
    readmodel.ensure_sqlite_triggers(using="default")  # what post_migrate runs
    assert IdeaMilestone.objects.filter(idea=idea).exists()  # rebuilt
    _history(factories.IdeaFactory(), ("submitted", at(2026, 2, 2)))
    assert FunnelDay.objects.get(day=date(2026, 2, 2)).submitted == 1  # the trigger is back


def test_the_experiment_days_follow_every_write_and_equal_the_rebuild(fy):
    pending = factories.ExperimentFactory()  # no decision, no day
    scaled = factories.ExperimentFactory(decision="scale", decided_at=at(2026, 3, 1))
    changed = factories.ExperimentFactory(decision="stop", decided_at=at(2026, 3, 1))
    moved = factories.ExperimentFactory(decision="iterate", decided_at=at(2026, 4, 2))
    Experiment.objects.filter(pk=changed.pk).update(decision="scale")  # same day, other count
    Experiment.objects.filter(pk=moved.pk).update(decided_at=at(2026, 3, 1))  # another day
    scaled.delete()
    Experiment.objects.filter(pk=pending.pk).update(decision="stop", decided_at=at(2026, 5, 5))
    # By hand: 1 March keeps `changed` (scale) and `moved` (iterate); 2 April went back to
    # zero (no row); 5 May has `pending`, now stopped. (day, decided, scaled, stopped, iterated)
    expected = {(date(2026, 3, 1), 2, 1, 0, 1), (date(2026, 5, 5), 1, 0, 1, 0)}
    assert readmodel.snapshot()["experiment_days"] == expected
    readmodel.rebuild()
    assert readmodel.snapshot()["experiment_days"] == expected
    counts = port.experiments(fy)
    assert (counts["decided"], counts["scaled"], counts["stopped"], counts["iterated"]) == (
        3,
        1,
        1,
        1,
    )
    assert counts["hit_rate"] == round(1 / 3, 4)


@override_settings(TIME_ZONE="Europe/Paris")
def test_the_experiments_are_exact_at_the_edges_of_a_year_in_another_time_zone(fy):
    utc = ZoneInfo("UTC")
    for when in (
        datetime(2025, 12, 31, 22, 30, tzinfo=utc),  # 23:30 in Paris, 2025: out
        datetime(2025, 12, 31, 23, 30, tzinfo=utc),  # 00:30 on 1 January in Paris: in
        datetime(2026, 6, 1, 12, 0, tzinfo=utc),  # in
        datetime(2026, 12, 31, 22, 30, tzinfo=utc),  # 23:30 on 31 December in Paris: in
        datetime(2026, 12, 31, 23, 30, tzinfo=utc),  # 2027 in Paris: out
    ):
        factories.ExperimentFactory(decision="scale", decided_at=when)
    counts = port.experiments(fy)
    assert (counts["decided"], counts["scaled"], counts["hit_rate"]) == (3, 3, 1.0)


@override_settings(TIME_ZONE="Europe/Paris")
def test_the_cycle_times_are_exact_at_the_edges_of_a_year_in_another_time_zone(fy):
    from datetime import timedelta

    utc = ZoneInfo("UTC")
    # (launch, cycle time in days). FY2026 runs from 2025-12-31 23:00 UTC to 2026-12-31
    # 23:00 UTC in Paris; its maintained counts hold the UTC days 2026-01-01 to 2026-12-31.
    for when, days in (
        (datetime(2025, 12, 31, 22, 30, tzinfo=utc), 1),  # 23:30 in Paris, 2025: out
        (datetime(2025, 12, 31, 23, 30, tzinfo=utc), 5),  # 1 January in Paris: in (added)
        (datetime(2026, 6, 1, 12, 0, tzinfo=utc), 7),  # in
        (datetime(2026, 12, 31, 22, 30, tzinfo=utc), 9),  # 23:30 on 31 December: in
        (datetime(2026, 12, 31, 23, 30, tzinfo=utc), 20),  # 2027 in Paris: out (taken back)
    ):
        _history(
            factories.IdeaFactory(status="launched"),
            ("submitted", when - timedelta(days=days)),
            ("launched", when),
        )
    # The counts hold the UTC days of the year: 7, 9 and 20 days (median 9 if read alone).
    counts = dict(CycleTimeCount.objects.filter(fiscal_year=fy).values_list("days", "launches"))
    assert counts == {7: 1, 9: 1, 20: 1}
    # In the year in Paris: 5, 7, 9 days. Median 7; the 75th percentile at position
    # 0.75 x 2 = 1.5: 7 + 0.5 x (9 - 7) = 8.
    assert port.cycle_time_days(fy) == {"median": 7.0, "p75": 8.0, "launched": 3}
    assert port.cycle_time_days_scan(fy) == {"median": 7.0, "p75": 8.0, "launched": 3}


def test_the_cycle_time_counts_follow_launches_and_fiscal_years(fy):
    def counts(year):
        rows = CycleTimeCount.objects.filter(fiscal_year=year, launches__gt=0)
        return dict(rows.values_list("days", "launches"))

    a, b, c = (factories.IdeaFactory(status="launched") for _ in range(3))
    _history(a, ("submitted", at(2026, 1, 1)), ("launched", at(2026, 1, 11)))  # 10 days
    _history(b, ("submitted", at(2026, 3, 1)), ("launched", at(2026, 3, 4)))  # 3 days
    _history(c, ("submitted", at(2027, 1, 1)), ("launched", at(2027, 1, 3)))  # 2 days, 2027
    assert counts(fy) == {10: 1, 3: 1}
    # An earlier launch of a: its first launch moves (10 → 5 days).
    _history(a, ("launched", at(2026, 1, 6)))
    # b's submission deleted: no milestone, no cycle time.
    IdeaTransition.objects.filter(idea=b, to_status="submitted").delete()
    assert counts(fy) == {5: 1}
    # A year created after the launches counts them; moved, it recounts; deleted, it goes.
    fy2 = factories.FiscalYearFactory(
        label="FY2027", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31)
    )
    assert counts(fy2) == {2: 1}
    fy.ends_on = date(2027, 1, 31)
    fy.save()
    assert counts(fy) == {5: 1, 2: 1}
    assert readmodel.snapshot()["cycle_times"] == {(fy.pk, 5, 1), (fy.pk, 2, 1), (fy2.pk, 2, 1)}
    maintained = readmodel.snapshot()
    readmodel.rebuild()
    assert readmodel.snapshot() == maintained
    fy2.delete()
    assert not CycleTimeCount.objects.filter(fiscal_year_id=fy2.pk).exists()
    c.delete()
    assert counts(fy) == {5: 1}
