"""Evidence of the customer need: adding it, and reading it as each person may.

An idea needs at least one piece of evidence to enter review (``ideas.workflow``). The idea
carries two counters, ``evidence_count`` and ``customers_affected`` (the sum), updated here in
the same transaction as the row, so lists and the API never count rows per idea.

Apps to the right of ``ideas`` hold evidence too (customer feedback linked to an idea): they
register an :class:`EvidenceSource`, whose customers ``customers_affected`` adds to the manual
figures (:func:`customers_recount`), whose rows meet the review gate, and whose panel the idea
page shows in its evidence section.

Who sees what: employees and managers read every piece of evidence of an idea they can see;
a customer reads only what they added themselves (and the counts on the idea).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Kind
from core.web import require_perm
from ideas.models import Evidence, EvidenceKind, Idea
from ideas.uploads import validate_upload


def evidence_visible(*, idea: Idea, user) -> QuerySet[Evidence]:
    """The evidence of ``idea`` that ``user`` may read, newest first, with who added it.
    No query at all when the idea has none (the counter says so)."""
    if idea.evidence_count == 0:
        return Evidence.objects.none()
    return Evidence.objects.visible_to(user, idea).select_related("added_by")


@transaction.atomic
def evidence_add(
    *,
    idea: Idea,
    added_by,
    kind: str,
    summary: str,
    customers_affected: int | None = None,
    source_url: str = "",
    observed_on: datetime.date | None = None,
    attachment: UploadedFile | None = None,
) -> Evidence:
    """Add one piece of evidence and move the idea's counters with it.

    Authors, owners and managers add any kind. A customer adds their own story: the kind
    must be ``other`` and it speaks for one customer (themselves). The attachment is checked
    like an idea's attachments. Raises ValidationError keyed by field (nothing written) or
    PermissionDenied.
    """
    require_perm(added_by, "ideas.add_evidence", idea, message="You cannot add evidence here.")
    errors: dict[str, list[str]] = {}
    if added_by.kind == Kind.CUSTOMER:
        if kind != EvidenceKind.OTHER:
            errors["kind"] = ["Customers add their own story: choose “other”."]
        if customers_affected not in (None, 1):
            errors["customers_affected"] = ["Your own story speaks for one customer: you."]
        customers_affected = 1
    if observed_on is not None and observed_on > timezone.localdate():
        errors.setdefault("observed_on", []).append("This date is in the future.")
    evidence = Evidence(
        idea=idea,
        kind=kind,
        summary=(summary or "").strip(),
        customers_affected=1 if customers_affected is None else customers_affected,
        source_url=(source_url or "").strip(),
        observed_on=observed_on,
        added_by=added_by,
    )
    if len(evidence.summary) > 2000:
        errors["summary"] = ["At most 2,000 characters."]
    try:
        evidence.full_clean(exclude=["idea", "added_by", "attachment"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if attachment is not None:
        try:
            evidence.attachment_name, evidence.attachment_type = validate_upload(attachment)
        except ValidationError as exc:
            errors.setdefault("attachment", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if attachment is not None:
        attachment.seek(0)
        # The stored name is random (``evidence_upload_to``); the given name keeps only the
        # extension there.
        evidence.attachment.save(
            evidence.attachment_name,
            File(attachment, name=evidence.attachment_name),
            save=False,
        )
    evidence.save()
    # F() expressions: concurrent additions to the same idea both count.
    Idea.objects.filter(pk=idea.pk).update(
        evidence_count=F("evidence_count") + 1,
        customers_affected=F("customers_affected") + evidence.customers_affected,
    )
    idea.evidence_count += 1
    idea.customers_affected += evidence.customers_affected
    return evidence


# --- Evidence held by other apps -----------------------------------------------------------


@dataclass(frozen=True)
class EvidenceSource:
    """Evidence of the need that an app to the right of ``ideas`` holds (customer feedback
    linked to an idea, for one). The app registers it in its ``AppConfig.ready()`` with
    :func:`register_evidence_source`; ``ideas`` never imports that app.

    - ``customers(ids)``: ``{idea id: customers}`` the source adds to ``customers_affected``
      (ids None: every idea); ideas it adds nothing to may be left out.
    - ``exists(idea)``: whether the idea has any of this evidence (the review gate).
    - ``exists_expression()``: optional, the same fact as a boolean expression on an idea
      query (correlated through ``OuterRef("pk")``), so the gate asks every source and the
      idea's own evidence in one query (:func:`has_evidence`).
    - ``panel(idea, user)``: what the idea page's evidence section shows of it to ``user``,
      as ``{"template": ..., "summary": ..., **context}`` (the template is included with
      ``panel`` in its context; ``summary`` continues the section's "N pieces of evidence"
      line), or None (nothing to show, or not theirs to see).
    - ``describe(key, user)`` / ``attach(idea, key, actor)``: evidence a new idea starts with,
      named by a key the source made (``"<source name>:…"``, carried by the idea form):
      a sentence saying what will be attached (None: nothing, or not for this user), and
      attaching it (returns how many pieces). Both optional.
    """

    name: str
    customers: Callable[[Iterable[int] | None], dict[int, int]]
    exists: Callable[[Idea], bool]
    panel: Callable[[Idea, Any], dict | None]
    describe: Callable[[str, Any], str | None] | None = None
    attach: Callable[[Idea, str, Any], int] | None = None
    exists_expression: Callable[[], Any] | None = None


_SOURCES: dict[str, EvidenceSource] = {}


def register_evidence_source(source: EvidenceSource) -> None:
    """Register (or replace, by name) a source of evidence held by another app."""
    _SOURCES[source.name] = source


def evidence_sources() -> list[EvidenceSource]:
    return list(_SOURCES.values())


# Annotations of an idea query (:func:`evidence_flags`): are there evidence rows of the
# idea's own, and rows of each registered source.
_OWN_FLAG = "evidence_own_exists"


def _source_flag(source: EvidenceSource) -> str:
    return f"evidence_{source.name}_exists"


def evidence_flags() -> dict[str, Any]:
    """``annotate(**evidence_flags())`` on the idea page's idea query: whether the idea has
    evidence rows of its own and, per registered source with an ``exists_expression``, rows
    of that source. With them :func:`has_evidence` (the review gate the page asks) reads no
    more, and :func:`evidence_panels` skips a source that holds nothing without asking it."""
    flags = {_OWN_FLAG: Exists(Evidence.objects.filter(idea=OuterRef("pk")))}
    for source in _SOURCES.values():
        if source.exists_expression:
            flags[_source_flag(source)] = ExpressionWrapper(
                source.exists_expression(), output_field=BooleanField()
            )
    return flags


def has_evidence(idea: Idea) -> bool:
    """Whether the idea has a piece of evidence of its own or from a registered source: the
    rows, never the counter (a gate must not trust a number that could drift). One query
    when every source gives its ``exists_expression``, else one more per other source; none
    when the idea was read with :func:`evidence_flags` (the rows, asked in that query)."""
    if hasattr(idea, _OWN_FLAG):
        sources = _SOURCES.values()
        if getattr(idea, _OWN_FLAG) or any(getattr(idea, _source_flag(s), False) for s in sources):
            return True
        return any(s.exists(idea) for s in sources if not hasattr(idea, _source_flag(s)))
    expressions = [s.exists_expression for s in _SOURCES.values() if s.exists_expression]
    found = Q(Exists(Evidence.objects.filter(idea=OuterRef("pk"))))
    for expression in expressions:
        found |= Q(expression())
    if Idea.objects.filter(pk=idea.pk).filter(found).exists():
        return True
    return any(s.exists(idea) for s in _SOURCES.values() if not s.exists_expression)


def source_customers(ids: Iterable[int] | None) -> dict[int, int]:
    """``{idea id: customers}`` every registered source adds to the manual figures."""
    ids = None if ids is None else list(ids)
    total: dict[int, int] = {}
    for source in _SOURCES.values():
        for pk, n in source.customers(ids).items():
            total[pk] = total.get(pk, 0) + n
    return total


@transaction.atomic
def customers_recount(*, ids: Iterable[int]) -> None:
    """Recompute ``customers_affected`` of these ideas from the rows: the manual evidence
    figures plus what the registered sources add. Sources call it when their evidence of an
    idea changes (a feedback item linked or unlinked). The ideas' rows are locked first, so
    evidence added at the same time is counted once, after this."""
    ids = sorted(set(ids))
    if not ids:
        return
    list(Idea.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    manual = dict(
        Evidence.objects.filter(idea_id__in=ids)
        .order_by()
        .values("idea_id")
        .annotate(n=Sum("customers_affected"))
        .values_list("idea_id", "n")
    )
    extra = source_customers(ids)
    for pk in ids:
        Idea.objects.filter(pk=pk).update(
            customers_affected=(manual.get(pk) or 0) + extra.get(pk, 0)
        )


def evidence_panels(*, idea: Idea, user) -> list[dict]:
    """What the registered sources show in the idea page's evidence section to ``user`` (a
    source the idea's :func:`evidence_flags` say holds nothing of it is not asked)."""
    return [
        p
        for s in _SOURCES.values()
        if getattr(idea, _source_flag(s), True) and (p := s.panel(idea, user)) is not None
    ]


def evidence_from_describe(key: str, user) -> str | None:
    """What the idea form will attach from ``key`` for ``user`` (None: nothing)."""
    source = _SOURCES.get((key or "").split(":", 1)[0])
    if source is None or source.describe is None:
        return None
    return source.describe(key, user)


def evidence_from_attach(*, idea: Idea, key: str, actor) -> int:
    """Attach the evidence ``key`` names to a new idea (0 when the key names nothing this
    actor may attach: the idea is created all the same)."""
    source = _SOURCES.get((key or "").split(":", 1)[0])
    if source is None or source.attach is None:
        return 0
    return source.attach(idea, key, actor)
