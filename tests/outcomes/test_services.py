"""Experiments, measurements and decisions: who may, and the rules of each write."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from outcomes import services
from outcomes.models import Experiment
from outcomes.services import OutcomeConflict
from tests import factories

pytestmark = pytest.mark.django_db

COMPLETE = {
    "hypothesis": "Pre-filled income cuts abandonment.",
    "metric": "Completion rate",
    "unit": "%",
    "baseline": Decimal("40"),
    "target": Decimal("60"),
}


# --- who may ----------------------------------------------------------------------------


def test_the_owner_and_a_manager_create_experiments(funded, owner, manager):
    experiment = services.experiment_create(idea=funded, actor=owner, **COMPLETE)
    services.experiment_decide(experiment=experiment, decision="iterate", actor=owner)
    services.experiment_create(idea=funded, actor=manager, **COMPLETE)
    assert funded.experiments.count() == 2


@pytest.mark.parametrize("who", ["employee", "executive", "customer"])
def test_others_may_not_create_measure_or_decide(request, funded, experiment, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.experiment_create(idea=funded, actor=user, **COMPLETE)
    with pytest.raises(PermissionDenied):
        services.measurement_add(
            experiment=experiment, measured_on=date(2026, 2, 1), value="45", actor=user
        )
    with pytest.raises(PermissionDenied):
        services.experiment_decide(experiment=experiment, decision="scale", actor=user)
    assert experiment.measurements.count() == 0


# --- experiments ------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["submitted", "shortlisted", "launched", "parked"])
def test_it_refuses_experiments_outside_approved_funded_or_running(manager, status):
    idea = factories.IdeaFactory(status=status)
    with pytest.raises(OutcomeConflict) as exc:
        services.experiment_create(idea=idea, actor=manager, **COMPLETE)
    assert exc.value.code == "not_experimentable"


def test_an_idea_has_one_pending_experiment_at_a_time(funded, manager, experiment):
    with pytest.raises(OutcomeConflict) as exc:
        services.experiment_create(idea=funded, actor=manager, **COMPLETE)
    assert exc.value.code == "pending_exists"
    services.experiment_decide(experiment=experiment, decision="iterate", actor=manager)
    services.experiment_create(idea=funded, actor=manager, **COMPLETE)


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "message"),
    [
        ("increase", "40", "30", "above the baseline"),
        ("decrease", "8", "9", "below the baseline"),
        ("increase", "40", "40", "must differ"),
    ],
)
def test_the_target_lies_in_the_direction(funded, manager, direction, baseline, target, message):
    with pytest.raises(ValidationError, match=message):
        services.experiment_create(
            idea=funded,
            actor=manager,
            direction=direction,
            baseline=Decimal(baseline),
            target=Decimal(target),
        )
    assert not Experiment.objects.exists()


def test_baseline_and_target_are_frozen_once_measured(experiment, manager):
    services.experiment_update(experiment=experiment, actor=manager, target=Decimal("70"))
    services.measurement_add(
        experiment=experiment, measured_on=date(2026, 2, 1), value="45", actor=manager
    )
    with pytest.raises(OutcomeConflict) as exc:
        services.experiment_update(experiment=experiment, actor=manager, target=Decimal("50"))
    assert exc.value.code == "measured"
    # Other fields still change while the experiment runs.
    services.experiment_update(experiment=experiment, actor=manager, segment="All branches")
    experiment.refresh_from_db()
    assert (experiment.target, experiment.segment) == (Decimal("70"), "All branches")


def test_a_decided_experiment_changes_no_more(experiment, manager):
    services.experiment_decide(experiment=experiment, decision="stop", actor=manager)
    with pytest.raises(OutcomeConflict) as exc:
        services.experiment_update(experiment=experiment, actor=manager, segment="x")
    assert exc.value.code == "decided"
    with pytest.raises(OutcomeConflict):
        services.measurement_add(
            experiment=experiment, measured_on=date(2026, 2, 1), value="45", actor=manager
        )
    with pytest.raises(OutcomeConflict) as exc:
        services.experiment_decide(experiment=experiment, decision="scale", actor=manager)
    assert exc.value.code == "decided"


# --- measurements -----------------------------------------------------------------------


def test_one_measurement_per_day_not_in_the_future_nor_before_the_start(experiment, owner):
    services.measurement_add(
        experiment=experiment, measured_on=date(2026, 2, 1), value="45.5", actor=owner
    )
    with pytest.raises(ValidationError, match="already a measurement"):
        services.measurement_add(
            experiment=experiment, measured_on=date(2026, 2, 1), value="46", actor=owner
        )
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="not in the future"):
        services.measurement_add(
            experiment=experiment, measured_on=tomorrow, value="46", actor=owner
        )
    with pytest.raises(ValidationError, match="starts on 2026-01-01"):
        services.measurement_add(
            experiment=experiment, measured_on=date(2025, 12, 31), value="46", actor=owner
        )
    with pytest.raises(ValidationError, match="number"):
        services.measurement_add(
            experiment=experiment, measured_on=date(2026, 2, 2), value="lots", actor=owner
        )
    assert [m.value for m in experiment.measurements.all()] == [Decimal("45.5000")]


# --- decisions --------------------------------------------------------------------------


def test_a_decision_is_recorded_and_audited_with_the_attainment(experiment, owner):
    services.measurement_add(
        experiment=experiment, measured_on=date(2026, 2, 1), value="55", actor=owner
    )
    services.experiment_decide(
        experiment=experiment, decision="scale", note="Met 3/4 of the target.", actor=owner
    )
    experiment.refresh_from_db()
    assert (experiment.decision, experiment.decided_by, experiment.decision_note) == (
        "scale",
        owner,
        "Met 3/4 of the target.",
    )
    assert experiment.decided_at is not None
    event = AuditEvent.objects.get(action="experiment.decide")
    assert event.target_id == str(experiment.pk)
    # (55 - 40) / (60 - 40) = 0.75
    assert event.data == {
        "decision": "scale",
        "note": "Met 3/4 of the target.",
        "idea": experiment.idea_id,
        "attainment": 0.75,
    }


def test_it_refuses_an_unknown_decision(experiment, manager):
    with pytest.raises(ValidationError):
        services.experiment_decide(experiment=experiment, decision="pending", actor=manager)
    experiment.refresh_from_db()
    assert experiment.is_pending


def test_decision_listeners_hear_of_it_once_committed(
    experiment, manager, django_capture_on_commit_callbacks
):
    heard = []
    listener = heard.append
    services.register_decision_listener(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.experiment_decide(experiment=experiment, decision="stop", actor=manager)
            assert heard == []
    finally:
        services._DECISION_LISTENERS.remove(listener)
    assert heard == [experiment.pk]
