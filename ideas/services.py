"""Writes of the ideas app. HTML views, the API, commands, tasks and other apps call these.

Conventions: keyword-only arguments; ``ValidationError`` (a dict keyed by field where a
field is at fault) for bad input, ``PermissionDenied`` when the actor may not do this,
``TransitionError`` when the workflow refuses. Nothing is written when any of them is raised.

Counters on Idea (all maintained here with F() expressions and recomputable with
``manage.py recount_ideas``):

- ``supports_employees`` / ``supports_customers``: supports by the supporting person's kind;
- ``comment_count``: **public, visible** comments only (not internal, not hidden by a
  moderator), i.e. what every reader of the idea can see. Internal notes are not counted, so
  the number never leaks that staff discussed an idea.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import audit_record
from ideas.models import (
    OPEN,
    Attachment,
    Campaign,
    Comment,
    Follow,
    Idea,
    IdeaTransition,
    Notification,
    Origin,
    Status,
    Support,
)
from ideas.uploads import validate_upload
from ideas.workflow import TransitionError
from ideas.workflow import idea_transition as _workflow_transition

__all__ = [
    "TransitionError",
    "attachment_add",
    "campaign_create",
    "campaign_update",
    "comment_add",
    "comment_hide",
    "follow_set",
    "follow_toggle",
    "idea_merge",
    "idea_recount",
    "idea_set_owner",
    "idea_submit",
    "idea_transition",
    "idea_update",
    "notification_emails_send",
    "notifications_mark_read",
    "support_add",
    "support_remove",
    "support_set",
    "support_toggle",
]


def _require(actor, perm: str, obj=None, message: str | None = None) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(message or "You are not allowed to do that.")


# --- Notifications ---------------------------------------------------------------------------


def _notify_followers(
    *, idea: Idea, verb: str, message: str, actor=None, user_ids: Iterable[int] | None = None
) -> list[int]:
    """Create in-app notifications for the idea's followers (or ``user_ids``), never for the
    actor, and queue their e-mails once the transaction commits.

    The in-app rows are written in the caller's transaction, so they exist exactly when the
    change does; only the e-mail (slow, may fail) goes to Celery.
    """
    if user_ids is None:
        user_ids = Follow.objects.filter(idea=idea).values_list("user_id", flat=True)
    recipients = sorted({uid for uid in user_ids if actor is None or uid != actor.pk})
    if not recipients:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(user_id=uid, idea=idea, verb=verb, message=message[:300])
            for uid in recipients
        ]
    )
    ids = [row.pk for row in rows if row.pk is not None]
    if ids:
        from core.outbox import enqueue
        from ideas.tasks import notify_task

        enqueue(notify_task, args=[ids])
    return ids


def notification_emails_send(*, notification_ids: Iterable[int]) -> int:
    """E-mail the given notifications to their users. Each row is claimed with a conditional
    UPDATE first, so running the task twice sends each e-mail once. Returns how many went."""
    from django.core.mail import send_mail

    sent = 0
    for pk in notification_ids:
        claimed = Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        note = Notification.objects.select_related("user", "idea").get(pk=pk)
        if not note.user.email or not note.user.is_active:
            continue
        try:
            send_mail(
                f"Juncture: {note.message}"[:150],
                f"{note.message}\n\nSee the idea: /ideas/{note.idea_id}/\n\n"
                "You get this because you follow the idea. Unfollow it on its page.",
                None,
                [note.user.email],
            )
        except Exception:
            # Release the claim so the task's retry sends it.
            Notification.objects.filter(pk=pk).update(emailed_at=None)
            raise
        sent += 1
    return sent


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# --- Workflow ------------------------------------------------------------------------------


def idea_transition(
    *,
    idea: Idea,
    to: str,
    actor,
    reason: str = "",
    override: bool = False,
    expected_from: str | None = None,
) -> IdeaTransition:
    """Move an idea through the stage-gate workflow (see ideas.workflow.idea_transition).

    This is the entry point every caller uses (views, API, scoring, budgets): it is where the
    side effects of a status change hang — followers get an in-app notification, and an
    e-mail queued on commit. Raises TransitionError (and changes nothing) when refused.
    """
    with transaction.atomic():
        transition = _workflow_transition(
            idea=idea,
            to=to,
            actor=actor,
            reason=reason,
            override=override,
            expected_from=expected_from,
        )
        moved = transition.idea
        _notify_followers(
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
    "stage",
    "moment",
    "campaign",
    "is_anonymous",
    "estimated_cost",
    "expected_value",
}


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
    proposal: str = "",
    stage=None,
    moment=None,
    campaign: Campaign | None = None,
    is_anonymous: bool = False,
    estimated_cost: Decimal | None = None,
    expected_value: Decimal | None = None,
    draft: bool = False,
    files: Iterable[UploadedFile] = (),
) -> Idea:
    """Create an idea as a draft, or submitted (``draft=False``), with its attachments.

    The author follows it automatically; ``origin`` comes from the author's kind. The
    campaign must be open and its audience must include the author. Raises ValidationError
    keyed by field (nothing saved, no file written) when anything is wrong.
    """
    _require(author, "ideas.add_idea")
    idea = Idea(
        title=(title or "").strip(),
        customer_need=(customer_need or "").strip(),
        proposal=(proposal or "").strip(),
        innovation_type=innovation_type,
        stage=stage,
        moment=moment,
        campaign=campaign,
        author=author,
        is_anonymous=bool(is_anonymous),
        origin=Origin.CUSTOMER if author.kind == "customer" else Origin.EMPLOYEE,
        status=Status.DRAFT,
        estimated_cost=estimated_cost,
        expected_value=expected_value,
    )
    errors: dict[str, list[str]] = {}
    _check_placement(idea, errors)
    _check_campaign(campaign, author, errors)
    _full_clean(idea, errors)
    files = list(files)
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
    if not draft:
        idea_transition(idea=idea, to=Status.SUBMITTED, actor=author)
        idea.refresh_from_db()
    return idea


@transaction.atomic
def idea_update(*, idea: Idea, actor, **changes) -> Idea:
    """Change an idea's content. Authors may while it is a draft or submitted; managers any
    time. Unknown fields are refused. A campaign change must be accepted for the author."""
    _require(actor, "ideas.change_idea", idea, "You can no longer change this idea.")
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError({f: ["This field cannot be changed."] for f in sorted(unknown)})
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
    return idea


@transaction.atomic
def idea_set_owner(*, idea: Idea, owner, actor) -> Idea:
    """Name the one accountable person (an employee). The owner follows the idea."""
    _require(actor, "ideas.set_owner", idea, "Only innovation managers set owners.")
    if owner is not None and (owner.kind != "staff" or not owner.is_active):
        raise ValidationError({"owner": ["The accountable owner must be an active employee."]})
    Idea.objects.filter(pk=idea.pk).update(
        owner=owner, updated_at=timezone.now()
    )  # no save(): counters may have moved since the idea was read
    idea.owner = owner
    if owner is not None:
        follow_set(idea=idea, user=owner, following=True)
    return idea


def idea_recount(*, ids: Iterable[int] | None = None) -> int:
    """Recompute the counters from the rows, in one UPDATE. Returns the ideas updated."""

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
        Comment.objects.filter(idea=OuterRef("pk"), is_internal=False, is_hidden=False)
        .order_by()
        .values("idea")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    qs = Idea.objects.all() if ids is None else Idea.objects.filter(pk__in=list(ids))
    return qs.update(
        supports_employees=_supports("staff"),
        supports_customers=_supports("customer"),
        comment_count=Coalesce(Subquery(comments), 0),
    )


@transaction.atomic
def idea_merge(*, source: Idea, target: Idea, actor, reason: str = "") -> IdeaTransition:
    """Merge the duplicate ``source`` into ``target``.

    Supports move to the target, except from people who already support it (or wrote it):
    one person counts once. Followers move the same way. Comments stay on the source, whose
    page points to the target. The source goes to ``merged`` through the workflow (so it is
    logged) and both ideas' counters are recomputed from the rows.
    """
    _require(actor, "ideas.merge_idea", source, "Only innovation managers merge ideas.")
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
    former_followers = list(Follow.objects.filter(idea=src).values_list("user_id", flat=True))

    target_supporters = Support.objects.filter(idea=tgt).values("user_id")
    Support.objects.filter(idea=src, user_id__in=target_supporters).delete()
    Support.objects.filter(idea=src, user_id=tgt.author_id).delete()
    Support.objects.filter(idea=src).update(idea=tgt)

    target_followers = Follow.objects.filter(idea=tgt).values("user_id")
    Follow.objects.filter(idea=src, user_id__in=target_followers).delete()
    Follow.objects.filter(idea=src).update(idea=tgt)

    src.merged_into = tgt
    src.save(update_fields=["merged_into", "updated_at"])
    transition = _workflow_transition(
        idea=src, to=Status.MERGED, actor=actor, reason=reason or f"Duplicate of #{tgt.pk}."
    )
    idea_recount(ids=[src.pk, tgt.pk])
    audit_record(
        actor=actor,
        action="idea.merge",
        target=src,
        summary=f"Idea #{src.pk} merged into #{tgt.pk}",
        data={"source": src.pk, "target": tgt.pk, "reason": reason},
    )
    _notify_followers(
        idea=tgt,
        verb="merged",
        message=f"“{src.title[:100]}” was merged into “{tgt.title[:100]}”.",
        actor=actor,
        user_ids=former_followers,
    )
    source.status, source.merged_into = Status.MERGED, tgt
    return transition


# --- Supports and follows --------------------------------------------------------------------


def _support_counter(user) -> str:
    return "supports_customers" if user.kind == "customer" else "supports_employees"


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
        _require(user, "ideas.support_idea", idea, "You cannot support this idea.")
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


def support_add(*, idea: Idea, user) -> bool:
    """Support ``idea`` (idempotent). Returns True if a support was added now."""
    return support_set(idea=idea, user=user, supported=True, counters=False).changed


def support_remove(*, idea: Idea, user) -> bool:
    """Withdraw a support (idempotent). Returns True if one was removed now."""
    return support_set(idea=idea, user=user, supported=False, counters=False).changed


def support_toggle(*, idea: Idea, user) -> bool:
    """Flip the support; returns whether the user supports the idea afterwards."""
    if Support.objects.filter(idea=idea, user=user).exists():
        support_remove(idea=idea, user=user)
        return False
    support_add(idea=idea, user=user)
    return True


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


def follow_toggle(*, idea: Idea, user) -> bool:
    _require(user, "ideas.follow_idea", idea)
    following = Follow.objects.filter(idea=idea, user=user).exists()
    return follow_set(idea=idea, user=user, following=not following)


# --- Comments ------------------------------------------------------------------------------


@transaction.atomic
def comment_add(*, idea: Idea, author, body: str, is_internal: bool = False) -> Comment:
    """Add a comment. Internal comments are for employees only and notify nobody outside;
    a public comment bumps ``comment_count`` and notifies the followers."""
    _require(author, "ideas.comment_idea", idea, "You cannot comment on this idea.")
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
    if not is_internal:
        Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
        _notify_followers(
            idea=idea,
            verb="commented",
            message=f"{author} commented on “{idea.title[:150]}”.",
            actor=author,
        )
    return comment


@transaction.atomic
def comment_hide(*, comment: Comment, actor, hidden: bool = True) -> Comment:
    """Hide (or show again) a comment; managers only. Keeps ``comment_count`` exact."""
    _require(actor, "ideas.moderate_comment", comment, "Only innovation managers moderate.")
    changed = Comment.objects.filter(pk=comment.pk, is_hidden=not hidden).update(
        is_hidden=hidden, hidden_by=actor if hidden else None
    )
    if changed and not comment.is_internal:
        delta = -1 if hidden else 1
        qs = Idea.objects.filter(pk=comment.idea_id)
        if delta < 0:
            qs = qs.filter(comment_count__gt=0)
        qs.update(comment_count=F("comment_count") + delta)
    comment.is_hidden = hidden
    comment.hidden_by = actor if hidden else None
    return comment


# --- Attachments ---------------------------------------------------------------------------


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
    _require(uploaded_by, "ideas.add_attachment", idea, "You cannot add files to this idea.")
    try:
        name, content_type = validate_upload(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return _attachment_save(
        idea=idea, upload=file, name=name, content_type=content_type, by=uploaded_by
    )


# --- Campaigns -----------------------------------------------------------------------------

CAMPAIGN_FIELDS = {"title", "slug", "brief", "audience", "opens_at", "closes_at", "owner"}


def _campaign_validate(campaign: Campaign) -> None:
    errors: dict[str, list[str]] = {}
    if campaign.opens_at and campaign.closes_at and campaign.closes_at <= campaign.opens_at:
        errors["closes_at"] = ["The closing date must be after the opening date."]
    try:
        campaign.full_clean(exclude=["scorecard", "target_stages"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, actor, target_stages: Iterable = (), scorecard=None, **fields) -> Campaign:
    _require(actor, "ideas.manage_campaigns", None, "Only innovation managers run campaigns.")
    unknown = set(fields) - CAMPAIGN_FIELDS
    if unknown:
        raise ValidationError({f: ["Unknown field."] for f in sorted(unknown)})
    fields.setdefault("owner", actor)
    campaign = Campaign(scorecard=scorecard, **fields)
    _campaign_validate(campaign)
    campaign.save()
    campaign.target_stages.set(list(target_stages))
    return campaign


@transaction.atomic
def campaign_update(
    *, campaign: Campaign, actor, target_stages: Iterable | None = None, **fields
) -> Campaign:
    _require(actor, "ideas.manage_campaigns", campaign, "Only innovation managers run campaigns.")
    unknown = set(fields) - CAMPAIGN_FIELDS - {"scorecard"}
    if unknown:
        raise ValidationError({f: ["Unknown field."] for f in sorted(unknown)})
    for field, value in fields.items():
        setattr(campaign, field, value)
    _campaign_validate(campaign)
    campaign.save()
    if target_stages is not None:
        campaign.target_stages.set(list(target_stages))
    return campaign
