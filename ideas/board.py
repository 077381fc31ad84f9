"""A page of the board read by statements compiled once per database connection.

Building the board's queryset (the person's visibility, the tab, "do I support it", the
filters, the sort, the joins) and compiling it and its count to SQL cost more CPU than the
database spent running them. Here both statements are built for a stand-in of the person
(the same kind and roles, a sentinel for their id), compiled once per connection for each
*shape* of page, and then run with the person's id put in place of the sentinel; the rows
become ideas exactly as the ORM's own iterator makes them (same fields read, same joined
objects, same annotations). On PostgreSQL they run prepared (``core.compiled.fetch_prepared``).

A shape is everything the SQL depends on besides the person's id: what ``visible_to`` and
``board_ideas`` read of the person (innovation manager? moderator? their kind), the tab, the
customer's "show closed", the table or the cards, the filter form's cleaned values and the
slice of the page. Every value is in the key, so two requests share a statement only when
their SQL is the same but for the id. The cache hangs off the connection object (per thread)
and is bounded: it is emptied when full (a crawler's searches each add a shape).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from copy import copy

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import _get_from_db, get_related_populators

from core.compiled import fetch_prepared
from ideas import pagination
from ideas.models import _is_manager, _is_moderator
from ideas.pagination import CappedCountPaginator

# Stands for the person's id in the compiled statements (ids are positive).
_USER_SENTINEL = -7_919_104_269
_ATTRIBUTE = "_juncture_board_statements"
_MAX_STATEMENTS = 128


class NotCompiled(Exception):
    """The page cannot be read this way (a filter that matches nothing, a statement with the
    person's id written into its text): the caller reads it through the ORM."""


def person_shape(user) -> tuple:
    """What the board's SQL reads of ``user`` besides their id (``IdeaQuerySet.visible_to``
    and ``ideas.selectors.board_ideas``)."""
    return (user.is_authenticated, _is_manager(user), _is_moderator(user), user.kind)


class _Page:
    """A compiled page statement: its SQL and parameters, and what turns its rows into
    ideas (as ``ModelIterable``)."""

    def __init__(self, queryset: QuerySet, alias: str):
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        self.sql, self.params = sql, _checked(sql, params)
        self.compiler = compiler
        self.converters = compiler.get_converters(
            [s[0] for s in compiler.select[0 : compiler.col_count]]
        )
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_fields = (start, end)
        self.init_list = [f[0].target.attname for f in compiler.select[start:end]]
        self.from_db = _get_from_db(klass_info["model"], queryset._fetch_mode)
        self.related = get_related_populators(
            klass_info, compiler.select, alias, queryset._fetch_mode
        )
        self.annotations = list(compiler.annotation_col_map.items())
        self.track_peers = queryset._fetch_mode.track_peers

    def objects(self, alias: str, user_pk: int) -> list:
        rows = fetch_prepared(alias, self.sql, _bind(self.params, user_pk))
        if self.compiler.has_extra_select:
            rows = [row[: self.compiler.col_count] for row in rows]
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        start, end = self.model_fields
        objects, peers = [], []
        for row in rows:
            obj = self.from_db(alias, self.init_list, row[start:end])
            if self.track_peers:  # (not the default fetch mode; as ModelIterable does)
                from weakref import ref

                peers.append(ref(obj))
                obj._state.peers = peers
            for populator in self.related:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


class _Count:
    """A compiled count (``ideas.pagination.count_or_estimate``): the list's ids, and the ids
    counted up to a cap."""

    def __init__(self, queryset: QuerySet, alias: str, up_to: int):
        ids = queryset.order_by().values_list("pk")
        self.ids_sql, ids_params = ids.query.get_compiler(using=alias).as_sql()
        self.ids_params = _checked(self.ids_sql, ids_params)
        counted = ids[: up_to + 1].query.get_compiler(using=alias)
        self.count_sql, count_params = counted.as_sql()
        self.count_params = _checked(self.count_sql, count_params)

    def count(self, alias: str, user_pk: int) -> tuple[int, bool]:
        connection = connections[alias]
        count_params = _bind(self.count_params, user_pk)
        if connection.vendor != "postgresql":
            rows = fetch_prepared(
                alias, f"SELECT COUNT(*) FROM ({self.count_sql}) AS q", count_params
            )
            return int(rows[0][0]), False
        literal = connection.ops.compose_sql(self.ids_sql, _bind(self.ids_params, user_pk))
        threshold = pagination.ESTIMATE_ABOVE  # (read when counting, as count_or_estimate)
        rows = fetch_prepared(
            alias,
            "SELECT CASE WHEN e.n >= %s THEN e.n ELSE (SELECT COUNT(*) FROM ("
            + self.count_sql
            + ") AS q) END, e.n >= %s FROM (SELECT juncture_count_estimate(%s) AS n) AS e",
            [threshold, *count_params, threshold, literal],
        )
        count, estimated = rows[0]
        return int(count), bool(estimated)


def _checked(sql: str, params) -> tuple:
    """``params``, once it is certain that the person's id, where the statement reads it, is
    a parameter (bound per request), never written into its text."""
    if str(_USER_SENTINEL) in sql:
        raise NotCompiled
    return tuple(params)


def _is_sentinel(value) -> bool:
    return type(value) is int and value == _USER_SENTINEL


def _bind(params: tuple, user_pk: int) -> list:
    return [user_pk if _is_sentinel(p) else p for p in params]


class BoardIdeas:
    """The board's ideas for one request, for :class:`CompiledBoardPaginator`: sliced, a list
    of ideas (one statement); counted, ``count_capped``. ``build(stand_in)`` is the board's
    queryset for a person (called with the stand-in, only when a statement is compiled);
    ``shape`` is everything its SQL depends on besides the person's id."""

    def __init__(self, user, shape: Hashable, build: Callable[[object], QuerySet], alias: str):
        self.user_pk = user.pk
        self.shape = (person_shape(user), shape)
        self.build = build
        self.alias = alias
        self._user = user
        self._queryset = None

    def _statement(self, key: tuple, make):
        cache = connections[self.alias].__dict__.setdefault(_ATTRIBUTE, {})
        key = (*key, self.shape)
        found = cache.get(key)
        if found is None:
            if self._queryset is None:
                stand_in = copy(self._user)
                stand_in.pk = _USER_SENTINEL
                self._queryset = self.build(stand_in)
            try:
                found = make(self._queryset)
            except (EmptyResultSet, FullResultSet) as error:
                raise NotCompiled from error
            if len(cache) >= _MAX_STATEMENTS:
                cache.clear()
            cache[key] = found
        return found

    def count_capped(self, up_to: int) -> tuple[int, bool]:
        count = self._statement(("count", up_to), lambda qs: _Count(qs, self.alias, up_to))
        return count.count(self.alias, self.user_pk)

    def __getitem__(self, part: slice) -> list:
        if part.start == part.stop:
            return []  # (an empty slice runs no query through the ORM either)
        page = self._statement(
            ("page", part.start, part.stop),
            lambda qs: _Page(qs[part.start : part.stop], self.alias),
        )
        return page.objects(self.alias, self.user_pk)


class CompiledBoardPaginator(CappedCountPaginator):
    """:class:`CappedCountPaginator` over :class:`BoardIdeas` (the same count, cap and
    estimate, from compiled statements)."""

    def _check_object_list_is_ordered(self):
        pass  # ordered by construction (every sort ends on the id)

    @property
    def count(self) -> int:
        if "_count" not in self.__dict__:
            self._count, self.estimated = self.object_list.count_capped(self.count_shown)
            self.capped = not self.estimated and self._count > self.count_shown
        return self._count
