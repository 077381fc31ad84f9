"""Writes of the scoring app. HTML views, the API, the demo and tasks all call these.

Errors: ``ValidationError`` for bad input (API 400), ``PermissionDenied`` for someone else's
assignment (403), :class:`ScoringConflict` when the round's state forbids the action (409).
"""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import User
from core import outbox
from core.exceptions import Conflict
from core.web import require_perm
from ideas.models import Idea, Status
from ideas.services import idea_transition
from scoring.models import (
    Assignment,
    Panel,
    ReviewRound,
    RoundStatus,
    Score,
    Scorecard,
    ScorecardSignal,
    Signal,
)
from scoring.progress import progress_add, progress_submitted

# A pending aggregation older than this is presumed lost (broker down when it was sent) and
# may be queued again.
STALE_REQUEST = timedelta(minutes=10)


class ScoringConflict(Conflict):
    """The round's current state forbids the action (API: 409; UI: an error message)."""


# --- panels ------------------------------------------------------------------------------


def panel_functions(members: Iterable[User]) -> list[str]:
    """Distinct functions of the given people, sorted (blank counts as "other")."""
    return sorted({(m.function or "other") for m in members})


def _check_members(members: Iterable[User]) -> list[User]:
    members = list(members)
    customers = [m for m in members if m.kind != "staff"]
    if customers:
        raise ValidationError({"members": "Panel members must be employees."})
    return members


@transaction.atomic
def panel_create(*, name: str, members: Iterable[User], actor: User) -> Panel:
    if not name.strip():
        raise ValidationError({"name": "Give the panel a name."})
    members = _check_members(members)
    panel = Panel.objects.create(name=name.strip())
    panel.members.set(members)
    audit_record(
        actor=actor,
        action="panel.members",
        target=panel,
        summary=f"Panel “{panel.name}” created with {len(members)} member(s)",
        data={"added": sorted(m.pk for m in members), "removed": []},
    )
    return panel


@transaction.atomic
def panel_update(
    *, panel: Panel, actor: User, name: str | None = None, members: Iterable[User] | None = None
) -> Panel:
    """Rename and/or replace the members. Members of a panel with an open round are frozen:
    their assignments were created when the round opened."""
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": "Give the panel a name."})
        panel.name = name.strip()
        panel.save(update_fields=["name"])
    if members is not None:
        if panel.rounds.filter(status=RoundStatus.OPEN).exists():
            raise ScoringConflict("This panel has an open round; its members cannot change now.")
        members = _check_members(members)
        before = set(panel.members.values_list("pk", flat=True))
        panel.members.set(members)
        after = {m.pk for m in members}
        if before != after:
            audit_record(
                actor=actor,
                action="panel.members",
                target=panel,
                summary=f"Panel “{panel.name}”: {len(after - before)} member(s) added, "
                f"{len(before - after)} removed",
                data={"added": sorted(after - before), "removed": sorted(before - after)},
            )
    return panel


# --- rounds ------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    panel: Panel,
    scorecard: Scorecard,
    ideas: Iterable[Idea],
    due_at: datetime,
    actor: User,
    name: str = "",
) -> ReviewRound:
    """A draft round over ideas that are all in screening."""
    ideas = list(ideas)
    errors: dict[str, str] = {}
    if not ideas:
        errors["ideas"] = "Pick at least one idea in screening."
    elif not_screening := [i for i in ideas if i.status != Status.SCREENING]:
        titles = ", ".join(f"“{i.title}”" for i in not_screening[:5])
        errors["ideas"] = f"Only ideas in screening can be reviewed; not {titles}."
    if due_at <= timezone.now():
        errors["due_at"] = "The due date must be in the future."
    if errors:
        raise ValidationError(errors)
    round = ReviewRound.objects.create(
        name=name.strip(),
        panel=panel,
        scorecard=scorecard,
        due_at=due_at,
        created_by=actor,
        idea_count=len({idea.pk for idea in ideas}),
    )
    round.ideas.set(ideas)
    return round


def coverage_problem(*, panel: Panel, scorecard: Scorecard) -> str | None:
    """Why this panel cannot open a round with this scorecard, or None."""
    functions = panel_functions(panel.members.all())
    if len(functions) < scorecard.min_functions:
        spans = ", ".join(functions) if functions else "no function"
        return (
            f"The panel “{panel.name}” spans {len(functions)} distinct function"
            f"{'' if len(functions) == 1 else 's'} ({spans}); the scorecard needs at least "
            f"{scorecard.min_functions}. Add members from other functions."
        )
    return None


@transaction.atomic
def round_open(*, round: ReviewRound, actor: User) -> ReviewRound:
    """Open a draft round: an assignment per member and idea (never the idea's author), and
    every idea moves screening -> in_review. All or nothing."""
    locked = ReviewRound.objects.select_for_update().select_related("panel", "scorecard")
    locked = locked.get(pk=round.pk)
    if locked.status != RoundStatus.DRAFT:
        raise ScoringConflict(f"Only a draft round can be opened; this one is {locked.status}.")
    problem = coverage_problem(panel=locked.panel, scorecard=locked.scorecard)
    if problem:
        raise ScoringConflict(problem, code="coverage")
    ideas = list(locked.ideas.order_by("pk"))
    if not ideas:
        raise ScoringConflict("The round has no ideas.")
    members = list(locked.panel.members.order_by("pk"))
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(round=locked, idea=idea, reviewer=member)
            for idea in ideas
            for member in members
            if member.pk != idea.author_id  # conflict of interest
        ]
    )
    progress_add(round_id=locked.pk, assignments=assignments)
    # Open first: the in_review gate checks that the idea is in an open round.
    locked.status = RoundStatus.OPEN
    locked.opens_at = timezone.now()
    locked.save(update_fields=["status", "opens_at"])
    for idea in ideas:
        # A TransitionError (e.g. an idea left screening meanwhile) rolls everything back.
        idea_transition(idea=idea, to=Status.IN_REVIEW, actor=actor, reason=f"Review: {locked}")
    audit_record(
        actor=actor,
        action="round.open",
        target=locked,
        summary=f"{locked} opened: {len(ideas)} idea(s), {len(members)} panel member(s)",
    )
    round.status, round.opens_at = locked.status, locked.opens_at
    return locked


@transaction.atomic
def round_close(*, round: ReviewRound, actor: User) -> ReviewRound:
    """Close an open round: scores lock and the final aggregation is queued."""
    locked = ReviewRound.objects.select_for_update().get(pk=round.pk)
    if locked.status != RoundStatus.OPEN:
        raise ScoringConflict(f"Only an open round can be closed; this one is {locked.status}.")
    locked.status = RoundStatus.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, action="round.close", target=locked, summary=f"{locked} closed")
    request_aggregation(round_id=locked.pk, force=True)
    round.status, round.closed_at = locked.status, locked.closed_at
    return locked


# --- scores ------------------------------------------------------------------------------


def _lock_open_round(assignment: Assignment, actor: User) -> ReviewRound:
    if assignment.reviewer_id != actor.pk:
        raise PermissionDenied("This is another reviewer's assignment.")
    # Locking the round row serialises saves with round_close: no score slips in after it.
    round = ReviewRound.objects.select_for_update().get(pk=assignment.round_id)
    if round.status != RoundStatus.OPEN:
        raise ScoringConflict("The round is closed; its scores are locked.", code="closed")
    return round


@transaction.atomic
def scores_save(*, assignment: Assignment, scores: list[dict], actor: User) -> list[Score]:
    """Save ``[{signal: key or Signal, value, rationale}]`` for an assignment, all or nothing.

    Upserts on (assignment, signal), so two concurrent saves leave one score per signal.
    """
    round = _lock_open_round(assignment, actor)
    signals = {s.key: s for s in Signal.objects.for_round(round)}
    errors: list[str] = []
    rows: dict[int, Score] = {}
    if not isinstance(scores, list):
        raise ValidationError({"scores": "Send a list of {signal, value, rationale}."})
    for item in scores:
        if not isinstance(item, dict):
            errors.append("Each score must be an object {signal, value, rationale}.")
            continue
        key = item.get("signal")
        key = key.key if isinstance(key, Signal) else key
        signal = signals.get(key) if isinstance(key, str) else None
        if signal is None:
            errors.append(f"Unknown signal {key!r}: it is not on this round's scorecard.")
            continue
        value = item.get("value")
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                value = int(str(value).strip())
            except ValueError:
                errors.append(f"{signal.name}: the value must be a whole number.")
                continue
        if not signal.scale_min <= value <= signal.scale_max:
            errors.append(
                f"{signal.name}: {value} is off the scale {signal.scale_min} to {signal.scale_max}."
            )
            continue
        rationale = item.get("rationale") or ""
        if not isinstance(rationale, str) or len(rationale) > 2000:
            errors.append(f"{signal.name}: the rationale must be text of at most 2000 characters.")
            continue
        if signal.pk in rows:
            errors.append(f"{signal.name} is given twice.")
            continue
        rows[signal.pk] = Score(
            assignment=assignment, signal=signal, value=value, rationale=rationale.strip()
        )
    if errors:
        raise ValidationError({"scores": errors})
    # A submitted scorecard keeps a rationale for every signal (when its scorecard asks).
    blank = [row for row in rows.values() if not row.rationale]
    if blank and assignment.submitted_at is not None and _rationale_required(round):
        raise ValidationError({"rationale": [_rationale_error(row) for row in blank]})
    saved = Score.objects.bulk_create(
        list(rows.values()),
        update_conflicts=True,
        unique_fields=["assignment", "signal"],
        update_fields=["value", "rationale", "updated_at"],
    )
    if assignment.submitted_at is not None:
        # A change after submission: the results must follow it.
        request_aggregation(round_id=round.pk)
    return saved


def _rationale_required(round: ReviewRound) -> bool:
    return Scorecard.objects.filter(pk=round.scorecard_id, rationale_required=True).exists()


def _rationale_error(score: Score) -> ValidationError:
    """One signal's missing rationale; ``params["signal"]`` lets the form put it on the
    signal's rationale field."""
    name = score.signal.name.replace("%", "%%")
    return ValidationError(
        f"{name}: say why you gave {score.value}. This scorecard needs a rationale for "
        "every signal.",
        code="rationale_required",
        params={"signal": score.signal.key},
    )


@transaction.atomic
def assignment_submit(*, assignment: Assignment, actor: User) -> Assignment:
    """Mark an assignment submitted once every signal is scored, each with a rationale when
    the scorecard requires one; queues the aggregation."""
    round = _lock_open_round(assignment, actor)
    missing = (
        Signal.objects.for_round(round)
        .exclude(scores__assignment=assignment)
        .values_list("name", flat=True)
    )
    if missing:
        raise ValidationError({"scores": f"Score every signal first: {', '.join(missing)}."})
    if _rationale_required(round):
        blank = (
            Score.objects.filter(assignment=assignment, rationale="")
            .filter(signal__in=Signal.objects.for_round(round))
            .select_related("signal")
            .order_by("signal__order", "signal_id")
        )
        if blank := list(blank):
            raise ValidationError({"rationale": [_rationale_error(row) for row in blank]})
    if assignment.submitted_at is None:
        # A conditional UPDATE: of two submissions of the same assignment (a double click,
        # a stale copy) only the first sets it, so the progress counts it once.
        now = timezone.now()
        if Assignment.objects.filter(pk=assignment.pk, submitted_at__isnull=True).update(
            submitted_at=now
        ):
            assignment.submitted_at = now
            progress_submitted(assignment)
        else:
            assignment.refresh_from_db(fields=["submitted_at"])
    request_aggregation(round_id=round.pk)
    return assignment


# --- aggregation queueing ----------------------------------------------------------------


def request_aggregation(*, round_id: int, force: bool = False) -> str | None:
    """Queue ``scoring.aggregate_round`` in the outbox, published once the caller commits;
    coalesced.

    A conditional UPDATE claims the "pending" marker: only the caller that turns
    ``aggregation_requested_at`` from empty (or stale) to now queues a task, so there is at
    most one pending run per round. The task clears the marker when it starts, so a
    submission during a run queues exactly one more. ``force`` (close, recompute) always
    queues. Returns the id of the task queued, or None when one was already pending.
    """
    from scoring.tasks import aggregate_round_task

    now = timezone.now()
    task_id = str(uuid.uuid4())
    pending = ReviewRound.objects.filter(pk=round_id)
    if not force:
        pending = pending.filter(
            Q(aggregation_requested_at__isnull=True)
            | Q(aggregation_requested_at__lt=now - STALE_REQUEST)
        )
    claimed = pending.update(aggregation_requested_at=now, aggregation_task_id=task_id)
    if not claimed:
        return None
    # Through the outbox: written with the claim above, published once the caller commits.
    return outbox.enqueue(aggregate_round_task, args=[round_id], task_id=task_id)


def round_recompute(*, round: ReviewRound, actor: User) -> str:
    """A manager's "recompute": always queues a run; returns the task id to poll."""
    with transaction.atomic():
        return request_aggregation(round_id=round.pk, force=True) or ""


def aggregation_run(*, round_id: int) -> int:
    """Run the aggregation now (the task's body). Clears the pending marker first, so a
    request arriving while this runs queues one more run."""
    from scoring.aggregation import aggregate

    ReviewRound.objects.filter(pk=round_id).update(aggregation_requested_at=None)
    return aggregate(round_id)


def open_rounds_queue() -> int:
    """Nightly: queue an aggregation for every open round (coalesced). Returns the count."""
    count = 0
    for round_id in ReviewRound.objects.open().values_list("pk", flat=True):
        with transaction.atomic():
            if request_aggregation(round_id=round_id):
                count += 1
    return count


# --- Scorecard versions ----------------------------------------------------------------

WEIGHT_STEP = Decimal("0.01")


@transaction.atomic
def scorecard_create_version(
    *,
    scorecard: Scorecard,
    weights: dict[str, Decimal],
    actor: User,
    name: str = "",
    make_default: bool = True,
) -> Scorecard:
    """A new scorecard with ``scorecard``'s gate and minimums and the given signal weights
    (``{signal key: weight}``, rounded to 0.01; a signal whose weight rounds to 0 is left
    out). Rounds keep the scorecard they were created with, so rounds already held are
    untouched; with ``make_default`` the new version becomes the default that new rounds
    start from. Audited."""
    require_perm(actor, "scoring.manage_scorecards")
    cleaned: dict[str, Decimal] = {}
    for key, weight in weights.items():
        try:
            value = Decimal(str(weight)).quantize(WEIGHT_STEP, rounding=ROUND_HALF_UP)
        except (InvalidOperation, ValueError):
            raise ValidationError({"weights": f"{key}: not a number."}) from None
        if value < 0:
            raise ValidationError({"weights": f"{key}: a weight cannot be negative."})
        if value > 0:
            cleaned[key] = value
    if not cleaned:
        raise ValidationError({"weights": "At least one signal needs a positive weight."})
    signals = {s.key: s for s in Signal.objects.filter(key__in=cleaned, active=True)}
    unknown = sorted(set(cleaned) - set(signals))
    if unknown:
        raise ValidationError({"weights": f"Unknown or inactive signals: {', '.join(unknown)}."})
    if make_default:
        # One default at a time (a partial unique constraint): clear it before the insert.
        Scorecard.objects.filter(is_default=True).update(is_default=False)
    version = Scorecard.objects.create(
        name=(name or f"{scorecard.name} (weights of {timezone.localdate():%Y-%m-%d})")[:120],
        gate_threshold=scorecard.gate_threshold,
        min_reviews=scorecard.min_reviews,
        min_functions=scorecard.min_functions,
        rationale_required=scorecard.rationale_required,
        is_default=make_default,
    )
    ScorecardSignal.objects.bulk_create(
        ScorecardSignal(scorecard=version, signal=signals[key], weight=weight)
        for key, weight in cleaned.items()
    )
    audit_record(
        actor=actor,
        action="scorecard.version",
        target=version,
        summary=f"Scorecard #{version.pk} from #{scorecard.pk}",
        data={"from": scorecard.pk, "weights": {k: str(v) for k, v in cleaned.items()}},
    )
    return version


# --- Scorecard settings and rubrics ------------------------------------------------------

RUBRIC_MAX = 300


@transaction.atomic
def scorecard_settings_update(
    *,
    scorecard: Scorecard,
    actor: User,
    rationale_required: bool,
    rubrics: dict[str, dict[str, str]],
) -> Scorecard:
    """Whether reviewers must give a rationale, and the rubric of the scorecard's signals
    (``{signal key: {"<value>": description}}``). Wording, not method: no new scorecard
    version, and open rounds show the new wording at once. A rubric belongs to its signal,
    so every scorecard using the signal reads the same. All or nothing; audited."""
    require_perm(actor, "scoring.manage_scorecards")
    signals = {s.key: s for s in scorecard.signals.all()}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict[str, str]] = {}
    for key, rubric in rubrics.items():
        signal = signals.get(key)
        if signal is None:
            errors.setdefault("rubrics", []).append(f"{key} is not on this scorecard.")
            continue
        on_scale = {str(v) for v in signal.values()}
        cleaned[key] = {}
        for value, text in rubric.items():
            text = (text or "").strip()
            if str(value) not in on_scale:
                errors.setdefault(f"{key}-{value}", []).append("Not a point of this scale.")
            elif len(text) > RUBRIC_MAX:
                errors.setdefault(f"{key}-{value}", []).append(
                    f"At most {RUBRIC_MAX} characters ({len(text)} now)."
                )
            elif text:
                cleaned[key][str(value)] = text
    if errors:
        raise ValidationError(errors)
    changed = []
    for key, rubric in cleaned.items():
        signal = signals[key]
        if signal.rubric != rubric:
            signal.rubric = rubric
            signal.save(update_fields=["rubric"])
            changed.append(key)
    if scorecard.rationale_required != rationale_required:
        scorecard.rationale_required = rationale_required
        scorecard.save(update_fields=["rationale_required"])
        changed.append("rationale_required")
    if changed:
        audit_record(
            actor=actor,
            action="scorecard.settings",
            target=scorecard,
            summary=f"“{scorecard.name}”: rationale "
            f"{'required' if scorecard.rationale_required else 'optional'}; rubric reworded "
            f"for {', '.join(k for k in changed if k in signals) or 'no signal'}",
            data={"changed": changed, "rationale_required": scorecard.rationale_required},
        )
    return scorecard
