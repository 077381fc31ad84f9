"""fiscal_year_summary (a fiscal year's money): every expected number is worked out by hand
in the comments. The dashboard's parts from other apps are tested in tests/insights."""

from datetime import date
from decimal import Decimal

import pytest

from budgets.selectors import fiscal_year_summary, jsonable
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal


def test_it_computes_the_totals_under_both_definitions(fy, portfolio):
    s = fiscal_year_summary(fy, today=date(2026, 7, 2)).as_dict()
    assert s["marketing_budget"] == D("1000000.00")
    assert s["target_pct"] == D("10.00")
    assert s["innovation_budget"] == D("100000.00")
    # committed: 30,000 + 20,000 + 12,345.67 = 62,345.67 (D was released: not counted)
    assert s["committed"] == D("62345.67")
    # 62,345.67 / 1,000,000 x 100 = 6.234567 → 6.23
    assert s["committed_pct"] == D("6.23")
    # new only leaves out A (optimization): 20,000 + 12,345.67 = 32,345.67 → 3.234567% → 3.23
    assert s["committed_new_only"] == D("32345.67")
    assert s["committed_new_only_pct"] == D("3.23")
    # spent: 5,000 + 2,500.50 + 10,000 = 17,500.50 → 1.75005% → 1.75
    assert s["spent"] == D("17500.50")
    assert s["spent_pct"] == D("1.75")
    # new only: B's 10,000 → 1.00%
    assert s["spent_new_only"] == D("10000.00")
    assert s["spent_new_only_pct"] == D("1.00")
    # remaining: 100,000 - 62,345.67 = 37,654.33; new only: 100,000 - 32,345.67 = 67,654.33
    assert s["remaining"] == D("37654.33")
    assert s["remaining_new_only"] == D("67654.33")
    assert s["allocations"] == 3


def test_it_splits_by_type_cycle_and_campaign(fy, portfolio):
    s = fiscal_year_summary(fy, today=date(2026, 7, 2)).as_dict()
    # shares of 62,345.67: 30,000 → 48.1188…% → 48.12; 20,000 → 32.0792…% → 32.08;
    # 12,345.67 → 19.8019…% → 19.80
    assert [(r["key"], r["amount"], r["share_pct"]) for r in s["by_innovation_type"]] == [
        ("optimization", D("30000.00"), D("48.12")),
        ("new_experience", D("20000.00"), D("32.08")),
        ("new_technology", D("12345.67"), D("19.80")),
    ]
    assert [(r["key"], r["amount"]) for r in s["by_cycle"]] == [
        ("buy", D("30000.00")),
        ("own", D("20000.00")),
        ("none", D("12345.67")),
    ]
    assert [(r["label"], r["amount"], r["allocations"]) for r in s["by_campaign"]] == [
        ("Onboarding", D("50000.00"), 2),
        ("Open idea box (no campaign)", D("12345.67"), 1),
    ]


def test_it_is_not_behind_pace_early_in_the_year(fy, portfolio):
    # Jan 1..Feb 15 = 46 days → 12.60%; 17.50 is ahead of it.
    s = fiscal_year_summary(fy, today=date(2026, 2, 15)).as_dict()
    assert "behind_pace" not in [a["code"] for a in s["alerts"]]


def test_it_raises_over_target_after_an_override(fy, portfolio, manager):
    idea = factories.IdeaFactory(status="funded", owner=manager)
    factories.AllocationFactory(
        fiscal_year=fy, idea=idea, amount=D("40000.00"), override=True, reason="Board"
    )
    s = fiscal_year_summary(fy, today=date(2026, 2, 15)).as_dict()
    # 62,345.67 + 40,000 = 102,345.67 > 100,000: 10.23% of marketing, 2,345.67 over
    assert s["committed_pct"] == D("10.23")
    assert s["remaining"] == D("-2345.67")
    over = s["alerts"][0]
    assert over["code"] == "over_target"
    assert "2345.67 EUR over" in over["message"]


def test_it_forecasts_the_year_end_from_the_last_30_days_of_snapshots(fy):
    snap = factories.BudgetSnapshotFactory
    snap(fiscal_year=fy, date=date(2026, 4, 1), spent=D("0.00"))  # outside the 30-day window
    snap(fiscal_year=fy, date=date(2026, 6, 1), spent=D("1000.00"))
    snap(fiscal_year=fy, date=date(2026, 6, 21), spent=D("3000.00"))
    snap(fiscal_year=fy, date=date(2026, 7, 1), spent=D("4000.00"))
    s = fiscal_year_summary(fy, today=date(2026, 7, 2)).as_dict()
    # window Jun 1 .. Jul 1 = 30 days, spend 4,000 - 1,000 = 3,000 → 100.00 a day;
    # Jul 1 → Dec 31 = 183 days: 4,000 + 183 x 100 = 22,300.00
    f = s["forecast"]
    assert f["window_start"] == date(2026, 6, 1)
    assert f["daily_spend"] == D("100.00")
    assert f["year_end_spent"] == D("22300.00")
    assert len(s["spend_over_time"]) == 4
    # burn-down: innovation budget - spent on Jul 1 = 96,000
    assert s["spend_over_time"][-1]["remaining"] == D("96000.00")


def test_it_has_no_forecast_with_fewer_than_two_snapshots(fy):
    factories.BudgetSnapshotFactory(fiscal_year=fy, date=date(2026, 6, 1))
    assert fiscal_year_summary(fy, today=date(2026, 7, 2)).as_dict()["forecast"] is None


def test_the_json_form_has_money_as_two_place_strings(fy, portfolio):
    data = jsonable(fiscal_year_summary(fy, today=date(2026, 7, 2)).as_dict())
    assert data["committed"] == "62345.67"
    assert data["target_pct"] == "10.00"
    assert data["spent_new_only_pct"] == "1.00"
    assert data["fiscal_year"]["ends_on"] == "2026-12-31"
