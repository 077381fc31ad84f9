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


class CompiledObjects(NamedTuple):
    """A compiled model query (``select_related`` and annotations allowed): its SQL and
    parameters, and what turns each row into model instances as ``QuerySet`` iteration
    does (the model's fields, the related objects' populators, the annotations)."""

    sql: str
    params: tuple
    compiler: Any
    converters: dict
    from_db: Callable
    alias: str
    init_list: list
    fields: slice
    populators: list
    annotations: dict

    def fetch(self, values: Mapping[Any, Any]) -> list:
        """The instances of the rows the query finds with its sentinels replaced by
        ``values``: the same objects iterating the queryset would give."""
        params = [values.get(p, p) if isinstance(p, Hashable) else p for p in self.params]
        rows = fetch_prepared(self.alias, self.sql, params)
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        found = []
        for row in rows:
            obj = self.from_db(self.alias, self.init_list, row[self.fields])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def compiled_objects(alias: str, key: Hashable, build: Callable[[], QuerySet]) -> CompiledObjects:
    """The model query ``build()`` on ``alias`` compiled, cached under ``key`` on the
    connection object of ``alias`` (as :func:`compiled`, whose rules for ``key`` and the
    sentinels apply). Run it with :meth:`CompiledObjects.fetch`."""
    from django.db.models.query import RelatedPopulator, _get_from_db

    connection = connections[alias]
    cache = connection.__dict__.setdefault(_ATTRIBUTE, {})
    found = cache.get(key)
    if found is None:
        queryset = build()
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise ValueError("compiled_objects runs one query: no prefetches, no known objects")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        select, klass_info = compiler.select, compiler.klass_info
        converters = compiler.get_converters([column for column, _, _ in select])
        fetch_mode = queryset._fetch_mode
        if fetch_mode.track_peers:
            raise ValueError("compiled_objects does not track peers")
        positions = klass_info["select_fields"]
        start, end = positions[0], positions[-1] + 1
        found = CompiledObjects(
            sql=sql,
            params=tuple(params),
            compiler=compiler,
            converters=converters,
            from_db=_get_from_db(klass_info["model"], fetch_mode),
            alias=alias,
            init_list=[column[0].target.attname for column in select[start:end]],
            fields=slice(start, end),
            populators=[
                RelatedPopulator(info, select, alias, fetch_mode)
                for info in klass_info.get("related_klass_infos", [])
            ],
            annotations=dict(compiler.annotation_col_map or {}),
        )
        cache[key] = found
    return found
