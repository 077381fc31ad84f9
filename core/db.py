"""Report reads on a read replica: one visible switch, and the router that obeys it.

With ``DATABASE_REPLICA_URL`` set, settings add a second database alias, ``replica``: a
PostgreSQL streaming replica of ``default``. Nothing goes there by accident. A view opts in
with :func:`report_read` (or a block with :func:`reports`), which pins the *reads* of the
current request to the replica for the duration of the view; :class:`ReplicaRouter` then
sends those reads there, and every write, and every read outside a pinned block, to
``default``. So the report pages (dashboard, insights, the journey map, CSV exports) scale
out, while a page that shows what its user has just changed keeps reading the primary, which
has it for certain. Without the alias the pin changes nothing.

The pin is a ``ContextVar``, so concurrent requests in threads or in asyncio tasks never see
each other's. Reports say how current they are with :func:`as_of`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import connections
from django.http import StreamingHttpResponse
from django.utils import timezone

PRIMARY = "default"
REPLICA = "replica"

_pinned: ContextVar[bool] = ContextVar("juncture_report_read", default=False)


def replica_configured() -> bool:
    """True when settings (or a test) define the ``replica`` alias."""
    return REPLICA in connections.settings


def read_alias() -> str:
    """The alias reads go to right now: ``replica`` inside a pinned block when one is
    configured, else ``default``."""
    return REPLICA if _pinned.get() and replica_configured() else PRIMARY


@contextmanager
def reports() -> Iterator[None]:
    """Pin the reads inside the block to the replica (no effect without one)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def _pinned_stream(chunks):
    # A streaming response (the CSV exports) runs its queries while the server iterates it,
    # after the view has returned: keep the pin for that iteration too.
    with reports():
        yield from chunks


def report_read(view):
    """Decorate a report view (a function view or an API view's ``get``) so its reads go to
    the replica. Put it innermost, under ``login_required``: the session and the user are
    then read from the primary before the pin, so a fresh sign-in is never lost to lag."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with reports():
            response = view(*args, **kwargs)
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = _pinned_stream(response.streaming_content)
        return response

    return wrapper


def as_of() -> datetime:
    """The time the data that reports read is current to.

    On the replica, the commit time of the last transaction it has replayed
    (``pg_last_xact_replay_timestamp()``; now when it has replayed none, e.g. just after
    start-up); on the primary, now."""
    alias = read_alias()
    if alias == PRIMARY or connections[alias].vendor != "postgresql":
        return timezone.now()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT COALESCE(pg_last_xact_replay_timestamp(), now())")
        (value,) = cursor.fetchone()
    return value


class ReplicaRouter:
    """Reads inside :func:`reports` go to ``replica``; all writes, and every read outside
    it, go to ``default``. Objects from either alias may be related (they are the same
    database), and only ``default`` is migrated (a replica follows its primary)."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None
