"""The journey map's numbers on the hand-built fixture of conftest.small_map."""

from decimal import Decimal

import pytest

from ideas.models import LIVE_STATUSES
from insights.selectors import BUCKETS, journey_map


def by_name(data):
    return {row["name"]: row for row in data["stages"]}


def test_it_counts_live_ideas_per_bucket(small_map, employee):
    rows = by_name(journey_map(journey=small_map["journey"], viewer=employee))
    # A: new = submitted + screening (i1, i2); in_review = in_review + shortlisted (i3, i4);
    # approved = approved + funded (i5, i6); launched = i7; the draft i8 and rejected i9
    # are not live. 2 + 2 + 2 + 1 = 7.
    assert rows["A"]["ideas"] == {
        "new": 2,
        "in_review": 2,
        "approved": 2,
        "launched": 1,
        "total": 7,
    }
    # B: i10 in_experiment counts as approved; i11 parked is not live.
    assert rows["B"]["ideas"] == {
        "new": 0,
        "in_review": 0,
        "approved": 1,
        "launched": 0,
        "total": 1,
    }
    assert rows["C"]["ideas"] == {
        "new": 0,
        "in_review": 0,
        "approved": 0,
        "launched": 0,
        "total": 0,
    }


def test_it_averages_the_latest_score_of_each_live_idea(small_map, employee):
    rows = by_name(journey_map(journey=small_map["journey"], viewer=employee))
    # A: i1's latest score is 4.0 (its older 2.0 does not count), i3 has 3.0, the rejected
    # i9 (5.0) is not live: (4.0 + 3.0) / 2 = 3.5. Averaging every row would give 3.0.
    assert rows["A"]["mean_score"] == 3.5
    assert rows["B"]["mean_score"] == 2.5
    assert rows["C"]["mean_score"] is None


def test_it_sums_committed_allocations_without_double_counting(small_map, manager):
    rows = by_name(journey_map(journey=small_map["journey"], viewer=manager))
    # A: i5 1000 + 500 + 250 (the released 9999 does not count) + i6 300 + i9 50 (money
    # committed to a rejected idea is still committed) = 2100.00 — although i5 has several
    # allocations and i1 several scores, so a single join would have multiplied rows.
    assert rows["A"]["allocated"] == Decimal("2100.00")
    assert rows["B"]["allocated"] == Decimal("100.00")
    assert rows["C"]["allocated"] == Decimal("0.00")
    # The counts stay right next to the money (no fan-out into the counts either).
    assert rows["A"]["ideas"]["total"] == 7


def test_it_filters_money_by_fiscal_year(small_map, executive):
    fy1, _ = small_map["fy"]
    rows = by_name(journey_map(journey=small_map["journey"], viewer=executive, fiscal_year=fy1.pk))
    # FY1 only: 1000 + 500 + 300 + 50 = 1850.00 on A; B's only allocation is FY2.
    assert rows["A"]["allocated"] == Decimal("1850.00")
    assert rows["B"]["allocated"] == Decimal("0.00")
    # The fiscal year filters money only, not the ideas.
    assert rows["A"]["ideas"]["total"] == 7


def test_it_hides_money_from_employees(small_map, employee):
    data = journey_map(journey=small_map["journey"], viewer=employee, metric="funding")
    assert {row["allocated"] for row in data["stages"]} == {None}
    assert data["can_see_money"] is False
    # Asking for the funding heat without the right falls back to ideas.
    assert data["metric"] == "ideas"


def test_it_flags_value_destroying_moments_without_a_live_idea_as_gaps(small_map, employee):
    m = small_map["moments"]
    rows = by_name(journey_map(journey=small_map["journey"], viewer=employee))
    # mA1 has the live i1; mA2 only a draft and a rejected idea -> gap; mA3 creates value.
    assert rows["A"]["gaps"] == [m["mA2"].pk]
    # mB1 only has a parked idea -> gap; mC1 has nothing -> gap.
    assert rows["B"]["gaps"] == [m["mB1"].pk]
    assert rows["C"]["gaps"] == [m["mC1"].pk]


def test_it_filters_by_campaign(small_map, manager):
    m = small_map["moments"]
    rows = by_name(
        journey_map(journey=small_map["journey"], viewer=manager, campaign=small_map["campaign"].pk)
    )
    # Campaign X: i1 (new), i3 (in review), i5 (approved).
    assert rows["A"]["ideas"] == {
        "new": 1,
        "in_review": 1,
        "approved": 1,
        "launched": 0,
        "total": 3,
    }
    assert rows["B"]["ideas"]["total"] == 0
    assert rows["A"]["mean_score"] == 3.5  # i1 4.0 and i3 3.0 are both in the campaign
    assert rows["A"]["allocated"] == Decimal("1750.00")  # i5: 1000 + 500 + 250
    assert rows["A"]["gaps"] == [m["mA2"].pk]  # mA1's idea i1 is in the campaign


@pytest.mark.parametrize(
    ("metric", "viewer", "expected"),
    [
        # ideas: A 7 is the max -> 5; B 1 -> ceil(1/7 * 5) = 1; C 0 -> 0.
        ("ideas", "employee", {"A": 5, "B": 1, "C": 0}),
        # score: the rounded (half up) mean on the 1-5 scale: 3.5 -> 4, 2.5 -> 3, none -> 0.
        ("score", "employee", {"A": 4, "B": 3, "C": 0}),
        # funding: A 2100 -> 5; B 100 -> ceil(100/2100 * 5) = 1; C 0 -> 0.
        ("funding", "manager", {"A": 5, "B": 1, "C": 0}),
    ],
)
def test_it_computes_heat_on_the_chosen_metric(small_map, request, metric, viewer, expected):
    user = request.getfixturevalue(viewer)
    data = journey_map(journey=small_map["journey"], viewer=user, metric=metric)
    assert {row["name"]: row["heat"] for row in data["stages"]} == expected


def test_it_groups_consecutive_stages_by_cycle(small_map, employee):
    data = journey_map(journey=small_map["journey"], viewer=employee)
    assert [(g["label"], [s["name"] for s in g["stages"]]) for g in data["cycles"]] == [
        ("Buy", ["A", "B"]),
        ("Own", ["C"]),
    ]


def test_the_buckets_partition_the_live_statuses_of_ideas():
    flat = [status for statuses in BUCKETS.values() for status in statuses]
    assert sorted(flat) == sorted(LIVE_STATUSES)
