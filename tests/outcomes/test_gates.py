"""The experiment gates of the workflow: into in_experiment, and out to launched or parked."""

from decimal import Decimal

import pytest

from ideas import services as idea_services
from ideas.models import IdeaTransition
from ideas.workflow import TransitionError
from outcomes import services
from tests import factories

pytestmark = pytest.mark.django_db


def move(idea, to, actor, reason="Because."):
    return idea_services.idea_transition(idea=idea, to=to, actor=actor, reason=reason)


def test_it_refuses_in_experiment_without_an_experiment(funded, manager):
    with pytest.raises(TransitionError, match="An experiment comes first") as exc:
        move(funded, "in_experiment", manager)
    assert exc.value.code == "gate"
    funded.refresh_from_db()
    assert funded.status == "funded"


def test_it_names_what_the_experiment_lacks(funded, manager):
    services.experiment_create(idea=funded, actor=manager, metric="Completion rate")
    with pytest.raises(TransitionError) as exc:
        move(funded, "in_experiment", manager)
    assert "needs a hypothesis, a baseline, a target" in exc.value.message


def test_it_starts_with_a_complete_experiment(funded, manager):
    services.experiment_create(
        idea=funded,
        actor=manager,
        hypothesis="Pre-filled income cuts abandonment.",
        metric="Completion rate",
        baseline=Decimal("40"),
        target=Decimal("60"),
    )
    move(funded, "in_experiment", manager)
    funded.refresh_from_db()
    assert funded.status == "in_experiment"


def test_a_decided_experiment_does_not_start_the_idea_again(funded, manager, experiment):
    services.experiment_decide(experiment=experiment, decision="stop", actor=manager)
    with pytest.raises(TransitionError, match="An experiment comes first"):
        move(funded, "in_experiment", manager)


@pytest.mark.parametrize(
    ("decision", "allowed"),
    [("pending", False), ("stop", False), ("iterate", False), ("scale", True)],
)
def test_launch_needs_the_decision_to_scale(owner, manager, decision, allowed):
    idea = factories.IdeaFactory(status="in_experiment", owner=owner)
    experiment = factories.ExperimentFactory(idea=idea)
    if decision != "pending":
        services.experiment_decide(experiment=experiment, decision=decision, actor=manager)
    if allowed:
        move(idea, "launched", manager, reason="Scaled to every branch.")
        idea.refresh_from_db()
        assert idea.status == "launched"
    else:
        with pytest.raises(TransitionError, match="decision to scale"):
            move(idea, "launched", manager, reason="Scaled to every branch.")
        assert not IdeaTransition.objects.filter(idea=idea).exists()


@pytest.mark.parametrize(
    ("decision", "allowed"),
    [("pending", False), ("scale", False), ("stop", True), ("iterate", True)],
)
def test_parking_an_idea_in_experiment_needs_stop_or_iterate(owner, manager, decision, allowed):
    idea = factories.IdeaFactory(status="in_experiment", owner=owner)
    experiment = factories.ExperimentFactory(idea=idea)
    if decision != "pending":
        services.experiment_decide(experiment=experiment, decision=decision, actor=manager)
    if allowed:
        move(idea, "parked", manager, reason="The pilot showed no effect.")
        idea.refresh_from_db()
        assert idea.status == "parked"
    else:
        with pytest.raises(TransitionError, match="decision to stop or iterate"):
            move(idea, "parked", manager, reason="The pilot showed no effect.")


def test_it_judges_the_latest_experiment(owner, manager):
    idea = factories.IdeaFactory(status="in_experiment", owner=owner)
    first = factories.ExperimentFactory(idea=idea)
    services.experiment_decide(experiment=first, decision="scale", actor=manager)
    second = services.experiment_create(idea=idea, actor=manager, metric="Repeat use")
    assert second.is_pending
    with pytest.raises(TransitionError, match="decision to scale"):
        move(idea, "launched", manager, reason="Scaled.")


def test_parking_from_screening_is_not_an_experiments_business(manager):
    idea = factories.IdeaFactory(status="screening")
    move(idea, "parked", manager, reason="Depends on the core-banking upgrade.")
    idea.refresh_from_db()
    assert idea.status == "parked"


def test_without_the_registered_checks_the_gates_refuse(gates, owner, manager):
    idea = factories.IdeaFactory(status="funded", owner=owner)
    factories.ExperimentFactory(idea=idea)
    with pytest.raises(TransitionError, match="Not possible yet"):
        move(idea, "in_experiment", manager)
    running = factories.IdeaFactory(status="in_experiment", owner=owner)
    with pytest.raises(TransitionError, match="Not possible yet"):
        move(running, "launched", manager, reason="Scaled.")


def test_the_offered_moves_read_the_latest_experiment_once_and_a_move_reads_it_afresh(
    owner, manager
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ideas.workflow import moves_for

    idea = factories.IdeaFactory(status="in_experiment", owner=owner)
    experiment = factories.ExperimentFactory(idea=idea)
    with CaptureQueriesContext(connection) as queries:
        moves = {move.to: move for move in moves_for(idea, manager)}
    reads = [q for q in queries.captured_queries if '"outcomes_experiment"' in q["sql"]]
    # Launch and park both ask the pending experiment, and each refusal's fix links to it:
    # four questions, one read.
    assert len(reads) == 1
    assert moves["launched"].blockers and moves["parked"].blockers
    # The memo lives only while the moves are asked: a decision made afterwards counts.
    services.experiment_decide(experiment=experiment, decision="scale", actor=manager)
    assert not {move.to: move for move in moves_for(idea, manager)}["launched"].blockers
