"""Journey, stage and moment services: validation, permissions and reordering."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from journeys import services
from journeys.models import Journey, Moment, Stage
from tests.factories import JourneyFactory, MomentFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    journey = JourneyFactory(name="J")
    for order, name in enumerate(["One", "Two", "Three"], start=1):
        StageFactory(journey=journey, name=name, order=order, cycle="buy")
    return journey


def names(journey) -> list[str]:
    return list(Stage.objects.of_journey(journey).values_list("name", flat=True))


def test_it_swaps_a_stage_with_its_neighbour(journey, manager):
    two = Stage.objects.get(journey=journey, name="Two")
    services.stage_move(stage=two, actor=manager, direction="up")
    assert names(journey) == ["Two", "One", "Three"]
    services.stage_move(stage=two, actor=manager, direction="down")
    services.stage_move(stage=two, actor=manager, direction="down")
    assert names(journey) == ["One", "Three", "Two"]
    # Orders stay 1..3 (the temporary parking order is gone).
    assert list(Stage.objects.of_journey(journey).values_list("order", flat=True)) == [1, 2, 3]


def test_it_leaves_the_first_stage_in_place_when_moved_up(journey, manager):
    one = Stage.objects.get(journey=journey, name="One")
    services.stage_move(stage=one, actor=manager, direction="up")
    assert names(journey) == ["One", "Two", "Three"]


def test_it_refuses_an_unknown_direction(journey, manager):
    one = Stage.objects.get(journey=journey, name="One")
    with pytest.raises(ValidationError) as exc:
        services.stage_move(stage=one, actor=manager, direction="sideways")
    assert "direction" in exc.value.message_dict


def test_it_appends_a_new_stage_at_the_end(journey, manager):
    stage = services.stage_create(journey=journey, actor=manager, name=" Four ", cycle="own")
    assert (stage.name, stage.order, stage.kind) == ("Four", 4, "step")


def test_it_refuses_a_duplicate_or_invalid_stage(journey, manager):
    with pytest.raises(ValidationError) as exc:
        services.stage_create(journey=journey, actor=manager, name="two", cycle="buy")
    assert "already has a stage" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as exc:
        services.stage_create(journey=journey, actor=manager, name="Five", cycle="sell")
    assert "cycle" in exc.value.message_dict
    assert Stage.objects.filter(journey=journey).count() == 3


def test_it_renames_and_reclassifies_a_stage(journey, manager):
    one = Stage.objects.get(journey=journey, name="One")
    services.stage_update(stage=one, actor=manager, name="Uno", cycle="own", kind="juncture")
    one.refresh_from_db()
    assert (one.name, one.cycle, one.kind) == ("Uno", "own", "juncture")


def test_it_validates_moments(journey, manager):
    stage = Stage.objects.get(journey=journey, name="One")
    moment = services.moment_create(
        stage=stage, actor=manager, name="Queue", effect="destroys_value", severity=5
    )
    assert moment.belongs_to(stage) and moment.belongs_to(stage.pk)
    assert not moment.belongs_to(Stage.objects.get(journey=journey, name="Two"))
    assert not moment.belongs_to(None)
    for bad, field in [
        ({"severity": 6}, "severity"),
        ({"severity": 0}, "severity"),
        ({"effect": "neutral"}, "effect"),
        ({"name": "   "}, "name"),
        ({"name": "queue"}, "name"),  # duplicate in the stage, case-insensitively
    ]:
        kwargs = {"name": "Other", "effect": "creates_value", "severity": 3, **bad}
        with pytest.raises(ValidationError) as exc:
            services.moment_create(stage=stage, actor=manager, **kwargs)
        assert field in exc.value.message_dict, bad
    assert Moment.objects.filter(stage=stage).count() == 1


def test_it_updates_and_deletes_a_moment(journey, manager):
    moment = MomentFactory(stage=Stage.objects.get(journey=journey, name="One"), name="Old")
    services.moment_update(
        moment=moment,
        actor=manager,
        name="New",
        effect="creates_value",
        severity=1,
        evidence="NPS verbatims",
    )
    moment.refresh_from_db()
    assert (moment.name, moment.effect, moment.severity, moment.evidence) == (
        "New",
        "creates_value",
        1,
        "NPS verbatims",
    )
    services.moment_delete(moment=moment, actor=manager)
    assert not Moment.objects.filter(pk=moment.pk).exists()


def test_it_refuses_non_managers(journey, employee, executive, customer):
    stage = Stage.objects.get(journey=journey, name="One")
    for user in (employee, executive, customer, None):
        with pytest.raises(PermissionDenied):
            services.stage_move(stage=stage, actor=user, direction="down")
        with pytest.raises(PermissionDenied):
            services.moment_create(
                stage=stage, actor=user, name="X", effect="creates_value", severity=1
            )
        with pytest.raises(PermissionDenied):
            services.journey_update(journey=journey, actor=user, name="Hacked")
    assert Journey.objects.get(pk=journey.pk).name == "J"
