"""The portfolio: totals and splits against hand sums, experiments, cycle time, funnel,
permissions, CSV and query counts (page and API)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas.models import IdeaTransition
from insights import portfolio as port
from tests import factories
from tests.conftest import api_as

pytestmark = pytest.mark.django_db
D = Decimal


def at(y, m, d) -> datetime:
    return timezone.make_aware(datetime(y, m, d, 12))


@pytest.fixture
def valued(portfolio, fy):
    """The budgets portfolio (FY2026) with expected and realised value.

    idea  type                  horizon           cycle  spent      expected (gen + prot)  realised (gen + prot)
    A     optimization          core              buy     7,500.50  20,000 + -  = 20,000   1,000 + 500, 2,000 + 0 = 3,500.00
    B     new_experience        adjacent          own    10,000.00  10,000 + 5,000 = 15,000       0 + 3,000.25 = 3,000.25
    C     new_technology        transformational  -           0.00  - + -       = 0                   0
    D     new_product_or_svc    core              own         0.00  - + 8,000   = 8,000               0
    E     (no allocation: outside the year's ideas) expected 99,999, realised 7,777
    """
    ideas = portfolio
    updates = {
        "A": {"expected_revenue_generated": D("20000")},
        "B": {
            "expected_revenue_generated": D("10000"),
            "expected_revenue_protected": D("5000"),
            "horizon": "adjacent",
        },
        "C": {"horizon": "transformational"},
        "D": {"expected_revenue_protected": D("8000")},
        "E": {"expected_revenue_generated": D("99999")},
    }
    for key, fields in updates.items():
        for name, value in fields.items():
            setattr(ideas[key], name, value)
        ideas[key].save()
    vr = factories.ValueRecordFactory
    vr(
        idea=ideas["A"],
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        revenue_generated=D("1000.00"),
        revenue_protected=D("500.00"),
    )
    vr(
        idea=ideas["A"],
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        revenue_generated=D("2000.00"),
        revenue_protected=D("0.00"),
    )
    vr(
        idea=ideas["B"],
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        revenue_generated=D("0.00"),
        revenue_protected=D("3000.25"),
    )
    vr(
        idea=ideas["E"],
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        revenue_generated=D("7777.00"),
        revenue_protected=D("0.00"),
    )
    return ideas


def test_it_sums_money_as_worked_out_by_hand(valued, fy):
    p = port.portfolio(fy)
    assert p["spent"] == D("17500.50")  # 5,000 + 2,500.50 + 10,000
    assert p["realised_generated"] == D("3000.00")  # 1,000 + 2,000
    assert p["realised_protected"] == D("3500.25")  # 500 + 3,000.25
    assert p["realised_total"] == D("6500.25")
    assert p["roi"] == D("0.37")  # 6,500.25 / 17,500.50 = 0.3714...
    assert p["expected_total"] == D("43000.00")  # 20,000 + 15,000 + 0 + 8,000


def _rows(rows):
    return [(r["key"], r["spent"], r["expected"], r["realised"]) for r in rows]


def test_it_splits_by_type_horizon_and_cycle(valued, fy):
    p = port.portfolio(fy)
    assert _rows(p["by_type"]) == [
        ("optimization", D("7500.50"), D("20000.00"), D("3500.00")),
        ("new_experience", D("10000.00"), D("15000.00"), D("3000.25")),
        ("new_technology", D("0.00"), D("0.00"), D("0.00")),
        ("new_product_or_service", D("0.00"), D("8000.00"), D("0.00")),
    ]
    assert _rows(p["by_horizon"]) == [
        ("core", D("7500.50"), D("28000.00"), D("3500.00")),  # A + D
        ("adjacent", D("10000.00"), D("15000.00"), D("3000.25")),
        ("transformational", D("0.00"), D("0.00"), D("0.00")),
    ]
    assert _rows(p["by_cycle"]) == [
        ("buy", D("7500.50"), D("20000.00"), D("3500.00")),
        ("own", D("10000.00"), D("23000.00"), D("3000.25")),  # B + D
        (None, D("0.00"), D("0.00"), D("0.00")),  # C: on no stage, last
    ]


def test_roi_is_null_when_nothing_is_spent(fy):
    idea = factories.IdeaFactory(status="funded")
    factories.AllocationFactory(fiscal_year=fy, idea=idea, amount=D("100"))
    p = port.portfolio(fy)
    assert p["spent"] == D("0.00")
    assert p["roi"] is None


def test_it_counts_experiments_decided_within_the_year(fy):
    def decided(decision, when):
        factories.ExperimentFactory(decision=decision, decided_at=when)

    for decision in ("scale", "scale", "scale", "stop", "iterate"):
        decided(decision, at(2026, 6, 1))
    decided("scale", at(2025, 6, 1))  # another year
    factories.ExperimentFactory()  # pending
    assert port.experiments(fy) == {
        "decided": 5,
        "scaled": 3,
        "stopped": 1,
        "iterated": 1,
        "hit_rate": 0.6,  # 3 / 5
    }


def _history(idea, *steps):
    for status, when in steps:
        IdeaTransition.objects.create(idea=idea, to_status=status, at=when)


def test_cycle_time_runs_from_submitted_to_launched_in_the_year(fy):
    mk = factories.IdeaFactory
    _history(mk(status="launched"), ("submitted", at(2026, 1, 1)), ("launched", at(2026, 1, 11)))
    _history(mk(status="launched"), ("submitted", at(2025, 12, 22)), ("launched", at(2026, 1, 21)))
    _history(mk(status="launched"), ("submitted", at(2026, 2, 1)), ("launched", at(2026, 2, 21)))
    _history(mk(status="launched"), ("submitted", at(2026, 3, 1)), ("launched", at(2026, 4, 10)))
    # Launched the year before: not this year's cycle time.
    _history(mk(status="launched"), ("submitted", at(2025, 1, 1)), ("launched", at(2025, 6, 1)))
    # Days 10, 30, 20, 40 → sorted 10, 20, 30, 40: median (20 + 30) / 2 = 25; the 75th
    # percentile sits at position 0.75 x 3 = 2.25: 30 + 0.25 x (40 - 30) = 32.5.
    assert port.cycle_time_days(fy) == {"median": 25.0, "p75": 32.5, "launched": 4}


def test_cycle_time_counts_an_ideas_first_launch_from_its_first_submission(fy):
    mk = factories.IdeaFactory
    # Submitted twice, launched twice in the year: one cycle, first submission to first launch.
    _history(
        mk(status="launched"),
        ("submitted", at(2026, 1, 1)),
        ("submitted", at(2026, 1, 5)),
        ("launched", at(2026, 1, 11)),
        ("launched", at(2026, 3, 1)),
    )
    # First launched the year before, launched again in this one: not this year's.
    _history(
        mk(status="launched"),
        ("submitted", at(2025, 1, 1)),
        ("launched", at(2025, 6, 1)),
        ("launched", at(2026, 2, 1)),
    )
    # Launched without a recorded submission: no cycle time.
    _history(mk(status="launched"), ("launched", at(2026, 2, 1)))
    assert port.cycle_time_days(fy) == {"median": 10.0, "p75": 10.0, "launched": 1}


def test_the_funnel_counts_an_idea_by_its_first_submission(fy):
    # Resubmitted in the year, but first submitted the year before: not this year's.
    _history(
        factories.IdeaFactory(),
        ("submitted", at(2025, 11, 1)),
        ("submitted", at(2026, 2, 1)),
        ("screening", at(2026, 2, 2)),
    )
    # Submitted twice in the year: counted once.
    _history(
        factories.IdeaFactory(),
        ("submitted", at(2026, 2, 1)),
        ("submitted", at(2026, 3, 1)),
        ("screening", at(2026, 3, 2)),
    )
    rows = {r["status"]: r["ideas"] for r in port.funnel(fy)}
    assert rows["submitted"] == 1 and rows["screening"] == 1


def test_cycle_time_is_null_without_launches(fy):
    assert port.cycle_time_days(fy) == {"median": None, "p75": None, "launched": 0}


def test_the_funnel_converts_step_by_step(fy):
    path = [
        "submitted",
        "screening",
        "in_review",
        "shortlisted",
        "approved",
        "funded",
        "in_experiment",
        "launched",
    ]
    for depth in (3, 2, 1, 8):  # how far each of four ideas got
        idea = factories.IdeaFactory()
        _history(idea, *[(s, at(2026, 2, 1 + i)) for i, s in enumerate(path[:depth])])
    # Submitted in 2025: not this year's funnel.
    _history(factories.IdeaFactory(), ("submitted", at(2025, 5, 1)), ("screening", at(2026, 1, 5)))
    rows = {
        r["status"]: (r["ideas"], r["from_previous"], r["from_submitted"]) for r in port.funnel(fy)
    }
    assert rows == {
        "submitted": (4, None, 1.0),
        "screening": (3, 0.75, 0.75),
        "in_review": (2, 0.6667, 0.5),
        "shortlisted": (1, 0.5, 0.25),
        "approved": (1, 1.0, 0.25),
        "funded": (1, 1.0, 0.25),
        "in_experiment": (1, 1.0, 0.25),
        "launched": (1, 1.0, 0.25),
    }


def test_cycle_time_reads_the_ranks_from_the_counts_per_day(fy):
    from datetime import timedelta

    from insights.models import CycleTimeCount

    mk = factories.IdeaFactory
    launch = at(2026, 6, 1)
    # Cycle times in days: 0.5, 3.5, three within day 10 (10.25, 10.75, 10.5), 12.25, 20.
    for hours in (12, 84, 246, 258, 252, 294, 480):
        submitted = launch - timedelta(hours=hours)
        _history(mk(status="launched"), ("submitted", submitted), ("launched", launch))
    # Launched the year before: in FY2025's counts, not this year's.
    _history(mk(status="launched"), ("submitted", at(2025, 1, 1)), ("launched", at(2025, 1, 2)))
    # The launches by whole days of cycle time (rounded down).
    counts = dict(CycleTimeCount.objects.filter(fiscal_year=fy).values_list("days", "launches"))
    assert counts == {0: 1, 3: 1, 10: 3, 12: 1, 20: 1}
    # Sorted: 0.5, 3.5, 10.25, 10.5, 10.75, 12.25, 20 (7 launches). The median sits at
    # position 0.5 x 6 = 3: the second of day 10 (after 2 launches before it), 10.5. The
    # 75th percentile at 0.75 x 6 = 4.5: halfway from the third of day 10 (10.75) to the
    # first of day 12 (12.25): 10.75 + 0.5 x 1.5 = 11.5.
    figures = {"median": 10.5, "p75": 11.5, "launched": 7}
    assert port.cycle_time_days(fy) == figures
    assert port.cycle_time_days_scan(fy) == figures


def test_cycle_time_interpolates_within_one_day_of_cycle_time(fy):
    from datetime import timedelta

    launch = at(2026, 6, 1)
    # 2 d 0 h, 2 d 6 h, 2 d 12 h, 2 d 18 h: all four in day 2.
    for hours in (48, 54, 60, 66):
        _history(
            factories.IdeaFactory(status="launched"),
            ("submitted", launch - timedelta(hours=hours)),
            ("launched", launch),
        )
    # Median at position 1.5: (2.25 + 2.5) / 2 = 2.375 → 2.4; the 75th percentile at 2.25:
    # 2.5 + 0.25 x 0.25 = 2.5625 → 2.6.
    assert port.cycle_time_days(fy) == {"median": 2.4, "p75": 2.6, "launched": 4}
    assert port.cycle_time_days_scan(fy) == {"median": 2.4, "p75": 2.6, "launched": 4}


def test_percentile_interpolates_between_ranks():
    assert port.percentile([], 0.75) is None
    assert port.percentile([7.0], 0.75) == 7.0
    assert port.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.75) == 4.0


# --- API ---------------------------------------------------------------------------------


def test_the_api_returns_the_named_keys_with_money_as_strings(valued, fy, executive):
    response = api_as(executive).get("/api/v1/insights/portfolio/", {"fiscal_year": fy.pk})
    assert response.status_code == 200
    body = response.json()
    for key in (
        "spent",
        "realised_generated",
        "realised_protected",
        "realised_total",
        "roi",
        "expected_total",
        "by_type",
        "by_horizon",
        "by_cycle",
        "experiments",
        "cycle_time_days",
    ):
        assert key in body
    assert body["spent"] == "17500.50"
    assert body["realised_total"] == "6500.25"
    assert body["roi"] == "0.37"
    assert body["expected_total"] == "43000.00"
    assert body["by_type"][0] == {
        "key": "optimization",
        "label": "Optimization of something that exists",
        "spent": "7500.50",
        "expected": "20000.00",
        "realised": "3500.00",
    }
    assert set(body["experiments"]) == {"decided", "scaled", "stopped", "iterated", "hit_rate"}
    assert body["experiments"]["hit_rate"] is None
    assert {"median", "p75"} <= set(body["cycle_time_days"])


def test_the_api_defaults_to_the_current_year_and_refuses_unknown_ones(fy, manager):
    client = api_as(manager)
    assert client.get("/api/v1/insights/portfolio/").status_code == 200
    assert client.get("/api/v1/insights/portfolio/", {"fiscal_year": 999999}).status_code == 404
    assert client.get("/api/v1/insights/portfolio/", {"fiscal_year": "x"}).status_code == 400


@pytest.mark.parametrize("role", ["customer", "employee", "panelist"])
def test_the_api_is_for_managers_and_executives_only(fy, role, request):
    user = request.getfixturevalue(role)
    response = api_as(user).get("/api/v1/insights/portfolio/", {"fiscal_year": fy.pk})
    assert response.status_code == 403


# --- Page and CSV --------------------------------------------------------------------------


def test_the_page_shows_the_figures_each_with_a_table(client, executive, valued, fy):
    client.force_login(executive)
    response = client.get(reverse("insights:portfolio"), {"fiscal_year": fy.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="realised_total">6500.25<' in html
    assert 'data-kpi="roi">0.37<' in html
    for chart in ("chart-type", "chart-horizon", "chart-funnel"):
        assert f'id="{chart}"' in html
    assert html.count('class="dash-table"') == 4  # type, horizon, cycle, funnel
    assert 'id="portfolio-data"' in html  # the charts' data, no inline script
    assert "<script>" not in html
    # Ranked by realised value: A (3,500) before B (3,000.25); E is not a year's idea.
    ranked = html[html.index('id="ranked-ideas"') :]
    assert ranked.index(f'data-idea="{valued["A"].pk}"') < ranked.index(
        f'data-idea="{valued["B"].pk}"'
    )
    assert f'data-idea="{valued["E"].pk}"' not in ranked


@pytest.mark.parametrize("role", ["customer", "employee"])
def test_the_page_is_refused_to_others(client, fy, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("insights:portfolio")).status_code == 403
    assert client.get(reverse("insights:portfolio_csv", args=[fy.pk])).status_code == 403


def test_the_csv_lists_the_years_ideas_by_realised_value(client, manager, valued, fy):
    client.force_login(manager)
    response = client.get(reverse("insights:portfolio_csv", args=[fy.pk]))
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("rank,idea,title,status")
    assert lines[1].split(",")[:3] == ["1", str(valued["A"].pk), "A"]
    assert lines[1].endswith("7500.50,20000.00,3000.00,500.00,3500.00")
    assert len(lines) == 1 + 4  # A, B, C, D


def test_an_unknown_year_is_404(client, manager, fy):
    client.force_login(manager)
    assert client.get(reverse("insights:portfolio"), {"fiscal_year": 999999}).status_code == 404


# --- Query counts ------------------------------------------------------------------------

# The 5 queries of insights.portfolio.portfolio, whatever the data size, all reading the
# read model: spend, expected and realised value (and the number of ideas) grouped by
# type x horizon x cycle; experiments by decision; the year's launches by whole days of
# cycle time; the exact cycle times the median and the 75th percentile interpolate between
# (two or four milestones); the funnel's days (with the milestones at the year's edges, in
# the same query).
PORTFOLIO = 5


@pytest.fixture
def busy(valued, fy):
    for i in range(6):
        idea = factories.IdeaFactory(status="launched", innovation_type="new_technology")
        factories.AllocationFactory(fiscal_year=fy, idea=idea, amount=D("500"))
        factories.ValueRecordFactory(
            idea=idea,
            period_start=date(2026, 4, 1),
            period_end=date(2026, 4, 30),
            revenue_generated=D(i * 100),
        )
        _history(idea, ("submitted", at(2026, 1, 1 + i)), ("launched", at(2026, 5, 1 + i)))
        factories.ExperimentFactory(idea=idea, decision="scale", decided_at=at(2026, 4, 1))
    return fy


def test_the_page_query_count(client, executive, busy, django_assert_num_queries):
    client.force_login(executive)
    # 1 session, 2 user (with groups, and the layout's panel membership and unread count), 3 the
    # fiscal years (chooser and chosen), 4-8 the portfolio (PORTFOLIO; its money cells also
    # count the year's ideas, so the paginator runs no COUNT), 9 a page of the ranked ideas
    with django_assert_num_queries(4 + PORTFOLIO):
        response = client.get(reverse("insights:portfolio"), {"fiscal_year": busy.pk})
    assert response.status_code == 200


def test_the_ranked_partial_query_count(client, executive, busy, django_assert_num_queries):
    client.force_login(executive)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the fiscal years, 4
    # count, 5 the page of ideas (the figures above the ranking are not recomputed; no layout in a
    # partial)
    with django_assert_num_queries(5):
        response = client.get(
            reverse("insights:portfolio"),
            {"fiscal_year": busy.pk, "page": 2},
            headers={"HX-Request": "true", "HX-Target": "ranked-ideas"},
        )
    assert response.status_code == 200
    assert b"<html" not in response.content


def test_the_api_query_count(executive, busy, django_assert_num_queries):
    client = api_as(executive)
    # 1 user's groups (rules), 2 the fiscal years, 3-7 the portfolio (PORTFOLIO)
    with django_assert_num_queries(2 + PORTFOLIO):
        response = client.get("/api/v1/insights/portfolio/", {"fiscal_year": busy.pk})
    assert response.status_code == 200


def test_the_csv_query_count(client, manager, busy, django_assert_num_queries):
    client.force_login(manager)
    # 1 session, 2 user (with groups, panel membership and unread count), 3 the fiscal year, 4 the
    # ideas with spend and value
    with django_assert_num_queries(4):
        response = client.get(reverse("insights:portfolio_csv", args=[busy.pk]))
        b"".join(response.streaming_content)
