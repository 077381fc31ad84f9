"""The panelist's side: rubric on the scale, rationale required, what the idea stands on,
"save and next" through a queue that lists open rounds first, read-only locked scorecards."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import FeedbackItem
from scoring import services
from scoring.models import Assignment, Scorecard, Signal
from tests.conftest import api_as
from tests.factories import IdeaFactory, PanelFactory, add_evidence, default_scorecard
from tests.scoring.helpers import SIGNALS as KEYS


def _round(members, manager, *, titles, days=3, name="R", open=True):
    round = services.round_create(
        panel=PanelFactory(members=members),
        scorecard=default_scorecard(),
        ideas=[IdeaFactory(status="screening", title=t) for t in titles],
        due_at=timezone.now() + timedelta(days=days),
        actor=manager,
        name=name,
    )
    for idea in round.ideas.all():
        add_evidence(idea)
    return services.round_open(round=round, actor=manager) if open else round


def _full(value=4, rationale="seen in complaints"):
    return {f"{k}-value": str(value) for k in KEYS} | {f"{k}-rationale": rationale for k in KEYS}


def test_the_default_signals_carry_a_rubric_shown_beside_each_point(client, members, manager):
    round = _round(members, manager, titles=["Idea"])
    a = Assignment.objects.get(round=round, reviewer=members[0])
    assert all(len(s.rubric) == 5 for s in Signal.objects.filter(key__in=KEYS))
    client.force_login(members[0])
    html = client.get(reverse("scoring:scorecard", args=[a.pk])).content.decode()
    importance = html.split('id="signal-importance"')[1].split("</fieldset>")[0]
    # A fieldset with a legend, each point a labelled radio with its description inside.
    assert "<legend>Customer importance" in importance
    assert (
        importance.count('<label class="score-choice"><input type="radio" id="importance-point-')
        == 5
    )
    point5 = importance.split('value="5"')[1].split("</label>")[0]
    assert "Extremely" in point5 and "customers leave, complain or call" in point5


def test_submitting_needs_a_rationale_per_signal_in_the_service(members, manager):
    round = _round(members, manager, titles=["Idea"])
    a = Assignment.objects.get(round=round, reviewer=members[0])
    scores = [
        {"signal": k, "value": 4, "rationale": "why" if k != "evidence" else " "} for k in KEYS
    ]
    services.scores_save(assignment=a, scores=scores, actor=members[0])  # a draft may lack one
    with pytest.raises(ValidationError) as exc:
        services.assignment_submit(assignment=a, actor=members[0])
    (error,) = exc.value.error_dict["rationale"]
    assert error.params == {"signal": "evidence"} and "Evidence of need: say why" in error.message
    # Once submitted, a change may not blank a rationale either.
    services.scores_save(
        assignment=a,
        scores=[{"signal": "evidence", "value": 4, "rationale": "ok"}],
        actor=members[0],
    )
    services.assignment_submit(assignment=a, actor=members[0])
    with pytest.raises(ValidationError, match="say why"):
        services.scores_save(
            assignment=a, scores=[{"signal": "uniqueness", "value": 2}], actor=members[0]
        )


def test_a_scorecard_may_make_the_rationale_optional(members, manager):
    Scorecard.objects.filter(is_default=True).update(rationale_required=False)
    round = _round(members, manager, titles=["Idea"])
    a = Assignment.objects.get(round=round, reviewer=members[0])
    services.scores_save(
        assignment=a, scores=[{"signal": k, "value": 3} for k in KEYS], actor=members[0]
    )
    services.assignment_submit(assignment=a, actor=members[0])
    assert Assignment.objects.get(pk=a.pk).submitted_at is not None


def test_the_api_refuses_a_submission_without_rationales_with_a_field_error(members, manager):
    round = _round(members, manager, titles=["Idea"])
    a = Assignment.objects.get(round=round, reviewer=members[0])
    api = api_as(members[0])
    body = [{"signal": k, "value": 4, "rationale": ""} for k in KEYS]
    assert api.put(f"/api/v1/assignments/{a.pk}/scores/", body, format="json").status_code == 200
    res = api.post(f"/api/v1/assignments/{a.pk}/submit/")
    assert res.status_code == 400
    assert len(res.json()["rationale"]) == 4
    assert res.json()["rationale"][0].startswith("Customer importance: say why you gave 4")


def test_save_and_next_opens_the_next_idea_to_score_then_the_queue(client, members, manager):
    round = _round(members, manager, titles=["Alpha", "Beta", "Gamma"])
    mine = list(Assignment.objects.filter(round=round, reviewer=members[0]).order_by("idea__title"))
    client.force_login(members[0])
    url = reverse("scoring:scorecard", args=[mine[0].pk])
    res = client.post(url, {**_full(), "submit": "next"})
    assert res.status_code == 302 and res["Location"] == reverse(
        "scoring:scorecard", args=[mine[1].pk]
    )
    # Beta skipped for now (a draft); Gamma submitted: next is Beta, still unscored.
    res = client.post(
        reverse("scoring:scorecard", args=[mine[2].pk]), {**_full(), "submit": "next"}
    )
    assert res["Location"] == reverse("scoring:scorecard", args=[mine[1].pk])
    res = client.post(
        reverse("scoring:scorecard", args=[mine[1].pk]), {**_full(), "submit": "next"}
    )
    assert res["Location"] == reverse("scoring:queue")
    assert "last idea in your queue" in client.get(res["Location"]).content.decode()
    assert Assignment.objects.filter(reviewer=members[0], submitted_at__isnull=True).count() == 0


def test_save_and_next_with_a_missing_rationale_stays_with_the_error_on_its_field(
    client, members, manager
):
    round = _round(members, manager, titles=["Alpha"])
    a = Assignment.objects.get(round=round, reviewer=members[0])
    client.force_login(members[0])
    data = _full() | {"uniqueness-rationale": ""}
    res = client.post(reverse("scoring:scorecard", args=[a.pk]), {**data, "submit": "next"})
    assert res.status_code == 400
    html = res.content.decode()
    field = html.split('id="signal-uniqueness"')[1].split("</fieldset>")[0]
    assert "Differentiation: say why you gave 4" in field and 'aria-invalid="true"' in field
    # What was typed stays on the form.
    assert "seen in complaints" in html.split('id="signal-importance"')[1]


def test_the_queue_lists_open_rounds_first_then_the_soonest_due(
    client, members, manager, django_capture_on_commit_callbacks
):
    late = _round(members, manager, titles=["Late idea"], days=9, name="Due later")
    soon = _round(members, manager, titles=["Soon idea"], days=2, name="Due soon")
    done = _round(members, manager, titles=["Done idea"], days=1, name="Closed one")
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=done, actor=manager)
    client.force_login(members[0])
    html = client.get(reverse("scoring:queue")).content.decode()
    assert html.index("Due soon") < html.index("Due later") < html.index("Closed one")
    first = Assignment.objects.get(round=soon, reviewer=members[0])
    # The "score the next idea" button opens the same one "save and next" would.
    assert f'class="button primary" href="{reverse("scoring:scorecard", args=[first.pk])}"' in html
    assert late.pk  # listed, after the sooner round


def test_a_submitted_scorecard_is_read_only_until_the_reviewer_asks_to_change_it(
    client, members, manager
):
    round = _round(members, manager, titles=["Alpha"])
    a = Assignment.objects.get(round=round, reviewer=members[0])
    client.force_login(members[0])
    client.post(reverse("scoring:scorecard", args=[a.pk]), {**_full(), "submit": "next"})
    url = reverse("scoring:scorecard", args=[a.pk])
    html = client.get(url).content.decode()
    assert "Submitted: read-only" in html and 'type="radio"' not in html
    assert "Matters to many customers" in html  # the chosen point's description
    assert "Change my scores" in html
    html = client.get(url + "?edit=1").content.decode()
    assert html.count('type="radio"') == 20 and "Save and next" in html


def test_the_scorecard_shows_support_attachments_and_masked_verbatims(
    client, members, manager, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    round = _round(members, manager, titles=["Alpha"])
    a = Assignment.objects.get(round=round, reviewer=members[0])
    idea = a.idea
    type(idea).objects.filter(pk=idea.pk).update(supports_employees=7, supports_customers=12)
    feedback_services.items_upsert(
        items=[
            {
                "source": "crm",
                "external_id": "1",
                "channel": "complaint",
                "text": "Nobody told me why. Call me on +44 20 7946 0958 or jo@example.com",
                "received_on": "2026-01-05",
            }
        ],
        actor=manager,
    )
    feedback_services.link_create(item=FeedbackItem.objects.get(), idea=idea, actor=manager)
    client.force_login(members[0])
    html = client.get(reverse("scoring:scorecard", args=[a.pk])).content.decode()
    support = html.split('data-testid="support-counts"')[1].split("</dl>")[0]
    assert "<dt>Employees</dt><dd>7</dd>" in support and "<dt>Customers</dt><dd>12</dd>" in support
    verbatims = html.split('data-testid="verbatims"')[1].split("</section>")[0]
    assert "Nobody told me why" in verbatims
    assert "7946" not in verbatims and "jo@example.com" not in verbatims
