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
# The board counts exactly up to this many ideas and then says "1000+": an exact figure for
# a search matching 5,000 ideas visits all 5,000 rows (the planner's estimate, used above
# ESTIMATE_ABOVE, is too rough for so few).
EXACT_UP_TO = 1000


def count_or_estimate(
    queryset: QuerySet, threshold: int | None = None, up_to: int | None = None
) -> tuple[int, bool]:
    """``(count, estimated)`` for ``queryset`` in one query: the planner's estimate when it is
    at least ``threshold`` rows (PostgreSQL only), else the exact count — or, with
    ``up_to``, the exact count of at most ``up_to + 1`` rows (more than ``up_to`` means
    "more than ``up_to``")."""
    threshold = ESTIMATE_ABOVE if threshold is None else threshold
    connection = connections[queryset.db]
    ids = queryset.order_by().values_list("pk")
    counted = ids if up_to is None else ids[: up_to + 1]
    if connection.vendor != "postgresql":
        return counted.count(), False
    # Only the ids: no select_related joins, no ordering (the estimate is the same).
    try:
        sql, params = ids.query.sql_with_params()
        count_sql, count_params = counted.query.sql_with_params()
    except EmptyResultSet:  # .none() or an impossible filter: nothing to count
        return 0, False
    literal = connection.ops.compose_sql(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN e.n >= %s THEN e.n ELSE (SELECT COUNT(*) FROM ("
            + count_sql
            + ") AS q) END, e.n >= %s FROM (SELECT juncture_count_estimate(%s) AS n) AS e",
            [threshold, *count_params, threshold, literal],
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


class CappedCountPaginator(EstimatedCountPaginator):
    """The board's paginator: like :class:`EstimatedCountPaginator`, but below the estimate's
    threshold it counts at most :data:`EXACT_UP_TO` ideas (or up to the page asked for, if
    that is further), so a search matching 5,000 ideas does not visit all 5,000 to print
    their number. ``capped`` says the list is longer than ``count_shown`` (the page then
    says "1000+ ideas" and "Page 1 of 50+"); ``count`` is then ``count_shown + 1``, so the
    last counted page still offers the next one."""

    capped = False
    # The page asked for (``get_page`` sets it before the count is read).
    wanted = 1

    def get_page(self, number):
        try:
            # Bounded: an absurd ?page= must not become an absurd LIMIT.
            self.wanted = min(max(1, int(number)), ESTIMATE_ABOVE)
        except (TypeError, ValueError):
            self.wanted = 1
        return super().get_page(number)

    @cached_property
    def count_shown(self) -> int:
        return max(EXACT_UP_TO, self.wanted * self.per_page)

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return Paginator.count.func(self)
        count, self.estimated = count_or_estimate(self.object_list, up_to=self.count_shown)
        self.capped = not self.estimated and count > self.count_shown
        return count

    @property
    def pages_shown(self) -> int:
        """The pages known to be full when ``capped`` ("of 50+")."""
        return self.count_shown // self.per_page


class EstimatedPageNumberPagination(PageNumberPagination):
    """The API's page-number pagination with an estimated ``count`` for large lists (at
    least ``ESTIMATE_ABOVE`` rows on PostgreSQL); ``next``/``previous`` are unchanged."""

    django_paginator_class = EstimatedCountPaginator
