"""The demo gives the accuracy page real, non-trivial correlations to show."""

import pytest
from django.core.management import call_command

from insights import accuracy as acc
from outcomes.demo import ATTAINMENT, QUALITY

pytestmark = pytest.mark.django_db


def test_the_designed_cohort_correlates_as_worked_out_by_hand():
    # The panel's intended view (QUALITY, strictly falling) ranks the 14 ideas 14, 13, ..., 1.
    # Attainment ranks them (ascending; -0.10 is rank 1, 1.15 rank 14):
    #   14, 8, 12, 11, 5, 10, 13, 6, 9, 1, 7, 3, 4, 2
    # d = 0, 5, 0, 0, 5, -1, -5, 1, -3, 4, -3, 0, -2, -1;  Σd² = 116; no ties, so
    # rho = 1 - 6 x 116 / (14 x (14² - 1)) = 1 - 696 / 2730 = 0.7451
    assert acc.average_ranks(ATTAINMENT) == [14, 8, 12, 11, 5, 10, 13, 6, 9, 1, 7, 3, 4, 2]
    assert round(acc.spearman(QUALITY, ATTAINMENT), 4) == round(1 - 696 / 2730, 4) == 0.7451


def test_the_seeded_figures_are_real_and_not_trivial():
    call_command("seed_demo", quiet_logins=True)
    figures = acc.latest_figures()
    assert figures["computed_at"] is not None  # the insights demo computed them
    assert figures["n"] >= 12
    # Reviewers' habits and noise blur the intended view, but not beyond recognition.
    assert 0.5 < figures["overall"]["rho"] < 0.9
    assert abs(figures["overall"]["rho"] - 0.7451) < 0.15
    assert all(s["enough"] and 0 < s["rho"] < 1 for s in figures["signals"])
    assert len(figures["functions"]) >= 3
    assert round(sum(figures["suggested_weights"].values()), 2) == 4.0
