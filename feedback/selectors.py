"""Reads of the feedback app that other pages (the idea page, insights) include."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from feedback.models import FeedbackDay, FeedbackItem, FeedbackLink, RetainedCount
from ideas.models import LIVE_STATUSES, Idea, published
from journeys.models import Effect, Moment


def linked_items(idea):
    """Items linked to ``idea`` (newest first) with their stage and moment; staff only —
    check ``feedback.view_feedback`` before showing them."""
    return (
        FeedbackItem.objects.filter(links__idea=idea)
        .select_related("stage", "moment")
        .order_by("-received_on", "-id")
    )


def customers_by_idea(ids) -> dict[int, int]:
    """``{idea id: customers}`` the linked feedback adds to the ideas' ``customers_affected``
    (ids None: every idea): distinct pseudonymous customers of the linked items, plus those
    of linked items the retention purge removed. Two queries."""
    links = FeedbackLink.objects.exclude(item__customer_ref="")
    retained = RetainedCount.objects.filter(customers__gt=0)
    if ids is not None:
        ids = list(ids)
        links, retained = links.filter(idea_id__in=ids), retained.filter(idea_id__in=ids)
    counts = dict(
        links.order_by()
        .values("idea_id")
        .annotate(n=Count("item__customer_ref", distinct=True))
        .values_list("idea_id", "n")
    )
    for idea_id, n in retained.values_list("idea_id", "customers"):
        counts[idea_id] = counts.get(idea_id, 0) + n
    return counts


def has_linked(idea) -> bool:
    """Whether any feedback is linked to ``idea`` (or was, before the retention purge)."""
    return (
        FeedbackLink.objects.filter(idea=idea).exists()
        or RetainedCount.objects.filter(idea=idea, items__gt=0).exists()
    )


def has_linked_expression():
    """``has_linked`` as an expression on an idea query (``OuterRef("pk")``): the review
    gate asks it together with the idea's own evidence, in one query."""
    return Q(Exists(FeedbackLink.objects.filter(idea=OuterRef("pk")))) | Q(
        Exists(RetainedCount.objects.filter(idea=OuterRef("pk"), items__gt=0))
    )


# Linked items the idea page's evidence section lists (the rest are one click away).
PANEL_ITEMS = 5


def evidence_panel(idea, user) -> dict | None:
    """The linked feedback as a panel of the idea page's evidence section: staff only
    (customers never see feedback), None when nothing is linked. One query."""
    if not user.has_perm("feedback.view_feedback"):
        return None
    items = list(linked_items(idea)[: PANEL_ITEMS + 1])
    if not items:
        return None
    # Counted only when there are more than the panel shows (one query more).
    count = len(items) if len(items) <= PANEL_ITEMS else linked_items(idea).count()
    return {
        "template": "feedback/_idea_evidence.html",
        "summary": f" and {count} linked feedback item{'s' if count != 1 else ''}",
        "feedback_items": items[:PANEL_ITEMS],
        "feedback_more": count > PANEL_ITEMS,
    }


def customers_affected(idea) -> int:
    """Distinct pseudonymous customers behind the feedback linked to ``idea``, plus those of
    linked items the retention purge removed. (The idea's manual evidence figures are added
    by the idea page, which owns them.)"""
    live = (
        FeedbackLink.objects.filter(idea=idea)
        .exclude(item__customer_ref="")
        .aggregate(n=Count("item__customer_ref", distinct=True))["n"]
    )
    retained = RetainedCount.objects.filter(idea=idea).values_list("customers", flat=True)
    return live + sum(retained)


def top_verbatims(idea, limit: int = 3):
    """The most recent negative linked items first, for panelists scoring the idea: items
    whose ``text`` is masked at import, with ``channel`` (``get_channel_display``) and
    ``received_on``. One query."""
    return linked_items(idea).order_by("-is_negative", "-received_on", "-id")[:limit]


# The verbatims a new idea started from a painful moment takes as evidence.
PAIN_VERBATIMS = 5


def pain_key(moment_id: int, days: int) -> str:
    """The idea form's ``evidence_from`` key for a moment's top verbatims over ``days``."""
    return f"feedback:moment:{moment_id}:{days}"


def parse_pain_key(key: str) -> tuple[int, int] | None:
    parts = (key or "").split(":")
    if len(parts) != 4 or parts[:2] != ["feedback", "moment"]:
        return None
    if not (parts[2].isdigit() and parts[3].isdigit()):
        return None
    return int(parts[2]), min(int(parts[3]), 3660)


def moment_verbatims(moment_id: int, days: int, limit: int = PAIN_VERBATIMS):
    """The top verbatims of a moment: its negative items of the last ``days`` days, the
    scored ones first (NPS 0 before 6), then the newest. Texts are masked."""
    _, current, today = periods(days)
    return FeedbackItem.objects.filter(
        moment_id=moment_id, is_negative=True, received_on__gte=current, received_on__lte=today
    ).order_by(F("score").asc(nulls_last=True), "-received_on", "-id")[:limit]


def describe_pain_evidence(key: str, user) -> str | None:
    """What the idea form will attach for ``key`` (None: nothing, or not this user's)."""
    parsed = parse_pain_key(key)
    if parsed is None or not user.has_perm("feedback.link_feedback"):
        return None
    moment = Moment.objects.filter(pk=parsed[0]).first()
    if moment is None:
        return None
    n = len(moment_verbatims(*parsed))
    if not n:
        return None
    return (
        f"The {n} most telling negative feedback item{'s' if n != 1 else ''} about "
        f"“{moment.name}” (last {parsed[1]} days, masked) will be linked to this idea as "
        "evidence of the need."
    )


def customer_items(customer_ref: str):
    """One pseudonymous customer's items across channels, in time order."""
    return (
        FeedbackItem.objects.filter(customer_ref=customer_ref)
        .select_related("stage", "moment")
        .prefetch_related("links")
        .order_by("received_on", "id")
    )


def periods(days: int, today: date | None = None) -> tuple[date, date, date]:
    """(start of the previous period, start of the current period, today)."""
    today = today or timezone.localdate()
    current = today - timedelta(days=days - 1)
    return current - timedelta(days=days), current, today


def journey_overlay(journey, *, days: int = 90, today: date | None = None) -> dict:
    """Per stage and per moment of ``journey``: volume in the current period, the share
    negative and the trend against the previous period of the same length; plus the
    "pain without an idea" list. Two aggregate queries, whatever the number of items; on
    PostgreSQL the first reads the daily roll-up (``FeedbackDay``), elsewhere the items."""
    previous, current, today = periods(days, today)
    if connection.vendor == "postgresql":
        # The roll-up the triggers keep (one row per stage, moment and day), not the items.
        now_q = Q(day__gte=current)
        rows = (
            FeedbackDay.objects.filter(stage__journey=journey, day__gte=previous, day__lte=today)
            .values("stage_id", "moment_key")
            .annotate(
                now_volume=Coalesce(Sum("volume", filter=now_q), 0),
                now_negative=Coalesce(Sum("negative", filter=now_q), 0),
                before_volume=Coalesce(Sum("volume", filter=~now_q), 0),
            )
        )
        rows = [
            {
                "stage_id": r["stage_id"],
                "moment_id": r["moment_key"] or None,
                "volume": r["now_volume"],
                "negative": r["now_negative"],
                "before": r["before_volume"],
            }
            for r in rows
        ]
    else:
        now_q = Q(received_on__gte=current)
        rows = (
            FeedbackItem.objects.filter(
                stage__journey=journey, received_on__gte=previous, received_on__lte=today
            )
            .values("stage_id", "moment_id")
            .annotate(
                volume=Count("id", filter=now_q),
                negative=Count("id", filter=now_q & Q(is_negative=True)),
                before=Count("id", filter=~now_q),
            )
        )
    stages: dict[int, dict] = {}
    moments: dict[int, dict] = {}
    for row in rows:
        for table, key in ((stages, row["stage_id"]), (moments, row["moment_id"])):
            if key is None:
                continue
            cell = table.setdefault(key, {"volume": 0, "negative": 0, "before": 0})
            for f in ("volume", "negative", "before"):
                cell[f] += row[f]
    for cell in [*stages.values(), *moments.values()]:
        cell["negative_share"] = cell["negative"] / cell["volume"] if cell["volume"] else None
        cell["trend"] = (
            (cell["volume"] - cell["before"]) / cell["before"] if cell["before"] else None
        )
    live_idea = Idea.objects.filter(published(), status__in=LIVE_STATUSES, moment=OuterRef("pk"))
    pain = []
    for moment in (
        Moment.objects.filter(stage__journey=journey, effect=Effect.DESTROYS_VALUE)
        .annotate(has_idea=Exists(live_idea))
        .filter(has_idea=False)
        .select_related("stage")
    ):
        cell = moments.get(moment.pk)
        if cell and cell["negative"]:
            pain.append({"moment": moment, **cell})
    pain.sort(key=lambda p: (-p["negative"], -p["moment"].severity, p["moment"].pk))
    return {
        "stages": stages,
        "moments": moments,
        "pain": pain,
        "period": {"previous": previous, "current": current, "today": today, "days": days},
    }
