from datetime import timedelta

import factory
from django.utils import timezone

from scoring.defaults import ensure_defaults
from scoring.models import Assignment, Panel, ReviewRound, Score, Scorecard, Signal
from scoring.progress import progress_add
from tests.factories.accounts import EmployeeFactory

__all__ = [
    "AssignmentFactory",
    "PanelFactory",
    "ReviewRoundFactory",
    "ScoreFactory",
    "default_scorecard",
    "signal",
]


def default_scorecard() -> Scorecard:
    """The scorecard created by the data migration (four signals, weight 1); recreated when
    a transactional test's flush removed it."""
    return ensure_defaults()


def signal(key: str) -> Signal:
    ensure_defaults()
    return Signal.objects.get(key=key)


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Panel {n}")

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.members.set(extracted)


class ReviewRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewRound
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Round {n}")
    panel = factory.SubFactory(PanelFactory)
    scorecard = factory.LazyFunction(default_scorecard)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    status = "draft"

    @factory.post_generation
    def ideas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.ideas.set(extracted)
            obj.idea_count = len(set(extracted))
            ReviewRound.objects.filter(pk=obj.pk).update(idea_count=obj.idea_count)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment
        skip_postgeneration_save = True

    round = factory.SubFactory(ReviewRoundFactory, status="open")
    idea = factory.SubFactory("tests.factories.ideas.IdeaFactory", status="in_review")
    reviewer = factory.SubFactory(EmployeeFactory)

    @factory.post_generation
    def progress(obj, create, extracted, **kwargs):
        # Counted in the round's progress, as the services count what they create.
        if create:
            progress_add(round_id=obj.round_id, assignments=[obj])


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    assignment = factory.SubFactory(AssignmentFactory)
    signal = factory.LazyFunction(lambda: signal("importance"))
    value = 3
    rationale = "Seen in the complaint logs."
