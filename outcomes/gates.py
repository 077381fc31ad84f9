"""Gate checks the outcomes app registers with ideas.workflow (see OutcomesConfig.ready).

A check returns None when the gate is met, or a message saying what is missing. The
experiment an idea is judged by is its latest one (an idea has at most one pending).
"""

from django.urls import reverse

from ideas.models import Status
from ideas.workflow import Fix, GateContext, gate_memo
from outcomes.models import Decision, Experiment


def _latest(idea_id: int) -> Experiment | None:
    """The idea's latest experiment: read once for all the gates and fixes of one idea page."""
    return gate_memo(
        ("outcomes.latest_experiment", idea_id),
        lambda: Experiment.objects.filter(idea_id=idea_id).order_by("-created_at", "-id").first(),
    )


def experiment_ready(ctx: GateContext) -> str | None:
    """funded → in_experiment: an experiment with hypothesis, metric, baseline and target."""
    experiment = _latest(ctx.idea.pk)
    if experiment is None or not experiment.is_pending:
        return (
            "An experiment comes first: create one with a hypothesis, metric, baseline and "
            "target from the idea's experiments page."
        )
    missing = experiment.missing_for_start()
    if missing:
        return f"The experiment needs {', '.join(missing)} before it can start."
    return None


def decided_to_scale(ctx: GateContext) -> str | None:
    """in_experiment → launched: the experiment was decided ``scale``."""
    experiment = _latest(ctx.idea.pk)
    if experiment is not None and experiment.decision == Decision.SCALE:
        return None
    return "Launching needs the experiment's decision to scale: decide on the experiment first."


def decided_to_stop_or_iterate(ctx: GateContext) -> str | None:
    """in_experiment → parked: the experiment was decided ``stop`` or ``iterate``. Parking
    from earlier statuses is not an experiment's business."""
    if ctx.idea.status != Status.IN_EXPERIMENT:
        return None
    experiment = _latest(ctx.idea.pk)
    if experiment is not None and experiment.decision in {Decision.STOP, Decision.ITERATE}:
        return None
    return (
        "Parking an idea in experiment needs the experiment's decision to stop or iterate: "
        "decide on the experiment first."
    )


def experiment_fix(idea) -> Fix:
    """Into experiment: complete the pending experiment, or create one."""
    experiment = _latest(idea.pk)
    if experiment is not None and experiment.is_pending:
        return Fix(
            "Complete the experiment", reverse("outcomes:experiment_edit", args=[experiment.pk])
        )
    return Fix("Create the experiment", reverse("outcomes:experiment_new", args=[idea.pk]))


def decide_fix(idea) -> Fix | None:
    """Launch or park from experiment: the experiment's page, where it is decided."""
    experiment = _latest(idea.pk)
    if experiment is None:
        return None
    return Fix("Decide on the experiment", reverse("outcomes:experiment", args=[experiment.pk]))
