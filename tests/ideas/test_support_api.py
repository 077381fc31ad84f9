"""The API's support toggle (``POST``/``DELETE /api/v1/ideas/{id}/support/``).

On PostgreSQL a toggle is the token lookup plus one statement that checks visibility and the
permission and writes (``ideas.engagement.support_set_visible``); when that statement refuses,
the checked path (read the idea, ask the rules) answers. These tests pin the query counts of
both paths and show that the one-statement path answers exactly what the checked path does
for every kind of person and idea.
"""

import itertools
import threading

import pytest
from allauth.account.models import EmailAddress
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import token_create
from ideas import engagement
from ideas.models import Idea, Support
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    EmployeeFactory,
    IdeaFactory,
    ManagerFactory,
    ModeratorFactory,
)
from tests.services import require_postgres


def token_client(user) -> APIClient:
    """A client that authenticates as ``user`` with an API token, as real clients do. The
    token counts as just used, so no request writes ``last_used``."""
    token, key = token_create(user=user)
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def support_url(idea) -> str:
    return f"/api/v1/ideas/{idea.pk}/support/"


@pytest.mark.django_db
def test_a_toggle_on_postgres_is_the_token_and_one_statement():
    require_postgres()
    user = EmployeeFactory()
    idea = IdeaFactory(campaign=CampaignFactory())
    api = token_client(user)
    # 1 the token with its user and the user's group names, 2 visibility, permission, the
    # support row, the counter and the counters after it, in one statement.
    with CaptureQueriesContext(connection) as queries:
        response = api.post(support_url(idea))
    assert response.json() == {"supported": True, "supports_employees": 1, "supports_customers": 0}
    assert len(queries) == 2, [q["sql"] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        response = api.delete(support_url(idea))
    assert response.json() == {
        "supported": False,
        "supports_employees": 0,
        "supports_customers": 0,
    }
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert not Support.objects.filter(idea=idea).exists()


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_token_lookup_and_the_toggle_are_prepared_once_per_connection():
    require_postgres()
    user = EmployeeFactory()
    idea = IdeaFactory(campaign=CampaignFactory())
    api = token_client(user)
    for _ in range(3):
        assert api.post(support_url(idea)).status_code == 200
        assert api.delete(support_url(idea)).status_code == 200
    prepared = _prepared_statements()
    # The token lookup, the add and the remove: each prepared once, however often it ran.
    assert sum('"accounts_apitoken"' in sql for sql in prepared) == 1
    assert sum("INSERT INTO" in sql and "ideas_support" in sql for sql in prepared) == 1
    assert sum("DELETE FROM" in sql and "ideas_support" in sql for sql in prepared) == 1
    assert Idea.objects.get(pk=idea.pk).supports_employees == 0


@pytest.mark.django_db
def test_behind_a_transaction_pooler_nothing_is_prepared(monkeypatch):
    require_postgres()
    # DB_DISABLE_SERVER_SIDE_CURSORS: the next transaction may run on another server
    # connection, which would not know the statement.
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    user = EmployeeFactory()
    idea = IdeaFactory(campaign=CampaignFactory())
    api = token_client(user)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection.prepare_threshold = None
    assert api.post(support_url(idea)).json()["supports_employees"] == 1
    assert api.delete(support_url(idea)).json()["supports_employees"] == 0
    assert _prepared_statements() == []


@pytest.mark.django_db
def test_the_checked_path_reads_the_idea_once(monkeypatch):
    """Elsewhere (SQLite), or when the one statement refused: the token, the idea with the
    fields the rules read (moderation included: no second read for a deferred field), then
    the portable write."""
    user = EmployeeFactory()
    idea = IdeaFactory(campaign=CampaignFactory())
    api = token_client(user)
    monkeypatch.setattr(engagement, "support_set_visible", lambda **kwargs: None)
    with CaptureQueriesContext(connection) as queries:
        response = api.post(support_url(idea))
    assert response.status_code == 200
    sql = [q["sql"] for q in queries]
    if connection.vendor == "postgresql":
        # token, idea, the one write statement
        assert len(sql) == 3, sql
    else:
        # token, idea; then support_set: SAVEPOINT (its atomic inside the test's transaction),
        # SAVEPOINT (the insert's own), INSERT, RELEASE, the counter UPDATE, the counters'
        # SELECT, RELEASE
        assert len(sql) == 9, sql
    assert sum("ideas_idea" in s and s.lstrip().startswith("SELECT") for s in sql[:2]) == 1


def _people() -> dict:
    unverified = CustomerFactory()
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False)
    superuser = EmployeeFactory(is_superuser=True)
    return {
        "employee": EmployeeFactory(),
        "customer": CustomerFactory(),
        "unverified customer": unverified,
        "manager": ManagerFactory(),
        "moderator": ModeratorFactory(),
        "superuser": superuser,
    }


def _ideas(author_of_own) -> list[Idea]:
    campaigns = [None, *(CampaignFactory(audience=a) for a in ("employees", "customers"))]
    others = EmployeeFactory()
    ideas = []
    for author, status, moderation, campaign in itertools.product(
        [author_of_own, others],
        ["draft", "submitted", "merged", "launched"],
        ["published", "held"],
        campaigns,
    ):
        merged_into = IdeaFactory(author=others) if status == "merged" else None
        ideas.append(
            IdeaFactory(
                author=author,
                status=status,
                moderation=moderation,
                campaign=campaign,
                merged_into=merged_into,
            )
        )
    return ideas


def _answer(api, method: str, idea) -> tuple:
    """What one toggle answers and leaves behind, then undone (a savepoint rolled back)."""
    with transaction.atomic():
        response = getattr(api, method)(support_url(idea))
        supports = sorted(Support.objects.filter(idea=idea).values_list("user_id", flat=True))
        counters = Idea.objects.filter(pk=idea.pk).values_list(
            "supports_employees", "supports_customers"
        )[0]
        transaction.set_rollback(True)
    return response.status_code, response.content, supports, counters


@pytest.mark.django_db
def test_the_one_statement_answers_as_the_rules_do_for_everyone(monkeypatch, settings):
    """Every kind of person x idea (own or not, draft/submitted/merged/launched, published or
    held, no campaign or one for employees or customers) x support/withdraw (withdrawing one
    that exists): the same status, body, rows and counters as the checked path."""
    require_postgres()
    settings.RATELIMIT_ENABLE = False  # ~200 toggles per person here
    checked_only = {"on": False}
    fast = engagement.support_set_visible

    def maybe_fast(**kwargs):
        return None if checked_only["on"] else fast(**kwargs)

    monkeypatch.setattr(engagement, "support_set_visible", maybe_fast)
    compared = refused = 0
    for person in _people().values():
        api = token_client(person)
        for idea in _ideas(person):
            for method, existing in [("post", False), ("delete", True), ("delete", False)]:
                if existing:
                    Support.objects.create(idea=idea, user=person)
                answers = []
                for checked in (False, True):
                    checked_only["on"] = checked
                    answers.append(_answer(api, method, idea))
                assert answers[0] == answers[1], (person.email, idea.status, method, answers)
                Support.objects.filter(idea=idea, user=person).delete()
                compared += 1
                refused += answers[0][0] != 200
    assert compared == 6 * 48 * 3  # people x (2 authors x 4 statuses x 2 x 3 campaigns) x 3
    assert 0 < refused < compared  # both outcomes were exercised


@pytest.mark.django_db
def test_refusals_keep_their_status_and_reason():
    """A hidden idea is a 404 (its existence is not revealed); one the person may see but
    not support (their own) is a 403; neither writes anything."""
    author = EmployeeFactory()
    mine = IdeaFactory(author=author)
    draft = IdeaFactory(status="draft")
    api = token_client(author)
    assert api.post(support_url(draft)).status_code == 404
    assert api.post(support_url(mine)).status_code == 403
    assert not Support.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_api_toggles_keep_rows_and_counters_exact():
    require_postgres()
    idea = IdeaFactory(campaign=CampaignFactory())
    people = [EmployeeFactory() for _ in range(4)] + [CustomerFactory() for _ in range(4)]
    barrier = threading.Barrier(len(people))
    errors = []

    def toggle(user):
        try:
            barrier.wait()
            for _ in range(10):
                # a double click, then a withdrawal: the same intent twice counts once
                engagement.support_set_visible(idea_id=idea.pk, user=user, supported=True)
                engagement.support_set_visible(idea_id=idea.pk, user=user, supported=True)
                engagement.support_set_visible(idea_id=idea.pk, user=user, supported=False)
            engagement.support_set_visible(idea_id=idea.pk, user=user, supported=True)
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=toggle, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    idea.refresh_from_db()
    assert Support.objects.filter(idea=idea).count() == 8
    assert (idea.supports_employees, idea.supports_customers) == (4, 4)
