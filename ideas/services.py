"""Writes of an idea itself: submit, edit, owner, merge, counters, attachments, and the
workflow entry point ``idea_transition``. HTML views, the API, commands, tasks and other apps
call these. Supports, follows and comments are in ``ideas.engagement``, notifications in
``ideas.notifications``, campaigns in ``ideas.campaigns``.

Conventions (all of those modules): keyword-only arguments; ``ValidationError`` (a dict keyed
by field where a field is at fault) for bad input, ``PermissionDenied`` when the actor may not
do this, ``TransitionError`` when the workflow refuses. Nothing is written when any of them is
raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Kind, User
from core.web import require_perm
from ideas import moderation
from ideas.engagement import follow_set
from ideas.evidence import evidence_add, evidence_from_attach, source_customers
from ideas.models import (
    OPEN,
    Attachment,
    Campaign,
    Comment,
    Evidence,
    Follow,
    Horizon,
    Idea,
    IdeaTransition,
    InnovationType,
    Moderation,
    Origin,
    Status,
    Support,
    ValueConfidence,
)
from ideas.notifications import notify_followers
from ideas.uploads import validate_upload
from ideas.workflow import TransitionError, transition_apply

# --- Workflow ------------------------------------------------------------------------------


def idea_transition(
    *,
    idea: Idea,
    to: str,
    actor,
    reason: str = "",
    override: bool = False,
    expected_from: str | None = None,
    internal_note: str = "",
) -> IdeaTransition:
    """Move an idea through the stage-gate workflow (``ideas.workflow.transition_apply``
    checks the graph and the gates and writes the log).

    This is the entry point every caller uses (views, API, scoring, budgets): it is where the
    side effects of a status change hang — followers get an in-app notification, and an
    e-mail queued on commit. Raises TransitionError (and changes nothing) when refused.
    """
    with transaction.atomic():
        transition = transition_apply(
            idea=idea,
            to=to,
            actor=actor,
            reason=reason,
            override=override,
            expected_from=expected_from,
            internal_note=internal_note,
        )
        moved = transition.idea
        if transition.from_status == Status.DRAFT and transition.to_status == Status.SUBMITTED:
            # Out of draft: a pre-moderated campaign or suspect text holds it for review
            # (then the followers' notice below reaches the author only).
            moderation.idea_screen(idea=moved, premoderate=True)
        notify_followers(
            idea=moved,
            verb="status_changed",
            message=(
                f"“{moved.title[:120]}” moved from "
                f"{Status(transition.from_status).label.lower()} to "
                f"{Status(transition.to_status).label.lower()}."
            ),
            actor=actor,
        )
    return transition


# --- Ideas ---------------------------------------------------------------------------------

UPDATABLE = {
    "title",
    "customer_need",
    "proposal",
    "innovation_type",
    "horizon",
    "stage",
    "moment",
    "campaign",
    "is_anonymous",
    "estimated_cost",
    "expected_value",
}


# Fields staff see and write; customers do neither (the form hides them, the API refuses).
INTERNAL_FIELDS = {"estimated_cost", "expected_value"}


def _check_placement(idea: Idea, errors: dict) -> None:
    """A moment belongs to one stage: pick the stage from the moment, or refuse a mismatch."""
    if idea.moment_id is None:
        return
    if idea.stage_id is None:
        idea.stage_id = idea.moment.stage_id
    elif idea.moment.stage_id != idea.stage_id:
        errors.setdefault("moment", []).append(
            "This moment belongs to another journey stage: choose a moment of the chosen stage."
        )


def _check_campaign(campaign: Campaign | None, author, errors: dict) -> None:
    if campaign is None:
        return
    if not campaign.is_open():
        errors.setdefault("campaign", []).append("This campaign is closed and takes no new ideas.")
    elif not campaign.accepts(author):
        errors.setdefault("campaign", []).append("This campaign is not open to you.")


def _full_clean(idea: Idea, errors: dict) -> None:
    try:
        idea.full_clean(exclude=["author", "search_vector"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if idea.estimated_cost is not None and idea.estimated_cost < 0:
        errors.setdefault("estimated_cost", []).append("A cost cannot be negative.")


@transaction.atomic
def idea_submit(
    *,
    author,
    title: str,
    customer_need: str,
    innovation_type: str,
    horizon: str = Horizon.CORE,
    proposal: str = "",
    stage=None,
    moment=None,
    campaign: Campaign | None = None,
    is_anonymous: bool = False,
    estimated_cost: Decimal | None = None,
    expected_value: Decimal | None = None,
    draft: bool = False,
    files: Iterable[UploadedFile] = (),
    evidence_from: str = "",
) -> Idea:
    """Create an idea as a draft, or submitted (``draft=False``), with its attachments
    and, when ``evidence_from`` names some (a key a registered evidence source made, such
    as the top verbatims of a painful moment), the evidence it starts with.

    The author follows it automatically; ``origin`` comes from the author's kind. The
    campaign must be open and its audience must include the author. Raises ValidationError
    keyed by field (nothing saved, no file written) when anything is wrong.
    """
    require_perm(author, "ideas.add_idea")
    if estimated_cost is not None or expected_value is not None:
        require_perm(
            author,
            "ideas.set_internal_fields",
            message="Only employees set an estimated cost or an expected value.",
        )
    idea = Idea(
        title=(title or "").strip(),
        customer_need=(customer_need or "").strip(),
        proposal=(proposal or "").strip(),
        innovation_type=innovation_type,
        horizon=horizon or Horizon.CORE,
        stage=stage,
        moment=moment,
        campaign=campaign,
        author=author,
        is_anonymous=bool(is_anonymous),
        origin=Origin.CUSTOMER if author.kind == Kind.CUSTOMER else Origin.EMPLOYEE,
        status=Status.DRAFT,
        estimated_cost=estimated_cost,
        expected_value=expected_value,
    )
    errors: dict[str, list[str]] = {}
    _check_placement(idea, errors)
    _check_campaign(campaign, author, errors)
    _full_clean(idea, errors)
    files = list(files)
    if len(files) > settings.ATTACHMENTS_PER_IDEA:
        errors.setdefault("attachments", []).append(
            f"An idea holds at most {settings.ATTACHMENTS_PER_IDEA} files."
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, validate_upload(upload)))
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    idea.save()
    IdeaTransition.objects.create(
        idea=idea, from_status="", to_status=Status.DRAFT, actor=author, at=idea.created_at
    )
    Follow.objects.create(idea=idea, user=author)
    for upload, (name, content_type) in checked:
        _attachment_save(idea=idea, upload=upload, name=name, content_type=content_type, by=author)
    if evidence_from:
        evidence_from_attach(idea=idea, key=evidence_from, actor=author)
    if not draft:
        idea_transition(idea=idea, to=Status.SUBMITTED, actor=author)
        idea.refresh_from_db()
    return idea


@transaction.atomic
def idea_submit_with_evidence(*, author, evidence: dict | None = None, **fields) -> Idea:
    """``idea_submit`` and, in the same transaction, the first piece of evidence of the need
    (``evidence``: the keyword arguments of ``ideas.evidence.evidence_add``), as the guided
    submission asks for both. A ValidationError from the evidence names its fields with the
    ``evidence_`` prefix (``evidence_summary``), and nothing is saved."""
    idea = idea_submit(author=author, **fields)
    if evidence:
        try:
            evidence_add(idea=idea, added_by=author, **evidence)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError(
                    {f"evidence_{k}": v for k, v in exc.error_dict.items()}
                ) from exc
            raise
    return idea


@transaction.atomic
def idea_update(*, idea: Idea, actor, **changes) -> Idea:
    """Change an idea's content. Authors may while it is a draft or submitted; managers any
    time. Unknown fields are refused. A campaign change must be accepted for the author."""
    require_perm(actor, "ideas.change_idea", idea, message="You can no longer change this idea.")
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError({f: ["This field cannot be changed."] for f in sorted(unknown)})
    if set(changes) & INTERNAL_FIELDS:
        require_perm(
            actor,
            "ideas.set_internal_fields",
            message="Only employees set an estimated cost or an expected value.",
        )
    old_campaign_id = idea.campaign_id
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(idea, field, value)
    moved_stage = "stage" in changes and "moment" not in changes
    if moved_stage and idea.moment_id is not None and idea.moment.stage_id != idea.stage_id:
        idea.moment = None
    errors: dict[str, list[str]] = {}
    _check_placement(idea, errors)
    if idea.campaign_id != old_campaign_id and not actor.has_perm("accounts.manage_innovation"):
        _check_campaign(idea.campaign, idea.author, errors)
    _full_clean(idea, errors)
    if errors:
        raise ValidationError(errors)
    idea.save()
    if actor.pk == idea.author_id:
        # An author's edit is screened again (text only: no second pre-moderation).
        moderation.idea_screen(idea=idea, premoderate=False)
    return idea


@transaction.atomic
def idea_set_owner(*, idea: Idea, owner, actor) -> Idea:
    """Name the one accountable person (an employee). The owner follows the idea."""
    require_perm(actor, "ideas.set_owner", idea, message="Only innovation managers set owners.")
    if owner is not None and (owner.kind != Kind.STAFF or not owner.is_active):
        raise ValidationError({"owner": ["The accountable owner must be an active employee."]})
    Idea.objects.filter(pk=idea.pk).update(
        owner=owner, updated_at=timezone.now()
    )  # no save(): counters may have moved since the idea was read
    previous = idea.owner
    idea.owner = owner
    audit_record(
        actor=actor,
        action="idea.owner",
        target=idea,
        summary=f"Idea #{idea.pk}: owner {previous.email if previous else 'none'} → "
        f"{owner.email if owner else 'none'}",
        data={
            "from": previous.pk if previous else None,
            "to": owner.pk if owner else None,
            "title": idea.title,
            "owner_name": owner.display_name if owner else None,
        },
    )
    if owner is not None:
        follow_set(idea=idea, user=owner, following=True)
    return idea


@transaction.atomic
def idea_confirm_type(
    *,
    idea: Idea,
    actor,
    innovation_type: str,
    horizon: str,
    type_confirmed: bool = True,
    horizon_confirmed: bool = True,
) -> Idea:
    """A manager confirms (or corrects) the innovation type and the horizon the submitter
    proposed, usually at screening. Audited with the before and after values: the budgets'
    strict figure counts confirmed types only."""
    require_perm(
        actor, "ideas.confirm_type", idea, message="Only innovation managers confirm the type."
    )
    errors: dict[str, list[str]] = {}
    if innovation_type not in InnovationType.values:
        errors["innovation_type"] = ["Choose an innovation type."]
    if horizon not in Horizon.values:
        errors["horizon"] = ["Choose a horizon."]
    if idea.status == Status.DRAFT:
        errors.setdefault("__all__", []).append("A draft is confirmed once it is submitted.")
    if errors:
        raise ValidationError(errors)
    before = {
        "innovation_type": idea.innovation_type,
        "horizon": idea.horizon,
        "type_confirmed": idea.type_confirmed,
        "horizon_confirmed": idea.horizon_confirmed,
    }
    after = {
        "innovation_type": innovation_type,
        "horizon": horizon,
        "type_confirmed": bool(type_confirmed),
        "horizon_confirmed": bool(horizon_confirmed),
    }
    # An UPDATE, not save(): the counters may have moved since the idea was read.
    Idea.objects.filter(pk=idea.pk).update(**after, updated_at=timezone.now())
    for field, value in after.items():
        setattr(idea, field, value)
    audit_record(
        actor=actor,
        action="idea.confirm_type",
        target=idea,
        summary=(
            f"Idea #{idea.pk}: type {after['innovation_type']}"
            f"{' (confirmed)' if after['type_confirmed'] else ''}, horizon {after['horizon']}"
            f"{' (confirmed)' if after['horizon_confirmed'] else ''}"
        ),
        data={"before": before, "after": after},
    )
    return idea


@transaction.atomic
def idea_set_expected_value(
    *,
    idea: Idea,
    actor,
    expected_revenue_generated: Decimal | None = None,
    expected_revenue_protected: Decimal | None = None,
    value_confidence: str = "",
    non_financial: bool = False,
    kpi: str = "",
) -> Idea:
    """Record what the idea is expected to be worth per year (staff-only facts, read by the
    approval gate): a revenue figure, or non-financial with a named KPI. Audited."""
    require_perm(
        actor,
        "ideas.set_expected_value",
        idea,
        message="Only innovation managers set the expected value.",
    )
    values = {
        "expected_revenue_generated": expected_revenue_generated,
        "expected_revenue_protected": expected_revenue_protected,
        "value_confidence": value_confidence or "",
        "non_financial": bool(non_financial),
        "kpi": (kpi or "").strip(),
    }
    errors: dict[str, list[str]] = {}
    for field in ("expected_revenue_generated", "expected_revenue_protected"):
        if values[field] is not None and values[field] < 0:
            errors[field] = ["A revenue figure cannot be negative."]
    if values["value_confidence"] and values["value_confidence"] not in ValueConfidence.values:
        errors["value_confidence"] = ["Choose low, medium or high."]
    if values["non_financial"] and not values["kpi"]:
        errors["kpi"] = ["Name the KPI that shows a non-financial value."]
    if len(values["kpi"]) > 200:
        errors["kpi"] = ["At most 200 characters."]
    if errors:
        raise ValidationError(errors)
    Idea.objects.filter(pk=idea.pk).update(**values, updated_at=timezone.now())
    for field, value in values.items():
        setattr(idea, field, value)
    audit_record(
        actor=actor,
        action="idea.expected_value",
        target=idea,
        summary=f"Idea #{idea.pk}: expected value set",
        data={k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()},
    )
    return idea


def idea_recount(*, ids: Iterable[int] | None = None) -> int:
    """Recompute the counters (supports, comments, evidence and the customers it speaks
    for) from the rows, in one UPDATE (and one per idea that other apps' evidence adds
    customers to). Returns the ideas updated."""

    def _supports(kind: str):
        rows = (
            Support.objects.filter(idea=OuterRef("pk"), user__kind=kind)
            .order_by()
            .values("idea")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )
        return Coalesce(Subquery(rows), 0)

    comments = (
        Comment.objects.filter(
            idea=OuterRef("pk"), is_internal=False, moderation=Moderation.PUBLISHED
        )
        .order_by()
        .values("idea")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    evidence = Evidence.objects.filter(idea=OuterRef("pk")).order_by().values("idea")
    ids = None if ids is None else list(ids)
    qs = Idea.objects.all() if ids is None else Idea.objects.filter(pk__in=ids)
    updated = qs.update(
        supports_employees=_supports(Kind.STAFF),
        supports_customers=_supports(Kind.CUSTOMER),
        comment_count=Coalesce(Subquery(comments), 0),
        evidence_count=Coalesce(Subquery(evidence.annotate(n=Count("pk")).values("n")[:1]), 0),
        customers_affected=Coalesce(
            Subquery(evidence.annotate(n=Sum("customers_affected")).values("n")[:1]), 0
        ),
    )
    # Plus the customers behind evidence other apps hold (linked feedback).
    for pk, extra in source_customers(ids).items():
        Idea.objects.filter(pk=pk).update(customers_affected=F("customers_affected") + extra)
    return updated


@transaction.atomic
def idea_merge(*, source: Idea, target: Idea, actor, reason: str = "") -> IdeaTransition:
    """Merge the duplicate ``source`` into ``target``.

    Supports move to the target, except from people who already support it (or wrote it):
    one person counts once. Followers move the same way. Comments stay on the source, whose
    page points to the target. The source goes to ``merged`` through the workflow (so it is
    logged) and both ideas' counters are recomputed from the rows.
    """
    require_perm(actor, "ideas.merge_idea", source, message="Only innovation managers merge ideas.")
    if source.pk == target.pk:
        raise ValidationError({"target": ["An idea cannot be merged into itself."]})
    # Lock both rows in id order so two merges touching the same pair cannot deadlock.
    locked = {
        i.pk: i
        for i in Idea.objects.select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    src, tgt = locked[source.pk], locked[target.pk]
    if tgt.status in {Status.MERGED, Status.DRAFT}:
        raise ValidationError(
            {"target": [f"Cannot merge into an idea that is {Status(tgt.status).label.lower()}."]}
        )
    if src.status not in OPEN:
        raise TransitionError(
            f"An idea that is {Status(src.status).label.lower()} cannot be merged.",
            code="not_allowed",
        )
    # Followers move only if they may see the target (its title is in the notice, too).
    former_followers = [
        user.pk
        for user in User.objects.filter(pk__in=Follow.objects.filter(idea=src).values("user_id"))
        if tgt.is_visible_to(user)
    ]
    Follow.objects.filter(idea=src).exclude(user_id__in=former_followers).delete()

    target_supporters = Support.objects.filter(idea=tgt).values("user_id")
    Support.objects.filter(idea=src, user_id__in=target_supporters).delete()
    Support.objects.filter(idea=src, user_id=tgt.author_id).delete()
    Support.objects.filter(idea=src).update(idea=tgt)

    target_followers = Follow.objects.filter(idea=tgt).values("user_id")
    Follow.objects.filter(idea=src, user_id__in=target_followers).delete()
    Follow.objects.filter(idea=src).update(idea=tgt)

    src.merged_into = tgt
    src.save(update_fields=["merged_into", "updated_at"])
    transition = transition_apply(
        idea=src, to=Status.MERGED, actor=actor, reason=reason or f"Duplicate of #{tgt.pk}."
    )
    idea_recount(ids=[src.pk, tgt.pk])
    audit_record(
        actor=actor,
        action="idea.merge",
        target=src,
        summary=f"Idea #{src.pk} merged into #{tgt.pk}",
        data={
            "source": src.pk,
            "target": tgt.pk,
            "reason": reason,
            "source_title": src.title,
            "target_title": tgt.title,
        },
    )
    notify_followers(
        idea=tgt,
        verb="merged",
        message=f"“{src.title[:100]}” was merged into “{tgt.title[:100]}”.",
        actor=actor,
        user_ids=former_followers,
    )
    source.status, source.merged_into = Status.MERGED, tgt
    return transition


# --- Attachments ---------------------------------------------------------------------------


def _check_attachment_room(idea: Idea, *, adding: int) -> None:
    cap = settings.ATTACHMENTS_PER_IDEA
    held = Attachment.objects.filter(idea=idea).count() if idea.pk else 0
    if held + adding > cap:
        raise ValidationError({"file": [f"An idea holds at most {cap} files."]})


def _attachment_save(*, idea: Idea, upload, name: str, content_type: str, by) -> Attachment:
    from django.core.files import File

    upload.seek(0)
    attachment = Attachment(
        idea=idea, original_name=name, content_type=content_type, size=upload.size, uploaded_by=by
    )
    # The stored name comes from ``attachment_upload_to`` (random); ``name`` only keeps the
    # extension there.
    attachment.file.save(name, File(upload, name=name), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(*, idea: Idea, uploaded_by, file: UploadedFile) -> Attachment:
    """Attach a file after checking its size, extension and actual content."""
    require_perm(
        uploaded_by, "ideas.add_attachment", idea, message="You cannot add files to this idea."
    )
    # The idea row lock serialises concurrent uploads, so the cap holds under a burst.
    Idea.objects.select_for_update().filter(pk=idea.pk).first()
    _check_attachment_room(idea, adding=1)
    try:
        name, content_type = validate_upload(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return _attachment_save(
        idea=idea, upload=file, name=name, content_type=content_type, by=uploaded_by
    )
