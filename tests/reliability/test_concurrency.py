"""Concurrency on PostgreSQL with real connections (one per thread): nothing lost, nothing
counted twice. SQLite serialises writers, so these tests need PostgreSQL."""

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from ideas.models import Idea, IdeaTransition, Support
from ideas.services import TransitionError, idea_transition, support_toggle
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
        for idea in plans[user.pk]:
            support_toggle(idea=idea, user=user)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, users))

    expected = {(u.pk, i.pk) for u in users for i, n in Counter(plans[u.pk]).items() if n % 2}
    assert set(Support.objects.values_list("user_id", "idea_id")) == expected
    kinds = {u.pk: u.kind for u in users}
    for idea in Idea.objects.filter(pk__in=[i.pk for i in ideas]):
        supporters = [uid for uid, iid in expected if iid == idea.pk]
        assert idea.supports_customers == sum(kinds[u] == "customer" for u in supporters)
        assert idea.supports_employees == sum(kinds[u] == "staff" for u in supporters)


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
