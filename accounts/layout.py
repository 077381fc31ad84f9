"""What every page's shared layout needs to know about the signed-in person, read once.

The navigation asks several rules (which need the person's groups and whether they sit on a
panel) and the bell shows the unread-notification count. Read one by one that is three queries
on every page; here they ride along with the query that loads the signed-in user
(``accounts.backends.EmailBackend.get_user``) as correlated subqueries, so the layout costs
no query of its own.

Apps to the right of ``accounts`` contribute their facts in ``AppConfig.ready()`` with
:func:`register` (``accounts`` never imports them): an attribute name and a function that
returns the expression to annotate. The attribute is the one the app's own code already
caches on the user object for the request (e.g. the rules' ``_scoring_is_panelist``), so the
code that reads it finds it set and runs no query; without it (a token-authenticated API
request, a user loaded another way) that code falls back to its own query, as before.

:func:`nav` is the template's view of the navigation: each permission asked once per
request, when the template first reads it (``accounts.context_processors.layout``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import OuterRef, StringAgg, Subquery, Value

# Group names never contain this (the unit separator), so it splits the aggregated names.
_SEPARATOR = "\x1f"
_GROUPS_ATTRIBUTE = "_layout_group_names"

_annotations: dict[str, Callable[[], Any]] = {}


def register(attribute: str, expression: Callable[[], Any]) -> None:
    """Load ``attribute`` with the signed-in user: ``expression()`` is annotated on the user
    query (correlated to the user row through ``OuterRef("pk")``)."""
    _annotations[attribute] = expression


def group_names(user_ref: str = "pk"):
    """The names of the groups of the user ``OuterRef(user_ref)``, joined (see :func:`unpack`)."""
    return Subquery(
        Group.objects.filter(user=OuterRef(user_ref))
        .order_by()
        .values("user")
        .annotate(names=StringAgg("name", delimiter=Value(_SEPARATOR)))
        .values("names")[:1]
    )


def annotations() -> dict[str, Any]:
    """Every registered expression, plus the person's group names."""
    return {_GROUPS_ATTRIBUTE: group_names()} | {
        name: expression() for name, expression in _annotations.items()
    }


# The signed-in user's query, compiled once per database connection object (those are per
# thread, so this is thread-safe): compiling three correlated subqueries costs several times
# what running them does, on every request.
_SENTINEL = -7_919_104_261
_CACHE_ATTRIBUTE = "_juncture_layout_user_query"


def load_user(model, user_id):
    """The user ``user_id`` with every registered fact, or None. One query; its SQL is
    compiled on the first call on each connection and reused."""
    try:
        user_id = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    alias = router.db_for_read(model)
    connection = connections[alias]
    cached = getattr(connection, _CACHE_ATTRIBUTE, None)
    if cached is None:
        names = [f.attname for f in model._meta.concrete_fields]
        facts = annotations()
        query = (
            model._default_manager.using(alias)
            .annotate(**facts)
            .filter(pk=_SENTINEL)
            .values_list(*names, *facts)
            .query
        )
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        cached = (compiler, sql, tuple(params), converters, names, list(facts))
        setattr(connection, _CACHE_ATTRIBUTE, cached)
    compiler, sql, params, converters, names, facts = cached
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id if p == _SENTINEL else p for p in params])
        rows = cursor.fetchall()
    if not rows:
        return None
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    row = rows[0]
    user = model.from_db(alias, names, row[: len(names)])
    for name, value in zip(facts, row[len(names) :], strict=True):
        setattr(user, name, value)
    unpack(user)
    return user


def unpack(user, names: str | None = None) -> None:
    """Turn the annotated group names (on ``user``, or given) into the cache django-rules
    reads for group checks."""
    names = user.__dict__.pop(_GROUPS_ATTRIBUTE, names)
    user._group_names_cache = set(names.split(_SEPARATOR)) if names else set()


# The navigation's links and labels, each the rule its view checks, by the same name.
NAV_PERMISSIONS = {
    "can_map": "insights.view_journey_map",
    "can_review": "scoring.review",
    "can_run_rounds": "scoring.manage_rounds",
    "can_dash": "insights.view_dashboard",
    "can_audit": "accounts.view_audit_log",
    "can_portfolio": "insights.view_portfolio",
    "can_accuracy": "insights.view_accuracy",
    "can_moderate": "ideas.moderate",
    "can_people": "accounts.manage_people",
    "can_feedback": "feedback.view_feedback",
    "can_styleguide": "accounts.view_styleguide",
    "is_manager": "accounts.manage_innovation",
    "is_reader": "accounts.view_dashboards",
}


class Nav:
    """``{{ nav.can_map }}``: each permission of :data:`NAV_PERMISSIONS` asked of the rules
    the first time a template reads it, then remembered for the request."""

    def __init__(self, user) -> None:
        self._user = user
        self._known: dict[str, bool] = {}

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_") or name not in NAV_PERMISSIONS:
            raise AttributeError(name)
        if name not in self._known:
            user = self._user
            # ``user.has_perm``, as ``{% has_perm %}`` does: active superusers pass every check.
            self._known[name] = bool(
                getattr(user, "is_authenticated", False) and user.has_perm(NAV_PERMISSIONS[name])
            )
        return self._known[name]


def nav(user) -> Nav:
    return Nav(user)
