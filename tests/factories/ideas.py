from datetime import timedelta

import factory
from django.db.models import F
from django.utils import timezone

from ideas.models import Campaign, Comment, Evidence, Idea
from tests.factories.accounts import EmployeeFactory

PAST_SCREENING = {
    "in_review",
    "shortlisted",
    "approved",
    "funded",
    "in_experiment",
    "launched",
}

__all__ = [
    "CampaignFactory",
    "CommentFactory",
    "EvidenceFactory",
    "IdeaFactory",
    "add_evidence",
    "guided_idea_post",
]


def add_evidence(idea, n: int = 1, customers_affected: int = 12, **fields) -> list:
    """``n`` evidence rows on ``idea`` with the idea's counters moved as the service would
    (tests of the rules themselves use ``ideas.evidence.evidence_add``)."""
    rows = [
        EvidenceFactory(idea=idea, customers_affected=customers_affected, **fields)
        for _ in range(n)
    ]
    Idea.objects.filter(pk=idea.pk).update(
        evidence_count=F("evidence_count") + n,
        customers_affected=F("customers_affected") + n * customers_affected,
    )
    idea.evidence_count += n
    idea.customers_affected += n * customers_affected
    return rows


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
    transition log): tests of the workflow itself go through ideas.workflow.

    An idea made in ``screening`` comes with one piece of evidence, as it needs one to enter
    review; ``evidence=<n>`` sets the number for any status (``evidence=0``: none). Ideas
    past screening have their type and horizon confirmed, as a manager does at screening."""

    class Meta:
        model = Idea
        skip_postgeneration_save = True

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
    type_confirmed = factory.LazyAttribute(lambda o: o.status in PAST_SCREENING)
    horizon_confirmed = factory.LazyAttribute(lambda o: o.status in PAST_SCREENING)

    @factory.post_generation
    def evidence(obj, create, extracted, **kwargs):
        n = extracted if extracted is not None else (1 if obj.status == "screening" else 0)
        if create and n:
            add_evidence(obj, n)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(EmployeeFactory)
    body = "We saw the same drop-off in the branch survey."


class EvidenceFactory(factory.django.DjangoModelFactory):
    """One evidence row, counters untouched: use ``add_evidence`` to keep them in step."""

    class Meta:
        model = Evidence

    idea = factory.SubFactory(IdeaFactory)
    kind = "complaint"
    summary = "34 complaints in March about the income step of the mortgage form."
    customers_affected = 12
    added_by = factory.SubFactory(EmployeeFactory)


def guided_idea_post(**fields) -> dict:
    """The new-idea form's POST with every step filled in (valid for employees and
    customers), ``fields`` overriding or adding to it."""
    data = {
        "who": "Customers who call us about their card",
        "title": "Queue app for branches",
        "customer_need": "Customers wait too long in our branches and leave without help.",
        "evidence_kind": "other",
        "evidence_summary": "Saturday queues average 27 minutes; 12% walk out.",
        "customers_affected": 12,
        "proposal": "Let customers book a slot in the app and be called in on time.",
        "innovation_type": "optimization",
    }
    data.update(fields)
    return data
