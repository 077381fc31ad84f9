import itertools
from collections import Counter

import pytest

from accounts import demo as accounts_demo
from ideas import demo as ideas_demo
from ideas.models import (
    FUNDABLE_STATUSES,
    LIVE_STATUSES,
    Campaign,
    Evidence,
    EvidenceKind,
    Horizon,
    Idea,
    ModerationCase,
    Status,
)
from ideas.services import idea_recount
from journeys import demo as journeys_demo


@pytest.mark.django_db
def test_it_seeds_consistent_demo_ideas_once():
    # The ideas demo alone (later apps' demos move some of these ideas on).
    for _ in range(2):  # idempotent
        accounts_demo.seed()
        journeys_demo.seed()
        ideas_demo.seed()
    # Three campaigns, and a fourth that pre-moderates customers with two ideas held in it.
    assert Campaign.objects.count() == 4
    assert Campaign.objects.get(premoderation=True).ideas.filter(moderation="held").count() == 2
    assert ModerationCase.objects.filter(closed_at__isnull=True).count() == 4
    ideas = list(Idea.objects.all())
    assert len(ideas) == 152
    by_status = Counter(i.status for i in ideas)
    assert by_status[Status.SCREENING] >= 25 and by_status[Status.SHORTLISTED] >= 10
    assert by_status[Status.APPROVED] >= 8
    late = [i for i in ideas if i.status in {"approved", "funded", "in_experiment", "launched"}]
    assert all(i.owner_id for i in late)
    assert sum(1 for i in late if i.status != "approved") >= 12
    for idea in ideas:
        steps = list(idea.transitions.order_by("at", "id").values_list("from_status", "to_status"))
        assert steps[0] == ("", "draft") and steps[-1][1] == idea.status
        assert all(a[1] == b[0] for a, b in itertools.pairwise(steps))
    # counters are already exact
    before = list(
        Idea.objects.order_by("id").values_list(
            "supports_employees",
            "supports_customers",
            "comment_count",
            "evidence_count",
            "customers_affected",
        )
    )
    idea_recount()
    after = list(
        Idea.objects.order_by("id").values_list(
            "supports_employees",
            "supports_customers",
            "comment_count",
            "evidence_count",
            "customers_affected",
        )
    )
    assert before == after and sum(s[0] + s[1] for s in after) > 100
    try:
        from journeys.demo import GAP_MOMENT_NAMES
    except ImportError:
        GAP_MOMENT_NAMES = []
    assert not Idea.objects.filter(
        moment__name__in=GAP_MOMENT_NAMES, status__in=LIVE_STATUSES
    ).exists()
    assert not Idea.objects.filter(campaign__audience="employees", origin="customer").exists()
    # Evidence of every kind; every idea that entered review had some; customers' stories
    # only where customers can see the idea.
    assert set(Evidence.objects.values_list("kind", flat=True)) == set(EvidenceKind.values)
    reviewed = [i for i in ideas if i.transitions.filter(to_status="screening").exists()]
    assert reviewed and all(Evidence.objects.filter(idea=i).exists() for i in reviewed)
    assert not Evidence.objects.filter(
        added_by__kind="customer", idea__campaign__audience="employees"
    ).exists()
    # Horizons spread across the portfolio; ideas past the approval gate carry a value.
    assert Counter(i.horizon for i in ideas).keys() == set(Horizon.values)
    approved = [i for i in ideas if i.status in {*FUNDABLE_STATUSES, Status.LAUNCHED}]
    assert all(i.has_expected_value and i.type_confirmed for i in approved)
