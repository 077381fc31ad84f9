"""Concurrency on PostgreSQL with real connections (one per thread): nothing lost, nothing
counted twice. SQLite serialises writers, so these tests need PostgreSQL."""

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from accounts.models import Kind
from ideas.engagement import support_set
from ideas.models import Idea, IdeaTransition, Support
from ideas.services import TransitionError, idea_transition
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    EmployeeFactory,
    IdeaFactory,
    ManagerFactory,
)
from tests.services import require_postgres

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

CLIENTS = 32
TOGGLES = 50


def _in_thread(fn):
    """Run fn in a worker thread with its own connection, closed afterwards."""

    def wrapper(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return wrapper


def test_32_clients_x_50_support_toggles_leave_exact_rows_and_counters(settings):
    require_postgres()
    settings.RATELIMIT_ENABLE = False
    campaign = CampaignFactory(audience="everyone")
    ideas = IdeaFactory.create_batch(5, status="submitted", campaign=campaign)
    users = [CustomerFactory() if n % 2 else EmployeeFactory() for n in range(CLIENTS)]
    # Each client's toggle sequence is fixed in advance, so the expected end state is known:
    # a (user, idea) pair is supported iff it was toggled an odd number of times.
    plans = {u.pk: [random.Random(u.pk).choice(ideas) for _ in range(TOGGLES)] for u in users}
    barrier = threading.Barrier(CLIENTS)

    @_in_thread
    def client(user):
        barrier.wait()
        # Only this client writes its own supports, so it knows their state and toggles by
        # saying the opposite.
        supported = set()
        for idea in plans[user.pk]:
            supported ^= {idea.pk}
            support_set(idea=idea, user=user, supported=idea.pk in supported)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, users))

    expected = {(u.pk, i.pk) for u in users for i, n in Counter(plans[u.pk]).items() if n % 2}
    assert set(Support.objects.values_list("user_id", "idea_id")) == expected
    kinds = {u.pk: u.kind for u in users}
    for idea in Idea.objects.filter(pk__in=[i.pk for i in ideas]):
        supporters = [uid for uid, iid in expected if iid == idea.pk]
        assert idea.supports_customers == sum(kinds[u] == Kind.CUSTOMER for u in supporters)
        assert idea.supports_employees == sum(kinds[u] == Kind.STAFF for u in supporters)


def test_two_managers_moving_the_same_idea_at_once_one_wins_one_gets_a_conflict():
    require_postgres()
    idea = IdeaFactory(status="submitted")
    managers = [ManagerFactory(), ManagerFactory()]
    barrier = threading.Barrier(2)

    @_in_thread
    def move(manager):
        barrier.wait()
        try:
            idea_transition(
                idea=Idea.objects.get(pk=idea.pk),
                to="screening",
                actor=manager,
                expected_from="submitted",
            )
            return "moved"
        except TransitionError as exc:
            return exc.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(move, managers))
    assert outcomes == ["moved", "stale"]
    assert list(
        IdeaTransition.objects.filter(idea=idea).values_list("from_status", "to_status")
    ) == [("submitted", "screening")]
    assert Idea.objects.get(pk=idea.pk).status == "screening"
    assert connection.vendor == "postgresql"


def test_20_concurrent_api_allocations_never_overrun_the_budget_and_the_rest_get_409():
    require_postgres()
    from decimal import Decimal

    from rest_framework.test import APIClient

    from budgets.models import Allocation, FiscalYear
    from tests.factories import FiscalYearFactory

    # Innovation budget: 1,000,000 x 10% = 100,000. Twenty managers each ask for 8,000:
    # 12 fit (96,000), the other 8 would overrun and must be refused with 409.
    fy = FiscalYearFactory(
        marketing_budget=Decimal("1000000.00"), innovation_target_pct=Decimal("10.00")
    )
    managers = [ManagerFactory() for _ in range(20)]
    ideas = [IdeaFactory(status="approved", owner=m) for m in managers]
    barrier = threading.Barrier(20)

    @_in_thread
    def allocate(pair):
        manager, idea = pair
        client = APIClient()
        client.force_authenticate(manager)
        barrier.wait()
        response = client.post(
            "/api/v1/budgets/allocations/",
            {"fiscal_year": fy.pk, "idea": idea.pk, "amount": "8000.00"},
            format="json",
        )
        return response.status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(pool.map(allocate, zip(managers, ideas, strict=True)))
    assert statuses == [201] * 12 + [409] * 8
    committed = sum(a.amount for a in Allocation.objects.filter(fiscal_year=fy, status="committed"))
    assert committed == Decimal("96000.00") <= FiscalYear.objects.get(pk=fy.pk).innovation_budget
    assert Idea.objects.filter(pk__in=[i.pk for i in ideas], status="funded").count() == 12


def test_concurrent_saves_of_one_scorecard_leave_exactly_one_score_per_signal():
    require_postgres()
    from scoring.models import Score
    from scoring.services import scores_save
    from tests.scoring.helpers import SIGNALS, build_round

    reviewers = {"R1": "product", "R2": "sales", "R3": "it"}
    round_, _, people = build_round({("A", "R1", "importance"): 3}, reviewers)
    assignment = round_.assignments.get()
    Score.objects.filter(assignment=assignment).delete()
    barrier = threading.Barrier(8)

    @_in_thread
    def save(n):
        barrier.wait()
        scores_save(
            assignment=assignment,
            actor=people["R1"],
            scores=[
                {"signal": key, "value": 1 + (n + k) % 5, "rationale": f"take {n}"}
                for k, key in enumerate(SIGNALS)
            ],
        )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(save, range(8)))
    rows = list(Score.objects.filter(assignment=assignment).values_list("signal__key", "rationale"))
    assert sorted(key for key, _ in rows) == sorted(SIGNALS)
    # All four come from one and the same save (all or nothing per save).
    assert len({rationale for _, rationale in rows}) == 1
