"""core.db: report reads pinned to the replica alias, everything else on the primary.

Without ``DATABASE_REPLICA_URL`` (the suite's normal state) the pin changes nothing. With the
alias added for a test (``tests.replica``: a second connection to the test database), the
router is checked directly here, through real views in ``test_db_views.py``, and against a
real streaming replica in ``tests/reliability/test_read_replica.py``.
"""

import asyncio
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone

from core.db import PRIMARY, REPLICA, ReplicaRouter, as_of, read_alias, report_read, reports
from ideas.models import Idea, Support
from tests.replica import replica_alias

# --- Without a replica ---------------------------------------------------------------------


def test_it_has_no_replica_and_no_router_by_default():
    assert REPLICA not in settings.DATABASES
    assert settings.DATABASE_ROUTERS == []


def test_it_reads_the_primary_inside_a_pin_without_a_replica():
    with reports():
        assert read_alias() == PRIMARY
    assert read_alias() == PRIMARY


def test_as_of_is_now_on_the_primary():
    with reports():
        assert abs(as_of() - timezone.now()) < timedelta(seconds=5)


# --- The router, with the alias ------------------------------------------------------------


@pytest.fixture
def replica():
    with replica_alias() as connection:
        yield connection


def test_it_routes_reads_to_the_replica_only_while_pinned(replica):
    router = ReplicaRouter()
    assert router.db_for_read(Idea) == PRIMARY
    with reports():
        assert router.db_for_read(Idea) == REPLICA
        # Writes never go to the replica, pinned or not.
        assert router.db_for_write(Idea) == PRIMARY
    assert router.db_for_read(Idea) == PRIMARY


def test_it_relates_objects_of_both_aliases_and_migrates_only_the_primary(replica):
    router = ReplicaRouter()
    on_primary, on_replica = Idea(), Support()
    on_primary._state.db, on_replica._state.db = PRIMARY, REPLICA
    assert router.allow_relation(on_primary, on_replica) is True
    assert router.allow_migrate(REPLICA, "ideas") is False
    assert router.allow_migrate(PRIMARY, "ideas") is None


def test_a_pin_in_one_thread_does_not_leak_into_another(replica):
    seen = {}
    pinned, release = threading.Event(), threading.Event()

    def report():
        with reports():
            pinned.set()
            release.wait(5)
            seen["report"] = read_alias()

    thread = threading.Thread(target=report)
    thread.start()
    pinned.wait(5)
    seen["other"] = read_alias()
    release.set()
    thread.join(5)
    assert seen == {"report": REPLICA, "other": PRIMARY}


def test_a_pin_in_one_task_does_not_leak_into_another(replica):
    async def report(started: asyncio.Event, done: asyncio.Event) -> str:
        with reports():
            started.set()
            await done.wait()
            return read_alias()

    async def other(started: asyncio.Event, done: asyncio.Event) -> str:
        await started.wait()
        alias = read_alias()
        done.set()
        return alias

    async def main():
        started, done = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(report(started, done), other(started, done))

    assert asyncio.run(main()) == [REPLICA, PRIMARY]


def test_a_streamed_report_stays_pinned_while_it_is_read(replica):
    @report_read
    def view(request):
        return StreamingHttpResponse(read_alias() for _ in range(2))

    response = view(None)
    # The view has returned (and left its pin); the body is produced now, still pinned.
    assert read_alias() == PRIMARY
    assert b"".join(response.streaming_content) == b"replicareplica"
