from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ideas.services import idea_transition
from ideas.workflow import TransitionError
from scoring import services
from scoring.models import Assignment, ReviewRound, Score
from tests.factories import (
    EmployeeFactory,
    IdeaFactory,
    PanelFactory,
    ReviewRoundFactory,
    default_scorecard,
)


@pytest.fixture
def people(db):
    return [EmployeeFactory(function=f) for f in ["product", "sales", "it", "service"]]


@pytest.fixture
def draft(people, manager):
    ideas = [IdeaFactory(status="screening", author=people[0]), IdeaFactory(status="screening")]
    return services.round_create(
        panel=PanelFactory(members=people),
        scorecard=default_scorecard(),
        ideas=ideas,
        due_at=timezone.now() + timedelta(days=7),
        actor=manager,
    )


def full(value=4):
    keys = ["importance", "evidence", "uniqueness", "defensibility"]
    return [{"signal": k, "value": value, "rationale": "why"} for k in keys]


def test_it_creates_a_round_only_over_ideas_in_screening(people, manager):
    with pytest.raises(ValidationError) as err:
        services.round_create(
            panel=PanelFactory(members=people),
            scorecard=default_scorecard(),
            ideas=[IdeaFactory(status="submitted")],
            due_at=timezone.now() - timedelta(days=1),
            actor=manager,
        )
    assert set(err.value.message_dict) == {"ideas", "due_at"}
    assert not ReviewRound.objects.exists()


def test_it_opens_a_round_with_assignments_except_the_author(draft, people, manager):
    services.round_open(round=draft, actor=manager)
    draft.refresh_from_db()
    assert draft.status == "open"
    # 2 ideas x 4 members, minus the author of the first idea
    assert Assignment.objects.filter(round=draft).count() == 7
    first = draft.ideas.get(author=people[0])
    assert not Assignment.objects.filter(idea=first, reviewer=people[0]).exists()
    assert set(draft.ideas.values_list("status", flat=True)) == {"in_review"}
    assert first.transitions.get().to_status == "in_review"


def test_it_refuses_to_open_with_too_few_functions(manager):
    panel = PanelFactory(members=[EmployeeFactory(function="marketing") for _ in range(4)])
    round = ReviewRoundFactory(panel=panel, ideas=[IdeaFactory(status="screening")])
    with pytest.raises(services.ScoringConflict) as err:
        services.round_open(round=round, actor=manager)
    assert "spans 1 distinct function (marketing)" in err.value.message
    assert "at least 3" in err.value.message
    round.refresh_from_db()
    assert round.status == "draft" and not round.assignments.exists()


def test_it_rolls_back_the_opening_when_an_idea_left_screening(draft, manager):
    idea = draft.ideas.first()
    idea.status = "parked"
    idea.save()
    with pytest.raises(TransitionError):
        services.round_open(round=draft, actor=manager)
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.assignments.exists()


def test_it_saves_scores_all_or_nothing(draft, people, manager):
    services.round_open(round=draft, actor=manager)
    a = Assignment.objects.filter(reviewer=people[1]).first()
    bad = [*full()[:2], {"signal": "nope", "value": 3}, {"signal": "uniqueness", "value": 6}]
    with pytest.raises(ValidationError) as err:
        services.scores_save(assignment=a, scores=bad, actor=people[1])
    assert len(err.value.message_dict["scores"]) == 2
    assert not Score.objects.exists()
    services.scores_save(assignment=a, scores=full(3), actor=people[1])
    services.scores_save(assignment=a, scores=full(5)[:1], actor=people[1])
    assert sorted(a.scores.values_list("value", flat=True)) == [3, 3, 3, 5]


def test_it_refuses_someone_elses_assignment_and_a_closed_round(draft, people, manager):
    services.round_open(round=draft, actor=manager)
    a = Assignment.objects.filter(reviewer=people[1]).first()
    with pytest.raises(PermissionDenied):
        services.scores_save(assignment=a, scores=full(), actor=people[2])
    services.round_close(round=draft, actor=manager)
    with pytest.raises(services.ScoringConflict):
        services.scores_save(assignment=a, scores=full(), actor=people[1])
    assert not Score.objects.exists()


def test_it_submits_only_when_every_signal_is_scored(
    draft, people, manager, django_capture_on_commit_callbacks
):
    services.round_open(round=draft, actor=manager)
    a = Assignment.objects.filter(reviewer=people[1]).first()
    services.scores_save(assignment=a, scores=full()[:3], actor=people[1])
    with pytest.raises(ValidationError, match="Hard to copy"):
        services.assignment_submit(assignment=a, actor=people[1])
    services.scores_save(assignment=a, scores=full(), actor=people[1])
    with django_capture_on_commit_callbacks() as callbacks:
        services.assignment_submit(assignment=a, actor=people[1])
    assert len(callbacks) == 1  # the aggregation is queued on commit


def test_it_coalesces_aggregation_requests(draft, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = services.request_aggregation(round_id=draft.pk)
        second = services.request_aggregation(round_id=draft.pk)
    assert first and second is None and len(callbacks) == 1
    # The run clears the marker: a submission during the run queues exactly one more.
    services.aggregation_run(round_id=draft.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.request_aggregation(round_id=draft.pk)
        assert services.request_aggregation(round_id=draft.pk) is None
    assert len(callbacks) == 1
    draft.refresh_from_db()
    assert draft.aggregated_at is not None


def test_it_closes_and_aggregates_in_eager_mode(
    draft, people, manager, django_capture_on_commit_callbacks
):
    services.round_open(round=draft, actor=manager)
    for a in Assignment.objects.filter(round=draft):
        services.scores_save(assignment=a, scores=full(), actor=a.reviewer)
        services.assignment_submit(assignment=a, actor=a.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=draft, actor=manager)
    draft.refresh_from_db()
    assert draft.status == "closed" and draft.results.count() == 2
    assert draft.aggregation_requested_at is None


def test_the_nightly_task_queues_every_open_round(
    draft, manager, django_capture_on_commit_callbacks
):
    from scoring.tasks import aggregate_open_rounds_task

    services.round_open(round=draft, actor=manager)
    ReviewRoundFactory()  # a draft: not queued
    with django_capture_on_commit_callbacks(execute=True):
        assert aggregate_open_rounds_task.delay().get() == 1


# --- gates -------------------------------------------------------------------------------


def test_the_in_review_gate_needs_an_open_round(manager):
    idea = IdeaFactory(status="screening")
    with pytest.raises(TransitionError, match="open review round"):
        idea_transition(idea=idea, to="in_review", actor=manager)


def test_the_shortlist_gate_needs_a_passing_closed_round_or_an_override(draft, people, manager):
    services.round_open(round=draft, actor=manager)
    idea = draft.ideas.exclude(author=people[0]).get()
    with pytest.raises(TransitionError, match="closed review round"):
        idea_transition(idea=idea, to="shortlisted", actor=manager)
    for a in Assignment.objects.filter(round=draft):
        services.scores_save(assignment=a, scores=full(5), actor=a.reviewer)
        services.assignment_submit(assignment=a, actor=a.reviewer)
    services.round_close(round=draft, actor=manager)
    services.aggregation_run(round_id=draft.pk)
    score = draft.results.get(idea=idea)
    assert score.passes_gate, score.gate_reason
    idea_transition(idea=idea, to="shortlisted", actor=manager)
    assert idea.status == "shortlisted"


def test_the_shortlist_gate_reports_a_failing_score_and_accepts_a_manager_override(
    draft, people, manager, employee
):
    services.round_open(round=draft, actor=manager)
    for a in Assignment.objects.filter(round=draft):
        services.scores_save(assignment=a, scores=full(1), actor=a.reviewer)
        services.assignment_submit(assignment=a, actor=a.reviewer)
    services.round_close(round=draft, actor=manager)
    services.aggregation_run(round_id=draft.pk)
    idea = draft.ideas.first()
    with pytest.raises(TransitionError, match="does not pass the signal gate"):
        idea_transition(idea=idea, to="shortlisted", actor=manager)
    with pytest.raises(TransitionError, match="needs a reason"):
        idea_transition(idea=idea, to="shortlisted", actor=manager, override=True)
    # Refused before any gate runs (the API answers 403), so no "gate overridden" line.
    with pytest.raises(PermissionDenied, match="Only innovation managers override"):
        idea_transition(idea=idea, to="shortlisted", actor=employee, override=True, reason="x")
    t = idea_transition(
        idea=idea, to="shortlisted", actor=manager, override=True, reason="CEO priority"
    )
    assert t.override and t.reason == "CEO priority"
