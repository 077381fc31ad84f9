"""Writes of the journeys app: journeys, stages (with reordering) and moments.

HTML views and the API call these. Each checks ``journeys.manage_journey`` itself, so no
caller can forget to, and raises ``ValidationError`` (field messages) for bad input.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from journeys.models import Journey, Moment, Stage

UP = "up"
DOWN = "down"


def _require_manager(actor) -> None:
    if actor is None or not actor.has_perm("journeys.manage_journey"):
        raise PermissionDenied("Only innovation managers may edit journeys.")


def _clean(obj, *, exclude: list[str] | None = None) -> None:
    # Model validation gives the field messages (choices, 1-5 severity, lengths, blanks).
    obj.full_clean(exclude=exclude, validate_constraints=False)


@transaction.atomic
def journey_update(*, journey: Journey, actor, name: str, description: str = "") -> Journey:
    _require_manager(actor)
    journey.name = name.strip()
    journey.description = description.strip()
    _clean(journey)
    journey.save(update_fields=["name", "description"])
    return journey


def _check_stage_name_free(*, journey: Journey, name: str, stage_id: int | None = None) -> None:
    clash = Stage.objects.filter(journey=journey, name__iexact=name)
    if stage_id is not None:
        clash = clash.exclude(pk=stage_id)
    if clash.exists():
        raise ValidationError({"name": f"This journey already has a stage called “{name}”."})


@transaction.atomic
def stage_create(*, journey: Journey, actor, name: str, cycle: str, kind: str = "step") -> Stage:
    """Append a stage at the end of the journey (move it into place with ``stage_move``)."""
    _require_manager(actor)
    # Lock the journey row so two managers adding stages at once do not both take max+1.
    Journey.objects.select_for_update().get(pk=journey.pk)
    name = name.strip()
    last = Stage.objects.filter(journey=journey).aggregate(last=Max("order"))["last"] or 0
    stage = Stage(journey=journey, name=name, cycle=cycle, kind=kind, order=last + 1)
    _clean(stage)
    _check_stage_name_free(journey=journey, name=name)
    stage.save()
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, actor, name: str, cycle: str, kind: str) -> Stage:
    _require_manager(actor)
    stage.name = name.strip()
    stage.cycle = cycle
    stage.kind = kind
    _clean(stage)
    _check_stage_name_free(journey=stage.journey, name=stage.name, stage_id=stage.pk)
    stage.save(update_fields=["name", "cycle", "kind"])
    return stage


@transaction.atomic
def stage_move(*, stage: Stage, actor, direction: str) -> Stage:
    """Swap ``stage`` with its neighbour before (``up``) or after (``down``) it.

    The (journey, order) pair is unique and not deferrable, so the swap parks ``stage`` on a
    free order first. The journey row is locked so concurrent moves serialise instead of
    swapping against stale orders. At either end of the journey it is a no-op.
    """
    _require_manager(actor)
    if direction not in (UP, DOWN):
        raise ValidationError({"direction": "Move a stage up or down."})
    Journey.objects.select_for_update().get(pk=stage.journey_id)
    stage = Stage.objects.get(pk=stage.pk)  # re-read the order under the lock
    siblings = Stage.objects.filter(journey_id=stage.journey_id)
    if direction == UP:
        neighbour = siblings.filter(order__lt=stage.order).order_by("-order").first()
    else:
        neighbour = siblings.filter(order__gt=stage.order).order_by("order").first()
    if neighbour is None:
        return stage
    parked = (siblings.aggregate(last=Max("order"))["last"] or 0) + 1
    mine, theirs = stage.order, neighbour.order
    Stage.objects.filter(pk=stage.pk).update(order=parked)
    Stage.objects.filter(pk=neighbour.pk).update(order=mine)
    Stage.objects.filter(pk=stage.pk).update(order=theirs)
    stage.order = theirs
    return stage


def _check_moment_name_free(*, stage: Stage, name: str, moment_id: int | None = None) -> None:
    clash = Moment.objects.filter(stage=stage, name__iexact=name)
    if moment_id is not None:
        clash = clash.exclude(pk=moment_id)
    if clash.exists():
        raise ValidationError({"name": f"This stage already has a moment called “{name}”."})


@transaction.atomic
def moment_create(
    *,
    stage: Stage,
    actor,
    name: str,
    effect: str,
    severity: int,
    description: str = "",
    evidence: str = "",
) -> Moment:
    _require_manager(actor)
    moment = Moment(
        stage=stage,
        name=name.strip(),
        effect=effect,
        severity=severity,
        description=description.strip(),
        evidence=evidence.strip(),
    )
    _clean(moment)
    _check_moment_name_free(stage=stage, name=moment.name)
    moment.save()
    return moment


@transaction.atomic
def moment_update(
    *,
    moment: Moment,
    actor,
    name: str,
    effect: str,
    severity: int,
    description: str = "",
    evidence: str = "",
) -> Moment:
    """Edit a moment. Its stage is fixed: ideas on the moment are on that stage, and moving
    the moment would break "an idea's moment belongs to its stage" behind their backs."""
    _require_manager(actor)
    moment.name = name.strip()
    moment.effect = effect
    moment.severity = severity
    moment.description = description.strip()
    moment.evidence = evidence.strip()
    _clean(moment)
    _check_moment_name_free(stage=moment.stage, name=moment.name, moment_id=moment.pk)
    moment.save()
    return moment


@transaction.atomic
def moment_delete(*, moment: Moment, actor) -> None:
    """Delete a moment. Ideas that pointed at it keep their stage (``moment`` becomes NULL)."""
    _require_manager(actor)
    moment.delete()
