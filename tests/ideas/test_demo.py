import itertools
from collections import Counter

import pytest

from accounts import demo as accounts_demo
from ideas import demo as ideas_demo
from ideas.models import LIVE_STATUSES, Campaign, Idea, Status
from ideas.services import idea_recount
from journeys import demo as journeys_demo


@pytest.mark.django_db
def test_it_seeds_consistent_demo_ideas_once():
    # The ideas demo alone (later apps' demos move some of these ideas on).
    for _ in range(2):  # idempotent
        accounts_demo.seed()
        journeys_demo.seed()
        ideas_demo.seed()
    assert Campaign.objects.count() == 3
    ideas = list(Idea.objects.all())
    assert len(ideas) == 150
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
            "supports_employees", "supports_customers", "comment_count"
        )
    )
    idea_recount()
    after = list(
        Idea.objects.order_by("id").values_list(
            "supports_employees", "supports_customers", "comment_count"
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
