"""Transactional outbox: a task for a worker is a row written with the change that causes it.

``enqueue(task, args=..., kwargs=..., task_id=...)`` is the one way services queue a Celery
task. It writes an ``OutboxMessage`` in the caller's transaction, so the message exists
exactly when the change does (a rollback drops both), and after the commit it tries one
publish inline, bounded by a short connection timeout and skipped altogether while the
broker is known to be down. A request therefore never waits on the broker and never fails
because of it.

Whatever the inline attempt did not deliver, the relay (``relay()``: the ``core.relay_outbox``
beat task every few seconds, and ``manage.py relay_outbox``) publishes later, with backoff
per row. Every publish of a row carries the row's ``task_id``, and rows are marked sent once
published, so a worker sees each message once; in the rare crash between a publish and the
mark, it sees the same task id twice, which is why every task stays idempotent.

With no broker (``task_always_eager``, the embedded default) "publishing" runs the task in
process, once: a task that raises is logged and left pending for the relay, it never fails
the request whose transaction already committed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from celery.result import denied_join_result
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# The relay leaves a new row to its inline attempt for this long (a process that dies
# between commit and publish leaves a row the relay picks up after it).
INLINE_WINDOW = timedelta(seconds=30)
# A row the relay has claimed is not claimed again before this (a relay killed mid-publish).
CLAIM_LEASE = timedelta(seconds=60)
BACKOFF_MAX_SECONDS = 300
_PAST_ANY_MAX_RETRIES = 1000

_broker_down_until = 0.0  # time.monotonic(); process-local


def enqueue(
    task: Any,
    *,
    args: Iterable[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    task_id: str | None = None,
    delay: timedelta | None = None,
) -> str:
    """Queue ``task`` (a task or its registered name) in the current transaction.

    Arguments must be JSON-serialisable (ids, never model instances). Returns the Celery
    task id the worker will see. ``delay``: the relay publishes it no sooner than that (no
    inline attempt); with no broker it still runs at once, there being nothing to wait in.
    """
    name = task if isinstance(task, str) else task.name
    eager = current_app.conf.task_always_eager
    skip_inline = _broker_recently_down()
    deferred = bool(delay) and not eager
    if deferred:
        available_at = timezone.now() + delay
    else:
        available_at = timezone.now() + (timedelta(0) if skip_inline else INLINE_WINDOW)
    row = OutboxMessage.objects.create(
        task_name=name,
        args=list(args),
        kwargs=dict(kwargs or {}),
        task_id=task_id or str(uuid.uuid4()),
        available_at=available_at,
    )
    if not deferred and (not skip_inline or eager):
        transaction.on_commit(lambda: _deliver_inline(row), robust=True)
    return row.task_id


@dataclass
class RelayResult:
    sent: int = 0
    failed: int = 0
    broker_down: bool = False


def relay(*, limit: int = 500) -> RelayResult:
    """Publish the pending rows that are due, oldest first; call it outside a transaction.

    If the broker cannot be reached, no row is touched (an outage is nobody's fault and
    costs no row a retry). A row whose publish fails backs off exponentially.
    """
    app = current_app
    now = timezone.now()
    due = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, available_at__lte=now)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    result = RelayResult()
    if not due:
        return result
    eager = app.conf.task_always_eager
    conn = None
    if not eager:
        try:
            conn = _connect(app)
        except Exception as exc:
            _note_broker_down(exc)
            result.broker_down = True
            return result
        _note_broker_up()
    try:
        for pk in due:
            # Claim with a conditional UPDATE, so two relays never publish the same row.
            claimed = OutboxMessage.objects.filter(
                pk=pk, sent_at__isnull=True, available_at__lte=now
            ).update(available_at=timezone.now() + CLAIM_LEASE, attempts=F("attempts") + 1)
            if not claimed:
                continue
            row = OutboxMessage.objects.get(pk=pk)
            try:
                if eager:
                    _run_in_process(app, row)
                else:
                    _publish(app, conn, row)
            except Exception as exc:
                result.failed += 1
                _back_off(row, exc)
                if not eager:
                    # The broker went away mid-batch: leave the rest for the next pass.
                    _note_broker_down(exc)
                    result.broker_down = True
                    break
                continue
            _mark_sent(row, attempted=False)
            result.sent += 1
    finally:
        if conn is not None:
            conn.release()
    if result.sent:
        logger.info("outbox relay published %s message(s)", result.sent)
    return result


def prune(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete sent rows older than ``older_than``; pending rows are never deleted."""
    deleted, _ = OutboxMessage.objects.filter(
        sent_at__isnull=False, sent_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


# --- internals -----------------------------------------------------------------------------


def _broker_recently_down() -> bool:
    return time.monotonic() < _broker_down_until


def _note_broker_up() -> None:
    global _broker_down_until
    _broker_down_until = 0.0


def _note_broker_down(exc: Exception) -> None:
    global _broker_down_until
    _broker_down_until = time.monotonic() + settings.OUTBOX_BROKER_RETRY_AFTER_SECONDS
    logger.warning("broker unavailable, outbox messages wait for the relay: %s", exc)


def _connect(app):
    """A fresh broker connection, or an exception within about the connect timeout.

    One attempt only: retrying is the relay's job, and kombu's default would retry forever.
    """
    timeout = settings.OUTBOX_PUBLISH_TIMEOUT_SECONDS
    # Also bounds a broker that accepts connections but stopped answering.
    conn = app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout},
    )
    try:
        conn.ensure_connection(max_retries=0, timeout=timeout, interval_start=0)
    except Exception:
        conn.release()
        raise
    return conn


def _publish(app, conn, row: OutboxMessage) -> None:
    # denied_join_result: this process will not wait for the result, so send_task must not
    # subscribe to it on the result backend (a Redis backend retries that for many seconds
    # when Redis is down). retry=False: the connection is already up; a failure here is the
    # relay's to retry.
    with denied_join_result():
        app.send_task(
            row.task_name,
            args=row.args,
            kwargs=row.kwargs,
            task_id=row.task_id,
            connection=conn,
            retry=False,
            add_to_parent=False,  # the relay task is no parent of what it forwards
        )


def _run_in_process(app, row: OutboxMessage) -> None:
    """Eager mode: run the task here, once. Its own retry schedule is skipped (the request
    is not held for it); a failure raises, so the row stays pending for the relay."""
    task = app.tasks[row.task_name]
    outcome = task.apply(
        args=row.args,
        kwargs=row.kwargs,
        task_id=row.task_id,
        # Past any max_retries: an autoretrying task gives up after this one run instead of
        # re-running eagerly (which would hold the request for the whole retry schedule).
        retries=_PAST_ANY_MAX_RETRIES,
        throw=False,
    )
    if outcome.failed():
        raise outcome.result


def _deliver_inline(row: OutboxMessage) -> None:
    """After the commit: one bounded attempt. Never raises (the change is committed)."""
    app = current_app
    try:
        if app.conf.task_always_eager:
            _run_in_process(app, row)
        else:
            if _broker_recently_down():
                _make_due(row)
                return
            conn = _connect(app)
            try:
                _publish(app, conn, row)
            finally:
                conn.release()
            _note_broker_up()
    except Exception as exc:
        if not app.conf.task_always_eager:
            _note_broker_down(exc)
        else:
            logger.exception("task %s (%s) failed in process", row.task_name, row.task_id)
        _make_due(row, exc)
        return
    _mark_sent(row)


def _make_due(row: OutboxMessage, exc: Exception | None = None) -> None:
    changes: dict[str, Any] = {"available_at": timezone.now()}
    if exc is not None:
        changes.update(attempts=F("attempts") + 1, last_error=_describe(exc))
    try:
        OutboxMessage.objects.filter(pk=row.pk, sent_at__isnull=True).update(**changes)
    except Exception:
        # The database went away too: the row stays pending and is picked up by the relay
        # once INLINE_WINDOW has passed.
        logger.exception("could not release outbox message %s", row.task_id)


def _back_off(row: OutboxMessage, exc: Exception) -> None:
    delay = min(2 ** max(row.attempts, 1), BACKOFF_MAX_SECONDS)
    OutboxMessage.objects.filter(pk=row.pk, sent_at__isnull=True).update(
        available_at=timezone.now() + timedelta(seconds=delay), last_error=_describe(exc)
    )
    logger.warning("outbox message %s (%s) failed: %s", row.task_id, row.task_name, exc)


def _mark_sent(row: OutboxMessage, *, attempted: bool = True) -> None:
    # ``attempted``: count this attempt (the relay counted its own when it claimed the row).
    changes: dict[str, Any] = {"sent_at": timezone.now(), "last_error": ""}
    if attempted:
        changes["attempts"] = F("attempts") + 1
    try:
        OutboxMessage.objects.filter(pk=row.pk, sent_at__isnull=True).update(**changes)
    except Exception:
        # Published but not marked: the relay publishes it again with the same task id,
        # which the idempotent task absorbs.
        logger.exception("could not mark outbox message %s sent", row.task_id)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]
