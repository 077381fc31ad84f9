from datetime import timedelta

import factory
from django.utils import timezone

from ideas.models import Campaign, Comment, Idea
from tests.factories.accounts import EmployeeFactory

__all__ = ["CampaignFactory", "CommentFactory", "IdeaFactory"]


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    brief = "How might we make opening an account effortless?"
    audience = "everyone"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    owner = factory.SubFactory(EmployeeFactory)


class IdeaFactory(factory.django.DjangoModelFactory):
    """An idea in the given status. Setting ``status`` writes the field directly (no
    transition log): tests of the workflow itself go through ideas.workflow."""

    class Meta:
        model = Idea

    title = factory.Sequence(lambda n: f"Idea {n}")
    customer_need = (
        "Customers abandon the mortgage form at the income step (34% drop-off in March)."
    )
    proposal = "Pre-fill income from the salary account with consent."
    innovation_type = "optimization"
    author = factory.SubFactory(EmployeeFactory)
    origin = factory.LazyAttribute(
        lambda o: "customer" if o.author.kind == "customer" else "employee"
    )
    status = "submitted"


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(EmployeeFactory)
    body = "We saw the same drop-off in the branch survey."
