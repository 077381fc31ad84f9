"""Every role against every scoring action, allowed and denied; query counts of the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring import services
from scoring.models import Assignment
from tests.factories import EmployeeFactory, IdeaFactory, default_scorecard
from tests.scoring.helpers import SIGNALS as KEYS


@pytest.fixture
def world(db, manager, customer, employee, executive, panelist):
    others = [EmployeeFactory(function=f) for f in ["sales", "it"]]
    panel = panelist.panels.get()
    panel.members.add(*others)
    round = services.round_create(
        panel=panel,
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening") for _ in range(3)],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
    )
    services.round_open(round=round, actor=manager)
    return {
        "round": round,
        "assignment": Assignment.objects.filter(reviewer=panelist).first(),
        "people": {
            "anonymous": None,
            "customer": customer,
            "employee": employee,
            "panelist": panelist,
            "manager": manager,
            "executive": executive,
        },
    }


# (action, roles allowed while the round is open)
MATRIX = [
    ("queue", {"panelist"}),
    ("scorecard", {"panelist"}),
    ("rounds", {"manager"}),
    ("round_new", {"manager"}),
    ("panel_new", {"manager"}),
    ("round", {"manager"}),
    ("results_csv", {"manager"}),
    ("scorecard_settings", {"manager"}),
]


def _url(action, world):
    if action == "scorecard":
        return reverse("scoring:scorecard", args=[world["assignment"].pk])
    if action in {"round", "results_csv"}:
        return reverse(f"scoring:{action}", args=[world["round"].pk])
    if action == "scorecard_settings":
        return reverse("scoring:scorecard_settings", args=[world["round"].scorecard_id])
    return reverse(f"scoring:{action}")


@pytest.mark.parametrize(
    "role", ["anonymous", "customer", "employee", "panelist", "manager", "executive"]
)
@pytest.mark.parametrize(("action", "allowed"), MATRIX)
def test_the_permission_matrix_of_pages(client, world, role, action, allowed):
    user = world["people"][role]
    if user:
        client.force_login(user)
    res = client.get(_url(action, world))
    if role in allowed:
        assert res.status_code == 200, (role, action)
    elif user is None:
        assert res.status_code == 302 and "/accounts/login/" in res["Location"]
    else:
        assert res.status_code in (403, 404), (role, action, res.status_code)


@pytest.mark.parametrize("role", ["customer", "employee", "panelist", "executive"])
def test_only_managers_open_close_and_recompute(client, world, role):
    client.force_login(world["people"][role])
    for action in ["round_open", "round_close", "recompute"]:
        res = client.post(reverse(f"scoring:{action}", args=[world["round"].pk]))
        assert res.status_code == 403, (role, action)


def test_panelists_see_results_only_once_the_round_closed(
    client, world, manager, django_capture_on_commit_callbacks
):
    panelist = world["people"]["panelist"]
    assert not panelist.has_perm("scoring.view_results", world["round"])
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=world["round"], actor=manager)
    assert panelist.has_perm("scoring.view_results", world["round"])
    assert not world["people"]["employee"].has_perm("scoring.view_results", world["round"])
    client.force_login(panelist)
    assert client.get(reverse("scoring:round", args=[world["round"].pk])).status_code == 200


@pytest.mark.parametrize(
    ("role", "perm", "allowed"),
    [
        ("employee", "scoring.review", False),
        ("panelist", "scoring.review", True),
        ("customer", "scoring.view_signals", False),
        ("employee", "scoring.view_signals", True),
        ("panelist", "scoring.manage_rounds", False),
        ("executive", "scoring.manage_rounds", False),
        ("manager", "scoring.manage_rounds", True),
    ],
)
def test_named_rules(world, role, perm, allowed):
    assert world["people"][role].has_perm(perm) is allowed


def test_the_queue_query_count(client, world, django_assert_num_queries):
    client.force_login(world["people"]["panelist"])
    # 1 session, 2 user (with groups, panel membership and unread count), 3 my assignments with
    # rounds, ideas and score counts
    with django_assert_num_queries(3):
        assert client.get(reverse("scoring:queue")).status_code == 200


def test_the_scorecard_query_count(client, world, django_assert_num_queries):
    client.force_login(world["people"]["panelist"])
    url = reverse("scoring:scorecard", args=[world["assignment"].pk])
    # 1 session, 2 user (with groups, panel membership and unread count), 3 assignment with round,
    # scorecard and idea, 4 signals of the scorecard, 5 my scores, 6 the idea's evidence with who
    # added it (the panelist scores "evidence of need" on it; no query when the idea has none), 7
    # the top verbatims of the linked feedback, 8 the idea's attachments
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_results_query_count(
    client, world, manager, django_capture_on_commit_callbacks, django_assert_num_queries
):
    for a in Assignment.objects.filter(round=world["round"]):
        services.scores_save(
            assignment=a,
            scores=[{"signal": k, "value": 3, "rationale": "r"} for k in KEYS],
            actor=a.reviewer,
        )
        services.assignment_submit(assignment=a, actor=a.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=world["round"], actor=manager)
    client.force_login(world["people"]["panelist"])
    url = reverse("scoring:round", args=[world["round"].pk])
    # 1 session, 2 user (with groups, panel membership and unread count), 3 round with panel,
    # scorecard and the count of its results (its last rank: the paginator), 4 round panel
    # membership (view_results), 5 signals, 6 a page of results with ideas, 7 functions with
    # fewer than two reviewers on those ideas (a panelist is not a manager), 8 their signal
    # results
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
