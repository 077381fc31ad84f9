"""Evidence of the customer need: adding it, and reading it as each person may.

An idea needs at least one piece of evidence to enter review (``ideas.workflow``). The idea
carries two counters, ``evidence_count`` and ``customers_affected`` (the sum), updated here in
the same transaction as the row, so lists and the API never count rows per idea.

Who sees what: employees and managers read every piece of evidence of an idea they can see;
a customer reads only what they added themselves (and the counts on the idea).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
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
