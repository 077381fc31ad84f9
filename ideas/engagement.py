"""Engagement with an idea: supports, follows and comments.

Conventions as in ``ideas.services``. The counters on Idea are maintained here with F()
expressions (``ideas.services.idea_recount`` recomputes them from the rows):

- ``supports_employees`` / ``supports_customers``: supports by the supporting person's kind;
- ``comment_count``: **public, published** comments only (not internal, not held, rejected
  or hidden by a moderator), i.e. what every reader of the idea can see. Internal notes are not counted, so
  the number never leaks that staff discussed an idea.
"""

from __future__ import annotations

from copy import copy
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Kind
from accounts.rules import is_verified_or_staff
from core.compiled import compiled, fetch_prepared
from core.web import require_perm
from ideas import moderation
from ideas.models import Comment, Follow, Idea, Status, Support, _is_manager, _is_moderator
from ideas.notifications import notify_comment

# --- Supports and follows --------------------------------------------------------------------


def _support_counter(user) -> str:
    return "supports_customers" if user.kind == Kind.CUSTOMER else "supports_employees"


class SupportState(NamedTuple):
    """The outcome of a support write: whether a row was added/removed now, and the idea's
    counters right after it."""

    changed: bool
    supports_employees: int
    supports_customers: int


# PostgreSQL: the support row and its counter in ONE statement (one round trip, one commit):
# the INSERT … ON CONFLICT DO NOTHING (or the DELETE) says whether a row really changed, the
# UPDATE moves the counter only then (the row lock on the idea orders concurrent writers),
# and the final SELECT returns the counters after it (the idea's row as it was when nothing
# changed). Concurrent duplicates wait on the unique index and then change nothing.
_SUPPORT_ADD_SQL = """
WITH changed AS (
    INSERT INTO {support} (idea_id, user_id, created_at) VALUES (%(idea)s, %(user)s, %(now)s)
    ON CONFLICT (idea_id, user_id) DO NOTHING RETURNING idea_id
), upd AS (
    UPDATE {idea} SET {field} = {field} + 1 WHERE id IN (SELECT idea_id FROM changed)
    RETURNING supports_employees, supports_customers
)
SELECT EXISTS (SELECT 1 FROM changed),
       COALESCE(u.supports_employees, i.supports_employees),
       COALESCE(u.supports_customers, i.supports_customers)
FROM {idea} i LEFT JOIN upd u ON TRUE WHERE i.id = %(idea)s
"""
_SUPPORT_REMOVE_SQL = """
WITH changed AS (
    DELETE FROM {support} WHERE idea_id = %(idea)s AND user_id = %(user)s RETURNING idea_id
), upd AS (
    -- the guard keeps a PositiveIntegerField from going below zero if counters drifted
    UPDATE {idea} SET {field} = {field} - 1
    WHERE id IN (SELECT idea_id FROM changed) AND {field} > 0
    RETURNING supports_employees, supports_customers
)
SELECT EXISTS (SELECT 1 FROM changed),
       COALESCE(u.supports_employees, i.supports_employees),
       COALESCE(u.supports_customers, i.supports_customers)
FROM {idea} i LEFT JOIN upd u ON TRUE WHERE i.id = %(idea)s
"""


def _support_write_postgres(*, idea: Idea, user, add: bool) -> SupportState:
    sql = (_SUPPORT_ADD_SQL if add else _SUPPORT_REMOVE_SQL).format(
        support=Support._meta.db_table,
        idea=Idea._meta.db_table,
        field=_support_counter(user),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"idea": idea.pk, "user": user.pk, "now": timezone.now()})
        row = cursor.fetchone()
    if row is None:  # the idea itself is gone
        return SupportState(False, 0, 0)
    return SupportState(bool(row[0]), row[1], row[2])


def support_set(*, idea: Idea, user, supported: bool, counters: bool = True) -> SupportState:
    """Support ``idea`` or withdraw the support (both idempotent); returns whether a row
    changed now and the counters afterwards (the API answers with them, no re-read).

    PostgreSQL: one statement (above). Elsewhere the portable path: the unique constraint
    decides races (of two concurrent inserts one fails with IntegrityError inside its
    savepoint and changes nothing); the counter moves only with a row that was really
    inserted or deleted, by an atomic ``F() ± 1``; then the counters are read (unless
    ``counters`` is False: they are then returned as 0).
    """
    if supported:
        require_perm(user, "ideas.support_idea", idea, message="You cannot support this idea.")
    if connection.vendor == "postgresql":
        return _support_write_postgres(idea=idea, user=user, add=supported)
    field = _support_counter(user)
    with transaction.atomic():
        if supported:
            try:
                with transaction.atomic():
                    Support.objects.create(idea=idea, user=user)
                changed = True
            except IntegrityError:
                changed = False
            if changed:
                Idea.objects.filter(pk=idea.pk).update(**{field: F(field) + 1})
        else:
            deleted, _ = Support.objects.filter(idea=idea, user=user).delete()
            changed = bool(deleted)
            if changed:
                Idea.objects.filter(pk=idea.pk, **{f"{field}__gt": 0}).update(
                    **{field: F(field) - 1}
                )
        values = counters and (
            Idea.objects.filter(pk=idea.pk)
            .values_list("supports_employees", "supports_customers")
            .first()
        )
    return SupportState(changed, *(values or (0, 0)))


# PostgreSQL, the API's toggle: the visibility filter, the permission and the write in ONE
# statement, so a toggle is the token lookup plus this (no read of the idea first). ``target``
# is ``Idea.objects.visible_to(user)`` for the one idea (compiled once per connection and kind
# of person, ``core.compiled``); ``allowed`` adds what ``ideas.support_idea`` asks of the idea
# (out in the open, not merged, not the person's own). When ``allowed`` is empty nothing is
# written and the caller takes the checked path, which answers 404 or 403 with the rule's
# reason; so this path can only ever do what the rules allow, never more.
_SUPPORT_ADD_VISIBLE_SQL = """
WITH target AS ({visible}), allowed AS (
    SELECT id FROM target WHERE status NOT IN (%s, %s) AND author_id IS DISTINCT FROM %s
), changed AS (
    INSERT INTO {support} (idea_id, user_id, created_at) SELECT id, %s, %s FROM allowed
    ON CONFLICT (idea_id, user_id) DO NOTHING RETURNING idea_id
), upd AS (
    UPDATE {idea} SET {field} = {field} + 1 WHERE id IN (SELECT idea_id FROM changed)
    RETURNING supports_employees, supports_customers
)
SELECT EXISTS (SELECT 1 FROM allowed), EXISTS (SELECT 1 FROM changed),
       COALESCE(u.supports_employees, i.supports_employees),
       COALESCE(u.supports_customers, i.supports_customers)
FROM {idea} i JOIN target t ON t.id = i.id LEFT JOIN upd u ON TRUE
"""
_SUPPORT_REMOVE_VISIBLE_SQL = """
WITH target AS ({visible}), changed AS (
    DELETE FROM {support} WHERE idea_id IN (SELECT id FROM target) AND user_id = %s
    RETURNING idea_id
), upd AS (
    UPDATE {idea} SET {field} = {field} - 1
    WHERE id IN (SELECT idea_id FROM changed) AND {field} > 0
    RETURNING supports_employees, supports_customers
)
SELECT TRUE, EXISTS (SELECT 1 FROM changed),
       COALESCE(u.supports_employees, i.supports_employees),
       COALESCE(u.supports_customers, i.supports_customers)
FROM {idea} i JOIN target t ON t.id = i.id LEFT JOIN upd u ON TRUE
"""
# Stand for the idea and the person in the compiled visibility filter (ids are positive).
_IDEA_SENTINEL = -7_919_104_263
_USER_SENTINEL = -7_919_104_267


def _visible_query(user):
    """``visible_to(user)`` narrowed to one idea, with sentinels for the idea and the person:
    its SQL depends only on the person's kind and roles, not on who they are."""
    stand_in = copy(user)
    stand_in.pk = _USER_SENTINEL
    return (
        Idea.objects.visible_to(stand_in)
        .filter(pk=_IDEA_SENTINEL)
        .order_by()
        .values_list("id", "author_id", "status")
    )


def support_set_visible(*, idea_id: int, user, supported: bool) -> SupportState | None:
    """The API's toggle in one statement on PostgreSQL (above): support idea ``idea_id`` or
    withdraw the support if ``user`` may see it (and, to support, may support it). Returns
    the state afterwards, or None when the caller must take the checked path (read the idea,
    then :func:`support_set`): not PostgreSQL, a superuser or a customer who has not
    verified their address (the rules decide those in Python), or the statement found the
    idea invisible (404 there) or refused (403 there, with the rule's reason)."""
    if connection.vendor != "postgresql" or user.is_superuser:
        return None
    if supported and not is_verified_or_staff(user):
        return None
    shape = (_is_manager(user), user.kind == Kind.CUSTOMER, _is_moderator(user))
    visible = compiled(
        connection.alias, ("ideas.support_visible", *shape), lambda: _visible_query(user)
    )
    bind = {_IDEA_SENTINEL: idea_id, _USER_SENTINEL: user.pk}
    tables = {
        "support": Support._meta.db_table,
        "idea": Idea._meta.db_table,
        "field": _support_counter(user),
    }
    now = timezone.now()
    if supported:
        sql = _SUPPORT_ADD_VISIBLE_SQL.format(visible=visible.sql, **tables)
        params = [
            *visible.bind(bind),
            Status.DRAFT.value,
            Status.MERGED.value,
            user.pk,
            user.pk,
            now,
        ]
    else:
        sql = _SUPPORT_REMOVE_VISIBLE_SQL.format(visible=visible.sql, **tables)
        params = [*visible.bind(bind), user.pk]
    # Prepared once per connection: planning this statement cost PostgreSQL more than
    # running it.
    rows = fetch_prepared(connection.alias, sql, params)
    row = rows[0] if rows else None
    if row is None or not row[0]:
        return None
    return SupportState(bool(row[1]), row[2], row[3])


def support_add(*, idea: Idea, user) -> bool:
    """Support ``idea`` (idempotent). Returns True if a support was added now."""
    return support_set(idea=idea, user=user, supported=True, counters=False).changed


def support_remove(*, idea: Idea, user) -> bool:
    """Withdraw a support (idempotent). Returns True if one was removed now."""
    return support_set(idea=idea, user=user, supported=False, counters=False).changed


def follow_set(*, idea: Idea, user, following: bool) -> bool:
    """Follow or unfollow (idempotent); returns whether the user follows afterwards."""
    if not following:
        Follow.objects.filter(idea=idea, user=user).delete()
        return False
    try:
        with transaction.atomic():
            Follow.objects.create(idea=idea, user=user)
    except IntegrityError:
        pass  # already following: a double click or a race, same outcome
    return True


# --- Comments ------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, idea: Idea, author, body: str, is_internal: bool = False) -> Comment:
    """Add a comment. Internal comments are for employees only and notify nobody outside;
    a public comment bumps ``comment_count`` and notifies the followers — unless it is held
    for a moderator (``ideas.moderation.comment_screen``: check ``comment.moderation``),
    which happens when it is published."""
    require_perm(author, "ideas.comment_idea", idea, message="You cannot comment on this idea.")
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = ["Write something first."]
    elif len(body) > 5000:
        errors["body"] = ["Keep it under 5000 characters."]
    if is_internal and not author.has_perm("ideas.add_internal_comment"):
        errors["is_internal"] = ["Only employees can write internal comments."]
    if errors:
        raise ValidationError(errors)
    comment = Comment.objects.create(idea=idea, author=author, body=body, is_internal=is_internal)
    if moderation.comment_screen(comment=comment):
        return comment
    if not is_internal:
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        notify_comment(idea=idea, comment=comment)
    return comment


def comment_hide(*, comment: Comment, actor, hidden: bool = True) -> Comment:
    """Hide (or show again) a comment; moderators only (``ideas.moderation.comment_hide``)."""
    return moderation.comment_hide(comment=comment, actor=actor, hidden=hidden)
