"""Pagination for the long idea lists (the board and ``GET /api/v1/ideas/``).

At 100,000 ideas an exact ``COUNT(*)`` of the board costs 20-100 ms per page view (a search
that matches 30,000 ideas visits every one of them), while the page itself costs a few. On
PostgreSQL the paginator asks, in the *same single query* that would have counted, for the
planner's row estimate (``EXPLAIN`` through ``juncture_count_estimate``, created by
migration 0005) and counts exactly only when the estimate is below ``ESTIMATE_ABOVE``:

    SELECT CASE WHEN e.n >= 10000 THEN e.n ELSE (SELECT COUNT(*) FROM (<list>) q) END
    FROM (SELECT juncture_count_estimate('<list>') AS n) e

PostgreSQL runs the ``COUNT`` sub-select only when the branch needs it, so small results (and
every test database) keep their exact count, the number of queries does not change, and a
large list shows "about N". Other databases count exactly.
"""

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from core.drf import PageNumberPagination

# Below this many rows an exact count is cheap and an estimate would be visibly wrong.
ESTIMATE_ABOVE = 10_000


def count_or_estimate(queryset: QuerySet, threshold: int | None = None) -> tuple[int, bool]:
    """``(count, estimated)`` for ``queryset`` in one query: the planner's estimate when it is
    at least ``threshold`` rows (PostgreSQL only), else the exact count."""
    threshold = ESTIMATE_ABOVE if threshold is None else threshold
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count(), False
    # Only the ids: no select_related joins, no ordering (the estimate is the same).
    try:
        sql, params = queryset.order_by().values_list("pk").query.sql_with_params()
    except EmptyResultSet:  # .none() or an impossible filter: nothing to count
        return 0, False
    literal = connection.ops.compose_sql(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN e.n >= %s THEN e.n ELSE (SELECT COUNT(*) FROM ("
            + sql
            + ") AS q) END, e.n >= %s FROM (SELECT juncture_count_estimate(%s) AS n) AS e",
            [threshold, *params, threshold, literal],
        )
        count, estimated = cursor.fetchone()
    return int(count), bool(estimated)


class EstimatedCountPaginator(Paginator):
    """A Paginator whose ``count`` is the planner's estimate for large querysets; the
    template shows "about" when ``estimated`` is true. A page past the real end is simply
    empty (the estimate may be a little high)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        count, self.estimated = count_or_estimate(self.object_list)
        return count


class EstimatedPageNumberPagination(PageNumberPagination):
    """The API's page-number pagination with an estimated ``count`` for large lists (at
    least ``ESTIMATE_ABOVE`` rows on PostgreSQL); ``next``/``previous`` are unchanged."""

    django_paginator_class = EstimatedCountPaginator
