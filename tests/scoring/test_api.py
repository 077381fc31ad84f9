from datetime import timedelta

import pytest
from django.utils import timezone

from scoring import services
from scoring.models import Assignment, Score
from tests.conftest import api_as
from tests.factories import EmployeeFactory, IdeaFactory, PanelFactory, default_scorecard
from tests.scoring.helpers import SIGNALS as KEYS


@pytest.fixture
def open_round(members, manager):
    round = services.round_create(
        panel=PanelFactory(members=members),
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening"), IdeaFactory(status="screening")],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
    )
    return services.round_open(round=round, actor=manager)


def body(value=4):
    return [{"signal": k, "value": value, "rationale": "seen in calls"} for k in KEYS]


def test_it_lists_signals_and_the_default_scorecard(employee):
    res = api_as(employee).get("/api/v1/signals/")
    assert [s["key"] for s in res.json()["results"]] == KEYS
    cards = api_as(employee).get("/api/v1/scorecards/").json()["results"]
    assert cards[0]["is_default"] and cards[0]["min_functions"] == 3
    assert [s["signal"] for s in cards[0]["signals"]] == KEYS


def test_a_manager_creates_a_panel_and_a_round_and_opens_it(manager, members):
    api = api_as(manager)
    res = api.post("/api/v1/panels/", {"name": "Mix", "members": [m.pk for m in members]})
    assert res.status_code == 201, res.json()
    assert res.json()["functions"] == ["it", "product", "sales"]
    idea = IdeaFactory(status="screening")
    due = (timezone.now() + timedelta(days=5)).isoformat()
    res = api.post(
        "/api/v1/rounds/", {"panel": res.json()["id"], "ideas": [idea.pk], "due_at": due}
    )
    assert res.status_code == 201, res.json()
    rid = res.json()["id"]
    res = api.post(f"/api/v1/rounds/{rid}/open/")
    assert res.status_code == 200 and res.json()["status"] == "open"
    assert api.post(f"/api/v1/rounds/{rid}/open/").status_code == 409


def test_opening_a_single_function_panel_is_a_409_with_the_reason(manager):
    panel = PanelFactory(members=[EmployeeFactory(function="marketing") for _ in range(3)])
    round = services.round_create(
        panel=panel,
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening")],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
    )
    res = api_as(manager).post(f"/api/v1/rounds/{round.pk}/open/")
    assert res.status_code == 409
    assert "spans 1 distinct function" in res.json()["detail"]
    assert res.json()["code"] == "coverage"


def test_a_round_over_ideas_not_in_screening_is_a_400(manager, members):
    due = (timezone.now() + timedelta(days=5)).isoformat()
    res = api_as(manager).post(
        "/api/v1/rounds/",
        {"panel": PanelFactory(members=members).pk, "ideas": [IdeaFactory().pk], "due_at": due},
    )
    assert res.status_code == 400 and "ideas" in res.json()


def test_a_reviewer_puts_and_reads_scores(open_round, members):
    a = Assignment.objects.filter(reviewer=members[0]).first()
    api = api_as(members[0])
    mine = api.get("/api/v1/assignments/").json()
    assert mine["count"] == 2
    res = api.put(f"/api/v1/assignments/{a.pk}/scores/", body(), format="json")
    assert res.status_code == 200, res.json()
    assert [s["signal"] for s in res.json()] == KEYS
    assert api.get(f"/api/v1/assignments/{a.pk}/scores/").json()[0]["value"] == 4


@pytest.mark.parametrize(
    "bad",
    [
        [{"signal": "nope", "value": 3}],
        [{"signal": "importance", "value": 6}],
        [{"signal": "importance", "value": 0}],
        [{"signal": "importance", "value": "x"}],
        {"signal": "importance", "value": 3},
    ],
)
def test_bad_scores_are_a_400_and_nothing_is_saved(open_round, members, bad):
    a = Assignment.objects.filter(reviewer=members[0]).first()
    payload = [*body()[:2], *bad] if isinstance(bad, list) else bad
    res = api_as(members[0]).put(f"/api/v1/assignments/{a.pk}/scores/", payload, format="json")
    assert res.status_code == 400
    assert not Score.objects.exists()


def test_someone_elses_assignment_is_a_404(open_round, members):
    a = Assignment.objects.filter(reviewer=members[0]).first()
    res = api_as(members[1]).put(f"/api/v1/assignments/{a.pk}/scores/", body(), format="json")
    assert res.status_code in (403, 404)
    assert api_as(members[1]).get(f"/api/v1/assignments/{a.pk}/scores/").status_code == 404


def test_a_closed_round_is_a_409(open_round, members, manager):
    a = Assignment.objects.filter(reviewer=members[0]).first()
    assert api_as(manager).post(f"/api/v1/rounds/{open_round.pk}/close/").status_code == 200
    res = api_as(members[0]).put(f"/api/v1/assignments/{a.pk}/scores/", body(), format="json")
    assert res.status_code == 409 and res.json()["code"] == "closed"
    assert not Score.objects.exists()


def test_results_after_close(open_round, members, manager, django_capture_on_commit_callbacks):
    for a in Assignment.objects.filter(round=open_round):
        services.scores_save(assignment=a, scores=body(4), actor=a.reviewer)
        services.assignment_submit(assignment=a, actor=a.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        api_as(manager).post(f"/api/v1/rounds/{open_round.pk}/close/")
    res = api_as(members[0]).get(f"/api/v1/rounds/{open_round.pk}/results/")
    assert res.status_code == 200
    rows = res.json()["results"]
    assert [r["rank"] for r in rows] == [1, 2]
    row = rows[0]
    assert set(row) >= {
        "idea", "rank", "overall", "passes_gate", "contested", "reviewers", "functions",
        "signals", "function_means",
    }  # fmt: skip
    assert row["reviewers"] == 3 and row["functions"] == 3
    assert row["signals"][0] == {
        "signal": "importance",
        "raw": 4.0,
        "calibrated": 4.0,
        "sd": 0.0,
        "n": 3,
    }
    # One reviewer per function: their "function mean" is their own score, so only a
    # manager sees it.
    assert row["function_means"] == {}
    managed = api_as(manager).get(f"/api/v1/rounds/{open_round.pk}/results/").json()["results"]
    assert managed[0]["function_means"]["it"]["importance"] == 4.0


def test_a_panelist_sees_function_means_of_two_or_more_reviewers_only(
    members, manager, django_capture_on_commit_callbacks
):
    # Two sales reviewers and one IT reviewer: sales' mean is shown, IT's (one person) is not.
    sales2 = EmployeeFactory(function=members[0].function)
    panel = PanelFactory(members=[*members, sales2])
    round = services.round_create(
        panel=panel,
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening")],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
    )
    services.round_open(round=round, actor=manager)
    for a in Assignment.objects.filter(round=round):
        services.scores_save(assignment=a, scores=body(4), actor=a.reviewer)
        services.assignment_submit(assignment=a, actor=a.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=round, actor=manager)
    row = api_as(members[0]).get(f"/api/v1/rounds/{round.pk}/results/").json()["results"][0]
    assert set(row["function_means"]) == {members[0].function}


def test_the_schema_documents_the_scoring_endpoints(manager):
    res = api_as(manager).get("/api/schema/", HTTP_ACCEPT="application/json")
    text = res.content.decode()
    for path in ["/api/v1/rounds/{id}/results/", "/api/v1/assignments/{id}/scores/"]:
        assert path in text


def test_it_submits_a_scorecard_through_the_api(open_round, members):
    a = Assignment.objects.filter(reviewer=members[0]).first()
    api = api_as(members[0])
    url = f"/api/v1/assignments/{a.pk}/submit/"
    # Nothing scored yet: submitting is refused with the missing signals.
    res = api.post(url)
    assert res.status_code == 400 and "Score every signal first" in str(res.json())
    api.put(f"/api/v1/assignments/{a.pk}/scores/", body(), format="json")
    res = api.post(url)
    assert res.status_code == 200, res.json()
    assert res.json()["submitted_at"] is not None
    a.refresh_from_db()
    assert a.submitted_at is not None
    # Someone else's assignment is a 404.
    assert api_as(members[1]).post(url).status_code == 404


def test_the_api_checks_each_signals_configured_scale(open_round, members):
    from scoring.models import Signal

    Signal.objects.filter(key="evidence").update(scale_min=0, scale_max=7)
    a = Assignment.objects.filter(reviewer=members[0]).first()
    api = api_as(members[0])
    url = f"/api/v1/assignments/{a.pk}/scores/"
    assert api.put(url, [{"signal": "evidence", "value": 7}], format="json").status_code == 200
    res = api.put(url, [{"signal": "importance", "value": 7}], format="json")
    assert res.status_code == 400 and "off the scale 1 to 5" in str(res.json())
