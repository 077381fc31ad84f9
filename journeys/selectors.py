"""Reads of the journeys app: journeys, stages and moments only. The journey map, which adds
ideas, scores and money to the stages, is ``insights.selectors.journey_map``."""

from journeys.models import Cycle, Journey, Moment, Stage


def default_journey() -> Journey | None:
    return Journey.objects.default()


def stage_choices_grouped(journey: Journey | None = None) -> list[tuple[str, list]]:
    """Stage choices for a ``ChoiceField``, grouped by cycle for ``<optgroup>``:
    ``[("Buy", [(stage_id, "Discover"), ...]), ("Own", [...]), ("Advocate", [...])]``.

    ``journey`` defaults to the default journey; no journey gives ``[]``. One query.
    Junctures are labelled so the grouping stays readable ("Purchase (juncture)").
    """
    stages = (
        Stage.objects.of_journey(journey)
        if journey is not None
        else Stage.objects.of_default_journey()
    )
    groups: dict[str, list] = {}
    for stage in stages.only("id", "name", "cycle", "kind"):
        label = f"{stage.name} (juncture)" if stage.is_juncture else stage.name
        groups.setdefault(stage.cycle, []).append((stage.id, label))
    return [(Cycle(key).label, groups[key]) for key in Cycle.values if key in groups]


def moments_of_stage(stage_id: int):
    return Moment.objects.of_stage(stage_id).only("id", "name", "stage_id")
