from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from scoring import services
from scoring.models import Assignment, Panel, ReviewRound, Score
from tests.factories import EmployeeFactory, IdeaFactory, PanelFactory, default_scorecard
from tests.scoring.helpers import SIGNALS as KEYS


@pytest.fixture
def open_round(members, manager):
    round = services.round_create(
        panel=PanelFactory(members=members),
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening", title=f"Idea {k}") for k in range(3)],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
        name="Spring review",
    )
    return services.round_open(round=round, actor=manager)


def full(value=4):
    return [{"signal": k, "value": value, "rationale": "r"} for k in KEYS]


def closed(round, manager, django_capture_on_commit_callbacks):
    for a in Assignment.objects.filter(round=round):
        services.scores_save(assignment=a, scores=full(4), actor=a.reviewer)
        services.assignment_submit(assignment=a, actor=a.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=round, actor=manager)
    return round


def test_the_queue_lists_my_assignments_with_a_progress_bar(client, open_round, members):
    client.force_login(members[0])
    res = client.get(reverse("scoring:queue"))
    assert res.status_code == 200
    html = res.content.decode()
    assert "Spring review" in html and 'max="3" value="0"' in html
    assert html.count(reverse("scoring:scorecard", args=[0])[:-2]) >= 3


def test_the_queue_is_empty_for_a_panelist_with_no_round(client, panelist):
    client.force_login(panelist)
    assert "No assignments yet" in client.get(reverse("scoring:queue")).content.decode()


def test_the_scorecard_shows_questions_and_only_my_scores(client, open_round, members):
    mine = Assignment.objects.filter(reviewer=members[0]).first()
    other = Assignment.objects.get(reviewer=members[1], idea=mine.idea)
    services.scores_save(assignment=other, scores=full(1), actor=members[1])
    client.force_login(members[0])
    html = client.get(reverse("scoring:scorecard", args=[mine.pk])).content.decode()
    assert "Is this important enough for our customers?" in html
    assert "checked" not in html  # nobody sees another reviewer's scores
    assert client.get(reverse("scoring:scorecard", args=[other.pk])).status_code == 404


def test_htmx_saves_one_signal_and_updates_the_progress(client, open_round, members):
    a = Assignment.objects.filter(reviewer=members[0]).first()
    client.force_login(members[0])
    url = reverse("scoring:score_signal", args=[a.pk, "importance"])
    res = client.post(
        url, {"importance-value": "4", "importance-rationale": "calls"}, HTTP_HX_REQUEST="true"
    )
    assert res.status_code == 200
    html = res.content.decode()
    assert "Saved" in html and 'hx-swap-oob="true"' in html and "1 of 4 signals scored" in html
    assert "HX-Request" in res["Vary"]
    assert a.scores.get().rationale == "calls"
    res = client.post(url, {"importance-value": "9"}, HTTP_HX_REQUEST="true")
    assert "off the scale" in res.content.decode()
    assert a.scores.get().value == 4


def test_the_form_without_javascript_saves_and_submits(client, open_round, members):
    a = Assignment.objects.filter(reviewer=members[0]).first()
    client.force_login(members[0])
    url = reverse("scoring:scorecard", args=[a.pk])
    partial = {"importance-value": "3", "evidence-value": "2"}
    res = client.post(url, {**partial, "submit": "1"})
    assert res.status_code == 400 and "Score every signal first" in res.content.decode()
    data = {f"{k}-value": "4" for k in KEYS} | {"importance-rationale": "seen"}
    res = client.post(url, {**data, "submit": "1"})
    # This scorecard requires a rationale per signal: each missing one sits on its field.
    assert res.status_code == 400
    html = res.content.decode()
    assert 'id="evidence-rationale-error"' in html and "Evidence of need: say why" in html
    assert 'id="importance-rationale-error"' not in html
    data |= {f"{k}-rationale": "seen" for k in KEYS}
    res = client.post(url, {**data, "submit": "1"})
    assert res.status_code == 302
    a.refresh_from_db()
    assert a.submitted_at and a.scores.count() == 4


def test_bad_input_is_a_400_and_saves_nothing(client, open_round, members):
    a = Assignment.objects.filter(reviewer=members[0]).first()
    client.force_login(members[0])
    res = client.post(
        reverse("scoring:scorecard", args=[a.pk]), {"importance-value": "7", "evidence-value": "2"}
    )
    assert res.status_code == 400
    assert not Score.objects.exists()


def test_a_closed_round_locks_the_scorecard(
    client, open_round, members, manager, django_capture_on_commit_callbacks
):
    closed(open_round, manager, django_capture_on_commit_callbacks)
    a = Assignment.objects.filter(reviewer=members[0]).first()
    client.force_login(members[0])
    html = client.get(reverse("scoring:scorecard", args=[a.pk])).content.decode()
    assert "Your scores are locked" in html and 'type="radio"' not in html
    assert "<textarea" not in html and "Locked: round closed" in html
    res = client.post(reverse("scoring:scorecard", args=[a.pk]), {"importance-value": "2"})
    assert res.status_code == 409


def test_a_manager_builds_a_panel_with_live_coverage(client, manager, members):
    client.force_login(manager)
    res = client.post(
        reverse("scoring:panel_coverage"), {"members": [members[0].pk]}, HTTP_HX_REQUEST="true"
    )
    assert "Below the minimum of 3 functions" in res.content.decode()
    res = client.post(
        reverse("scoring:panel_coverage"),
        {"members": [m.pk for m in members]},
        HTTP_HX_REQUEST="true",
    )
    assert "Enough functions" in res.content.decode()
    res = client.post(
        reverse("scoring:panel_new"), {"name": "Mixed", "members": [m.pk for m in members]}
    )
    assert res.status_code == 302
    assert Panel.objects.get(name="Mixed").members.count() == 3


def test_a_manager_creates_and_opens_a_round_in_the_browser_forms(client, manager, members):
    client.force_login(manager)
    panel = PanelFactory(members=members)
    idea = IdeaFactory(status="screening")
    due = (timezone.localtime() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "panel": panel.pk,
        "scorecard": default_scorecard().pk,
        "ideas": [idea.pk],
        "due_at": due,
        "name": "R",
    }
    res = client.post(reverse("scoring:round_new"), data)
    assert res.status_code == 302, res.content.decode()
    round = ReviewRound.objects.get(name="R")
    res = client.post(reverse("scoring:round_open", args=[round.pk]), follow=True)
    assert "The round is open" in res.content.decode()
    res = client.post(reverse("scoring:round_new"), {**data, "due_at": "yesterday"})
    assert res.status_code == 400


def test_opening_a_single_function_panel_shows_why(client, manager):
    panel = PanelFactory(members=[EmployeeFactory(function="marketing") for _ in range(3)])
    round = services.round_create(
        panel=panel,
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening")],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
    )
    client.force_login(manager)
    html = client.get(reverse("scoring:round", args=[round.pk])).content.decode()
    assert "spans 1 distinct function (marketing)" in html
    res = client.post(reverse("scoring:round_open", args=[round.pk]), follow=True)
    assert "The round cannot open" in res.content.decode()


def test_results_show_ranks_and_export_as_csv(
    client, open_round, manager, members, django_capture_on_commit_callbacks
):
    closed(open_round, manager, django_capture_on_commit_callbacks)
    client.force_login(members[0])  # a panelist, now that the round is closed
    html = client.get(reverse("scoring:round", args=[open_round.pk])).content.decode()
    assert "Results" in html and "✓ passes" in html
    res = client.get(reverse("scoring:results_csv", args=[open_round.pk]))
    lines = b"".join(res.streaming_content).decode().splitlines()
    assert lines[0].startswith("rank,idea_id,idea,overall")
    assert len(lines) == 4 and lines[1].startswith("1,")


def test_recompute_shows_progress(client, open_round, manager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        res = client.post(
            reverse("scoring:recompute", args=[open_round.pk]), HTTP_HX_REQUEST="true"
        )
    assert res.status_code == 200
    html = res.content.decode()
    # The response was rendered before the (eager) task ran on commit; polling shows it done.
    assert "Recomputing" in html and "every 1s" in html
    task_id = ReviewRound.objects.get(pk=open_round.pk).aggregation_task_id
    res = client.get(
        reverse("scoring:recompute_status", args=[open_round.pk, task_id]), HTTP_HX_REQUEST="true"
    )
    assert "Recomputed" in res.content.decode() and "every 1s" not in res.content.decode()


def test_the_scorecard_offers_each_signals_configured_scale(client, members, manager):
    from scoring.models import Signal

    Signal.objects.filter(key="evidence").update(scale_min=0, scale_max=7)
    round = services.round_create(
        panel=PanelFactory(members=members),
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening")],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
    )
    services.round_open(round=round, actor=manager)
    a = Assignment.objects.filter(round=round, reviewer=members[0]).get()
    client.force_login(members[0])
    html = client.get(reverse("scoring:scorecard", args=[a.pk])).content.decode()
    evidence = html.split('id="signal-evidence"')[1].split("</fieldset>")[0]
    importance = html.split('id="signal-importance"')[1].split("</fieldset>")[0]
    assert 'value="0"' in evidence and 'value="7"' in evidence
    assert 'value="0"' not in importance and 'value="6"' not in importance
    # The service (and so the API and the form) accepts 7 for evidence, refuses 6 elsewhere.
    url = reverse("scoring:scorecard", args=[a.pk])
    res = client.post(url, {"evidence-value": "7", "importance-value": "6"})
    assert res.status_code == 400
    assert "Customer importance: 6 is off the scale 1 to 5" in res.content.decode()
    client.post(url, {"evidence-value": "7"})
    assert a.scores.get(signal__key="evidence").value == 7


def test_an_inactive_signal_is_left_out_of_new_rounds(client, members, manager):
    from scoring.models import Signal

    Signal.objects.filter(key="defensibility").update(active=False)
    round = services.round_create(
        panel=PanelFactory(members=members),
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening")],
        due_at=timezone.now() + timedelta(days=3),
        actor=manager,
    )
    services.round_open(round=round, actor=manager)
    a = Assignment.objects.filter(round=round, reviewer=members[0]).get()
    client.force_login(members[0])
    html = client.get(reverse("scoring:scorecard", args=[a.pk])).content.decode()
    assert 'id="signal-defensibility"' not in html and "0 of 3 signals scored" in html
    with pytest.raises(ValidationError, match="not on this round"):
        services.scores_save(
            assignment=a, scores=[{"signal": "defensibility", "value": 3}], actor=members[0]
        )
    # Three signals scored are a complete scorecard.
    services.scores_save(assignment=a, scores=full(4)[:3], actor=members[0])
    services.assignment_submit(assignment=a, actor=members[0])
    assert Assignment.objects.get(pk=a.pk).submitted_at is not None
