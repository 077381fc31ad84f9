"""Querysets compiled to SQL once per database connection object, then run many times.

Compiling a queryset (resolving lookups, joins, annotations, subqueries) costs several times
what running a one-row query on an index does: measured on the API token lookup, 1.3 ms of
CPU to compile against 0.1 ms to run. A query that every request of some kind runs in the
same shape (the API token lookup, the support toggle's visibility filter) is therefore built
once, with a sentinel value in place of each varying parameter, and run with the real values
substituted on every call. ``accounts.layout.load_user`` does the same for the signed-in user.

The cache hangs off Django's connection object, which is per thread (and per alias), so no
lock is needed; the SQL does not depend on the physical connection, so it survives a
reconnect.

On PostgreSQL such statements also run prepared (:func:`fetch_prepared`): the server parses
and plans them once per connection instead of on every request (planning the support
toggle's statement cost PostgreSQL more CPU than running it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import QuerySet

_ATTRIBUTE = "_juncture_compiled_queries"


class Compiled(NamedTuple):
    """A compiled ``values_list`` query: its SQL, its parameters (sentinels included), the
    compiler and the converters its columns need (``apply``)."""

    sql: str
    params: tuple
    compiler: Any
    converters: dict

    def bind(self, values: Mapping[Any, Any]) -> list:
        """The parameters with every sentinel replaced by its real value."""
        return [values.get(p, p) if isinstance(p, Hashable) else p for p in self.params]

    def apply(self, rows: Iterable[tuple]) -> list[tuple]:
        """Rows as the ORM would convert them (dates, decimals, JSON...)."""
        rows = list(rows)
        if self.converters:
            rows = [tuple(r) for r in self.compiler.apply_converters(rows, self.converters)]
        return rows

    def fetch(self, alias: str, values: Mapping[Any, Any]) -> list[tuple]:
        return self.apply(fetch_prepared(alias, self.sql, self.bind(values)))


def compiled(alias: str, key: Hashable, build: Callable[[], QuerySet]) -> Compiled:
    """The query ``build()`` (a ``values_list`` queryset on ``alias``) compiled, cached under
    ``key`` on the connection object of ``alias``. ``key`` must name everything that changes
    the SQL's shape (not its sentinel values). Put annotations after the fields in the
    ``values_list``: that is the order of the columns whichever way the ORM orders them."""
    connection = connections[alias]
    cache = connection.__dict__.setdefault(_ATTRIBUTE, {})
    found = cache.get(key)
    if found is None:
        queryset = build()
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        found = Compiled(sql, tuple(params), compiler, converters)
        cache[key] = found
    return found


# psycopg prepares a statement of a server-binding cursor the first time a connection runs
# it. Only :func:`fetch_prepared` makes such cursors: Django's own bind on the client and are
# never prepared. Unset (Django's default), psycopg prepares nothing at all.
_PREPARE_AT_FIRST_RUN = 0


def fetch_prepared(alias: str, sql: str, params: list) -> list[tuple]:
    """Run ``sql`` with ``params`` (``%s`` placeholders) on ``alias`` and return its rows.

    On PostgreSQL the statement is prepared on the server the first time a connection runs
    it, then only bound and executed: for the few statements that every request of a kind
    runs. Not behind a pooler in transaction mode (``DISABLE_SERVER_SIDE_CURSORS``, see
    docs/deployment.md), where the next transaction may land on a server connection that
    never saw the statement; elsewhere a plain cursor. Either way through Django's cursor
    wrapper: the health check, error translation, query log and execute wrappers apply."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    ):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with _server_binding_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _server_binding_cursor(connection):
    """What ``connection.cursor()`` returns, around a psycopg cursor that binds parameters on
    the server (which prepared statements need) instead of Django's client-binding one."""
    from django.db.backends.postgresql.base import ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        pg = connection.connection
        if pg.prepare_threshold is None:
            pg.prepare_threshold = _PREPARE_AT_FIRST_RUN
        cursor = ServerBindingCursor(pg)
        # As Django's create_cursor: timestamps in the connection's time zone.
        loader = pg.adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, cursor)
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


_TIMESTAMPTZ_OID = 1184
