import factory

from journeys.models import Journey, Moment, Stage

__all__ = ["JourneyFactory", "MomentFactory", "StageFactory"]


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journey

    name = factory.Sequence(lambda n: f"Journey {n}")
    is_default = False


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    journey = factory.SubFactory(JourneyFactory)
    cycle = "own"
    kind = "step"
    name = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: n + 1)


class MomentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Moment

    stage = factory.SubFactory(StageFactory)
    name = factory.Sequence(lambda n: f"Moment {n}")
    effect = "destroys_value"
    severity = 3
