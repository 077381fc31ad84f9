"""Search and duplicate suggestions, on SQLite (fallback) and PostgreSQL (FTS, pg_trgm)."""

import threading

import pytest
from django.db import close_old_connections, connection

from ideas import engagement
from ideas.models import Idea, Support
from ideas.search import search, similar_to
from tests.factories import CampaignFactory, CustomerFactory, EmployeeFactory, IdeaFactory
from tests.services import require_postgres


@pytest.fixture
def corpus(db):
    return {
        "prefill": IdeaFactory(
            title="Pre-fill mortgage income from the salary account",
            customer_need="Applicants abandon the mortgage form at the income step.",
        ),
        "queue": IdeaFactory(
            title="Book a branch slot instead of queueing",
            customer_need="Saturday queues at account opening average 27 minutes.",
        ),
        "lockout": IdeaFactory(
            title="Unlock the app without calling",
            customer_need="App login lockouts cause one-star reviews.",
        ),
        "draft": IdeaFactory(title="Mortgage draft idea", status="draft"),
    }


def test_search_finds_words_in_title_and_need(corpus):
    assert set(search(Idea.objects.all(), "mortgage")) == {corpus["prefill"], corpus["draft"]}
    assert list(search(Idea.objects.all(), "queues")) == [corpus["queue"]]
    assert set(search(Idea.objects.all(), "")) == set(corpus.values())


def test_similar_suggests_duplicates_best_first_without_drafts(corpus):
    found = list(similar_to(Idea.objects.all(), "mortgage income pre-fill"))
    assert found[0] == corpus["prefill"]
    assert corpus["draft"] not in found and corpus["lockout"] not in found
    assert 0 < found[0].similarity <= 1
    assert list(similar_to(Idea.objects.all(), "ab")) == []
    assert len(list(similar_to(Idea.objects.all(), "mortgage", limit=1))) <= 1


def test_similar_respects_visibility(corpus, customer):
    # none of the corpus ideas is in a campaign open to customers
    assert list(similar_to(Idea.objects.visible_to(customer), "mortgage income")) == []


def test_postgres_search_vector_is_maintained_by_the_trigger(corpus):
    require_postgres()
    idea = corpus["lockout"]
    idea.title = "Biometric unlock"
    idea.save()  # save() writes NULL into search_vector; the trigger recomputes it
    assert list(search(Idea.objects.all(), "biometric")) == [idea]
    # stemming: "queueing" finds "queues"
    assert corpus["queue"] in search(Idea.objects.all(), "queue")


@pytest.mark.django_db(transaction=True)
def test_concurrent_support_toggles_keep_rows_and_counters_exact():
    require_postgres()
    idea = IdeaFactory(campaign=CampaignFactory())
    people = [EmployeeFactory() for _ in range(4)] + [CustomerFactory() for _ in range(4)]
    barrier = threading.Barrier(len(people))
    errors = []

    def toggle(user, times):
        try:
            barrier.wait()
            for _ in range(times):
                engagement.support_add(idea=idea, user=user)
                # a double click: the same intent twice at once must not double count
                engagement.support_add(idea=idea, user=user)
                engagement.support_remove(idea=idea, user=user)
            engagement.support_add(idea=idea, user=user)
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=toggle, args=(u, 10)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    idea.refresh_from_db()
    # every person ends supporting once: 4 employees and 4 customers
    assert Support.objects.filter(idea=idea).count() == 8
    assert (idea.supports_employees, idea.supports_customers) == (4, 4)


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_clicks_by_one_person_count_once():
    require_postgres()
    idea = IdeaFactory(campaign=CampaignFactory())
    user = CustomerFactory()
    barrier = threading.Barrier(8)

    def click():
        barrier.wait()
        for _ in range(10):
            engagement.support_add(idea=idea, user=user)
        connection.close()

    threads = [threading.Thread(target=click) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    idea.refresh_from_db()
    assert Support.objects.filter(idea=idea).count() == 1
    assert idea.supports_customers == 1
