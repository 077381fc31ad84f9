"""Panel accuracy: Spearman's rho by hand (ties included), the stored figures and the API,
the job and its trigger, suggested weights and the scorecard version, page, permissions,
query counts."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from math import sqrt

import pytest
from django.urls import reverse
from django.utils import timezone

from insights import accuracy as acc
from insights.models import AccuracySnapshot
from insights.tasks import compute_accuracy_task
from outcomes import services as outcome_services
from scoring.models import IdeaScore, ReviewRound, Scorecard, Signal, SignalResult
from tests import factories
from tests.budgets.conftest import closed_round
from tests.conftest import api_as

# --- Spearman by hand ----------------------------------------------------------------------


def test_average_ranks_share_the_ranks_of_ties():
    assert acc.average_ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4]
    assert acc.average_ranks([5, 5, 5]) == [2, 2, 2]
    assert acc.average_ranks([3, 1, 2]) == [3, 1, 2]


def test_spearman_with_a_tie_by_hand():
    # x ranks 1, 2.5, 2.5, 4 and y ranks 1, 3, 2, 4; both means 2.5.
    # deviations x: -1.5, 0, 0, 1.5   y: -1.5, 0.5, -0.5, 1.5
    # Σdxdy = 2.25 + 0 + 0 + 2.25 = 4.5; Σdx² = 4.5; Σdy² = 2.25 + .25 + .25 + 2.25 = 5
    # rho = 4.5 / sqrt(4.5 x 5) = 0.94868...
    rho = acc.spearman([10, 20, 20, 30], [1, 3, 2, 4])
    assert rho == pytest.approx(4.5 / sqrt(22.5))
    assert round(rho, 4) == 0.9487


def test_spearman_edges():
    assert acc.spearman([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert acc.spearman([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    assert acc.spearman([1], [1]) is None  # fewer than two pairs
    assert acc.spearman([2, 2, 2], [1, 2, 3]) is None  # a constant side ranks nothing
    with pytest.raises(ValueError):
        acc.spearman([1, 2], [1])


def test_suggested_weights_share_the_total_by_positive_rho():
    signals = [
        {"signal": "a", "rho": 0.6, "n": 10, "enough": True},
        {"signal": "b", "rho": 0.2, "n": 10, "enough": True},
        {"signal": "c", "rho": -0.4, "n": 10, "enough": True},  # negative: 0
        {"signal": "d", "rho": 0.9, "n": 5, "enough": False},  # too few outcomes: 0
    ]
    weights = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}  # total 4
    # a: 4 x 0.6 / 0.8 = 3.00; b: 4 x 0.2 / 0.8 = 1.00
    assert acc.suggested_weights(signals, weights) == {"a": 3.0, "b": 1.0, "c": 0.0, "d": 0.0}
    assert acc.suggested_weights(signals[2:], weights) == {}


def test_suggested_weights_keep_the_total_through_rounding():
    signals = [{"signal": k, "rho": 0.5, "n": 9, "enough": True} for k in "abc"]
    out = acc.suggested_weights(signals, {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0})
    # 4 / 3 = 1.33 each, the remainder 0.01 on the largest key
    assert sorted(out.values()) == [0.0, 1.33, 1.33, 1.34]
    assert round(sum(out.values()), 2) == 4.0


# --- A cohort worked out by hand -----------------------------------------------------------

# Eight ideas with a decided experiment (attainment) and a latest panel result.
OVERALL = [4.5, 4.0, 3.5, 3.5, 3.0, 2.5, 2.0, 1.5]  # a tie at 3.5
ATTAIN = [1.0, 0.8, 0.9, 0.5, 0.6, 0.2, 0.3, 0.1]
EVIDENCE = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]  # the wrong way round
DEFENSIBILITY = [3.5, 4.0, 3.0, 2.5, 2.0, 1.5, 0.5, 1.0]
UNIQUENESS = [4.0, 3.0, 2.0, 1.0, 5.0]  # on the first five ideas only: too few
# Ranks, ascending:
#   overall        8, 7, 5.5, 5.5, 4, 3, 2, 1      (the two 3.5s share ranks 5 and 6)
#   attainment     8, 6, 7, 4, 5, 2, 3, 1
#   evidence       1, 2, 3, 4, 5, 6, 7, 8
#   defensibility  7, 8, 6, 5, 4, 3, 1, 2
# Deviations from the mean rank 4.5:
#   overall        3.5, 2.5, 1, 1, -.5, -1.5, -2.5, -3.5       Σd² = 41.5
#   attainment     3.5, 1.5, 2.5, -.5, .5, -2.5, -1.5, -3.5    Σd² = 42
#   evidence      -3.5, -2.5, -1.5, -.5, .5, 1.5, 2.5, 3.5     Σd² = 42
#   defensibility  2.5, 3.5, 1.5, .5, -.5, -1.5, -3.5, -2.5    Σd² = 42
# Σ products with attainment:
#   overall        12.25 + 3.75 + 2.5 - .5 - .25 + 3.75 + 3.75 + 12.25 = 37.5
#   evidence      -12.25 - 3.75 - 3.75 + .25 + .25 - 3.75 - 3.75 - 12.25 = -39
#   defensibility  8.75 + 5.25 + 3.75 - .25 - .25 + 3.75 + 5.25 + 8.75 = 35
RHO_OVERALL = round(37.5 / sqrt(41.5 * 42), 4)  # 0.8982
RHO_EVIDENCE = round(-39 / 42, 4)  # -0.9286
RHO_DEFENSIBILITY = round(35 / 42, 4)  # 0.8333


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _decided(idea, attainment: float, decision: str = "scale"):
    """An experiment from 0 to 100 whose latest measurement gives ``attainment``."""
    experiment = factories.ExperimentFactory(
        idea=idea,
        baseline=Decimal("0"),
        target=Decimal("100"),
        decision=decision,
        decided_at=_at(date(2026, 5, 1)),
    )
    factories.MeasurementFactory(
        experiment=experiment,
        measured_on=date(2026, 3, 1),
        value=Decimal(str(round(attainment * 100, 4))),
    )
    return experiment


@pytest.fixture
def cohort(db):
    rnd = closed_round()
    signals = {s.key: s for s in Signal.objects.all()}
    ideas = []
    for i, overall in enumerate(OVERALL):
        idea = factories.IdeaFactory(status="launched", title=f"Cohort {i}")
        ideas.append(idea)
        _decided(idea, ATTAIN[i])
        means = {"marketing": {"importance": overall, "evidence": overall}}
        if i < 3:
            means["it"] = {"importance": 3.0, "evidence": float(i)}
        score = IdeaScore.objects.create(
            round=rnd,
            idea=idea,
            overall=overall,
            passes_gate=True,
            contested=False,
            reviewers=3,
            functions=len(means),
            rank=i + 1,
            function_means=means,
        )
        values = {"importance": overall, "evidence": EVIDENCE[i], "defensibility": DEFENSIBILITY[i]}
        if i < len(UNIQUENESS):
            values["uniqueness"] = UNIQUENESS[i]
        SignalResult.objects.bulk_create(
            SignalResult(idea_score=score, signal=signals[key], raw=v, calibrated=v, sd=0.5, n=3)
            for key, v in values.items()
        )
    # An older result of idea 0, from an earlier round: the latest one counts.
    older = IdeaScore.objects.create(
        round=factories.ReviewRoundFactory(status="closed", scorecard=rnd.scorecard),
        idea=ideas[0],
        overall=1.0,
        passes_gate=False,
        contested=False,
        reviewers=3,
        functions=1,
        rank=1,
    )
    IdeaScore.objects.filter(pk=older.pk).update(computed_at=timezone.now() - timedelta(days=400))
    # Not counted: a scored idea whose experiment is pending, a decided idea never scored.
    pending = factories.IdeaFactory(status="in_experiment")
    factories.ExperimentFactory(idea=pending)
    IdeaScore.objects.create(
        round=rnd,
        idea=pending,
        overall=5.0,
        passes_gate=True,
        contested=False,
        reviewers=3,
        functions=1,
        rank=9,
    )
    _decided(factories.IdeaFactory(status="parked"), 0.4, decision="stop")
    return ideas


def test_it_computes_the_cohort_as_worked_out_by_hand(cohort):
    figures = acc.accuracy_compute()
    assert figures["n"] == 8
    assert figures["overall"] == {"rho": RHO_OVERALL, "n": 8, "enough": True}
    signals = {s["signal"]: (s["rho"], s["n"], s["enough"]) for s in figures["signals"]}
    assert signals["importance"] == (RHO_OVERALL, 8, True)
    assert signals["evidence"] == (RHO_EVIDENCE, 8, True)
    assert signals["defensibility"] == (RHO_DEFENSIBILITY, 8, True)
    assert signals["uniqueness"][1:] == (5, False)  # shown greyed: too few outcomes
    functions = {f["function"]: (f["rho"], f["n"], f["enough"]) for f in figures["functions"]}
    assert functions["marketing"] == (RHO_OVERALL, 8, True)  # mean of two equal signal means
    assert functions["it"][1:] == (3, False)
    # The default scorecard weighs its four signals 1 each (total 4); only importance and
    # defensibility correlate positively over enough outcomes.
    assert figures["suggested_weights"] == {
        "importance": round(4 * RHO_OVERALL / (RHO_OVERALL + RHO_DEFENSIBILITY), 2),  # 2.07
        "evidence": 0.0,
        "uniqueness": 0.0,
        "defensibility": round(4 * RHO_DEFENSIBILITY / (RHO_OVERALL + RHO_DEFENSIBILITY), 2),
    }
    assert figures["suggested_weights"]["importance"] == 2.07
    assert figures["suggested_weights"]["defensibility"] == 1.93


def test_the_job_upserts_one_row_and_the_api_matches(cohort, executive):
    compute_accuracy_task.delay()
    compute_accuracy_task.delay()  # twice: still one row
    assert AccuracySnapshot.objects.count() == 1
    body = api_as(executive).get("/api/v1/insights/accuracy/").json()
    assert body["n"] == 8
    assert body["overall"]["rho"] == RHO_OVERALL
    assert body["overall"]["n"] == 8
    assert {"signal": "evidence", "rho": RHO_EVIDENCE, "n": 8, "enough": True} in body["signals"]
    assert {"function", "rho", "n"} <= set(body["functions"][0])
    assert body["suggested_weights"]["importance"] == 2.07
    assert body["computed_at"]


def test_the_api_before_any_computation(db, manager):
    body = api_as(manager).get("/api/v1/insights/accuracy/").json()
    assert body["n"] == 0
    assert body["overall"] == {"rho": None, "n": 0, "enough": False}
    assert body["computed_at"] is None


def test_a_decision_queues_the_recompute(
    db, owner_and_experiment, django_capture_on_commit_callbacks
):
    owner, experiment = owner_and_experiment
    with django_capture_on_commit_callbacks(execute=True):
        outcome_services.experiment_decide(experiment=experiment, decision="stop", actor=owner)
    # Celery runs eagerly in tests: the queued task has already stored the figures.
    assert AccuracySnapshot.objects.filter(key="panel").exists()


@pytest.fixture
def owner_and_experiment(db):
    owner = factories.EmployeeFactory(function="product")
    idea = factories.IdeaFactory(status="in_experiment", owner=owner)
    experiment = factories.ExperimentFactory(idea=idea)
    factories.MeasurementFactory(experiment=experiment, measured_on=date(2026, 2, 1))
    return owner, experiment


def test_the_task_is_scheduled_nightly():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "insights.compute_accuracy" in tasks


@pytest.mark.parametrize("role", ["customer", "employee", "panelist"])
def test_the_api_and_page_are_for_managers_and_executives(db, client, role, request):
    user = request.getfixturevalue(role)
    assert api_as(user).get("/api/v1/insights/accuracy/").status_code == 403
    client.force_login(user)
    assert client.get(reverse("insights:accuracy")).status_code == 403


# --- The page and the scorecard version ----------------------------------------------------


def test_the_page_greys_small_samples_and_says_when(client, executive, cohort):
    acc.accuracy_refresh()
    client.force_login(executive)
    html = client.get(reverse("insights:accuracy")).content.decode()
    assert "Last computed" in html
    row = html[html.index('data-figure="uniqueness"') :]
    row = row[: row.index("</tr>")]
    assert '<tr data-figure="uniqueness" class="muted" aria-disabled="true">' in html
    assert "too few outcomes" in row
    overall = html[html.index('data-figure="overall"') :]
    assert "too few outcomes" not in overall[: overall.index("</tr>")]
    assert "0.90" in overall[: overall.index("</tr>")]  # 0.8982
    assert "Create a new scorecard version" not in html  # executives read only


def test_the_page_before_any_computation(db, client, manager):
    client.force_login(manager)
    assert "Not computed yet" in client.get(reverse("insights:accuracy")).content.decode()


def test_a_manager_creates_a_scorecard_version_from_the_suggestion(
    client, manager, cohort, django_capture_on_commit_callbacks
):
    acc.accuracy_refresh()
    held = ReviewRound.objects.values_list("pk", "scorecard_id")
    held = dict(held)
    old_default = Scorecard.objects.get(is_default=True)
    client.force_login(manager)
    assert (
        "Create a new scorecard version"
        in client.get(reverse("insights:accuracy")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("insights:accuracy_apply"))
    assert response.status_code == 302
    new = Scorecard.objects.get(is_default=True)
    assert new.pk != old_default.pk
    assert {w.signal.key: w.weight for w in new.weights.all()} == {
        "importance": Decimal("2.07"),
        "defensibility": Decimal("1.93"),
    }
    assert new.gate_threshold == old_default.gate_threshold
    # Rounds already held keep their scorecard.
    assert dict(ReviewRound.objects.values_list("pk", "scorecard_id")) == held
    # The figures were recomputed against the new default: its weights are the suggestion.
    figures = acc.latest_figures()
    assert figures["scorecard"]["id"] == new.pk
    assert figures["scorecard"]["weights"] == {"importance": 2.07, "defensibility": 1.93}


def test_an_executive_cannot_create_a_version(client, executive, cohort):
    acc.accuracy_refresh()
    client.force_login(executive)
    assert client.post(reverse("insights:accuracy_apply")).status_code == 403
    assert Scorecard.objects.filter(is_default=True).count() == 1


def test_without_a_suggestion_nothing_is_created(db, client, manager):
    client.force_login(manager)
    before = Scorecard.objects.count()
    response = client.post(reverse("insights:accuracy_apply"), follow=True)
    assert "no suggestion" in response.content.decode()
    assert Scorecard.objects.count() == before


def test_a_manager_creates_a_version_through_the_api(
    manager, executive, cohort, django_capture_on_commit_callbacks
):
    acc.accuracy_refresh()
    held = dict(ReviewRound.objects.values_list("pk", "scorecard_id"))
    url = "/api/v1/insights/accuracy/apply/"
    assert api_as(executive).post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(manager).post(url)
    assert response.status_code == 201, response.content
    body = response.json()
    new = Scorecard.objects.get(is_default=True)
    assert body["id"] == new.pk and body["is_default"] is True
    # The same weights as the page's button: importance 2.07, defensibility 1.93.
    assert {s["signal"]: s["weight"] for s in body["signals"]} == {
        "importance": "2.07",
        "defensibility": "1.93",
    }
    assert dict(ReviewRound.objects.values_list("pk", "scorecard_id")) == held
    assert acc.latest_figures()["scorecard"]["id"] == new.pk


def test_the_api_says_409_before_there_is_a_suggestion(db, manager):
    before = Scorecard.objects.count()
    response = api_as(manager).post("/api/v1/insights/accuracy/apply/")
    assert response.status_code == 409
    assert response.json()["code"] == "no_suggestion"
    assert Scorecard.objects.count() == before


# --- Query counts ------------------------------------------------------------------------


def test_the_computation_query_count(cohort, django_assert_num_queries):
    # 1 ideas with a decided experiment and its attainment, 2 their latest panel results,
    # 3 those results' signal rows, 4 the default scorecard's weights
    with django_assert_num_queries(4):
        acc.accuracy_compute()


def test_the_page_query_count(client, executive, cohort, django_assert_num_queries):
    acc.accuracy_refresh()
    client.force_login(executive)
    # 1 session, 2 user (with groups, and the layout's panel membership and unread count), 3 the
    # stored figures
    with django_assert_num_queries(3):
        assert client.get(reverse("insights:accuracy")).status_code == 200


def test_the_api_query_count(executive, cohort, django_assert_num_queries):
    acc.accuracy_refresh()
    client = api_as(executive)
    # 1 user's groups (rules), 2 the stored figures
    with django_assert_num_queries(2):
        assert client.get("/api/v1/insights/accuracy/").status_code == 200
