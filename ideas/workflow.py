"""The stage-gate workflow: ``transition_apply`` moves an idea, enforcing the graph and the
gates (``ideas.services.idea_transition`` is the entry point that wraps it).

Gates on facts ``ideas`` owns (a reason, an owner, evidence of the need, the expected value)
are checked here, always: they cannot be unregistered. Gates that need facts owned by apps to the right of ``ideas`` (a review round, a panel
score, a budget allocation) are registered by those apps in their ``AppConfig.ready()``
with :func:`register_gate`. ``ideas`` never imports them. A gate listed in
``EXTERNAL_GATES`` with no registered check refuses the move: a gate is never skipped.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from core.exceptions import Conflict
from core.web import require_perm
from ideas.evidence import has_evidence
from ideas.models import Idea, IdeaTransition, Moderation, Status, allowed_targets


class TransitionError(Conflict):
    """The move is not allowed now. ``code`` says why; ``message`` is for people."""


@dataclass(frozen=True)
class GateContext:
    idea: Idea
    to: str
    actor: object
    reason: str
    override: bool
    internal_note: str = ""


# A check returns None when the gate is met, or a message saying what is missing.
GateCheck = Callable[[GateContext], str | None]
_GATES: dict[str, list[GateCheck]] = {}


@dataclass(frozen=True)
class Fix:
    """Where a person goes to meet a gate: a label ("Set the owner") and a URL (or an anchor
    on the idea page)."""

    label: str
    url: str


# A fix says, for an idea whose gate refused, where to go to meet it (None: nowhere to link).
GateFix = Callable[[Idea], Fix | None]
_FIXES: dict[GateCheck, GateFix] = {}

# Gates owned by later apps, with what the idea needs (shown while nobody registered a check).
EXTERNAL_GATES = {
    Status.IN_REVIEW: "the idea must be in an open review round",
    Status.SHORTLISTED: "the idea needs an aggregated panel score that passes the signal gate",
    Status.FUNDED: "the idea needs a committed budget allocation",
    Status.IN_EXPERIMENT: "the idea needs an experiment with hypothesis, metric, baseline and target",
    Status.LAUNCHED: "the idea's experiment needs the decision to scale",
}
REASON_REQUIRED = {Status.PARKED, Status.REJECTED}


def register_gate(to: str, check: GateCheck, *, fix: GateFix | None = None) -> None:
    """Register a gate check for moves into ``to`` (idempotent for the same function), with
    ``fix``, the page where a refused gate is met (the idea page links to it)."""
    checks = _GATES.setdefault(to, [])
    if check not in checks:
        checks.append(check)
    if fix is not None:
        _FIXES[check] = fix


def _own_gates(ctx: GateContext) -> str | None:
    if ctx.to in REASON_REQUIRED and not ctx.reason.strip():
        return f"A reason is required to move an idea to {Status(ctx.to).label.lower()}."
    if ctx.to == Status.APPROVED:
        missing = []
        if ctx.idea.owner_id is None:
            missing.append("one accountable owner: set the owner first")
        if not ctx.idea.has_expected_value:
            missing.append(
                "an expected value: revenue generated or protected per year, "
                "or mark it non-financial and name the KPI"
            )
        if missing:
            return "An approved idea needs " + "; and ".join(missing) + "."
    if ctx.to == Status.IN_REVIEW and not has_evidence(ctx.idea):
        # The rows, not the counter: a gate must not trust a number that could drift.
        # Linked customer feedback (a registered source) is evidence too.
        return (
            "The idea needs at least one piece of evidence of the customer need "
            "(a complaint, survey, interview, analytics, ...) before it is reviewed: add it "
            "on the idea page."
        )
    if ctx.to == Status.LAUNCHED and not (
        ctx.internal_note.strip() or ctx.reason.strip() or ctx.idea.outcome_note.strip()
    ):
        return "Launching records the outcome: give an outcome note (the internal note)."
    if ctx.to == Status.MERGED and ctx.idea.merged_into_id is None:
        return "Use merge to move an idea into another one."
    return None


def gate_failures(ctx: GateContext) -> list[str]:
    failures = [msg for msg in [_own_gates(ctx)] if msg]
    checks = _GATES.get(ctx.to, [])
    if ctx.to in EXTERNAL_GATES and not checks:
        failures.append(
            f"Not possible yet: {EXTERNAL_GATES[ctx.to]}, and that check is not available."
        )
    for check in checks:
        message = check(ctx)
        if message:
            failures.append(message)
    return failures


UNMODERATED_TARGETS = {Status.SUBMITTED, Status.PARKED, Status.REJECTED, Status.MERGED}


@transaction.atomic
def transition_apply(
    *,
    idea: Idea,
    to: str,
    actor,
    reason: str = "",
    override: bool = False,
    expected_from: str | None = None,
    internal_note: str = "",
) -> IdeaTransition:
    """Move ``idea`` to ``to``, or raise TransitionError and change nothing. ``reason`` is
    public; ``internal_note`` is shown to staff only (and is the outcome note on launch). No side effects
    beyond the status, the log and the audit record: callers use
    ``ideas.services.idea_transition``, which also notifies the followers.

    The idea row is locked for the rest of the transaction, so two managers moving the same
    idea at once are serialised: the second sees the first one's status and, if the graph no
    longer allows its move (or ``expected_from`` no longer matches), gets a conflict.
    """
    if to not in Status.values:
        raise TransitionError(f"Unknown status {to!r}.", code="invalid")
    if override:
        # Checked before anything is written: no "gate overridden" line from anyone else.
        require_perm(actor, "ideas.override_gate", message="Only innovation managers override.")
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if expected_from is not None and locked.status != expected_from:
        raise TransitionError(
            f"Someone else moved this idea to {Status(locked.status).label.lower()} in the meantime.",
            code="stale",
        )
    if to not in allowed_targets(locked.status):
        raise TransitionError(
            f"An idea cannot move from {Status(locked.status).label.lower()} to {Status(to).label.lower()}.",
            code="not_allowed",
        )
    if locked.moderation != Moderation.PUBLISHED and to not in UNMODERATED_TARGETS:
        # Held, rejected or hidden content does not go forward in the pipeline until a
        # moderator publishes it (ideas.moderation); it may still be parked, rejected or
        # merged.
        raise TransitionError(
            "This idea waits for a moderator: publish it from the moderation queue first.",
            code="moderation",
        )
    ctx = GateContext(
        idea=locked,
        to=to,
        actor=actor,
        reason=reason or "",
        override=override,
        internal_note=internal_note or "",
    )
    failures = gate_failures(ctx)
    if failures:
        raise TransitionError(" ".join(failures), code="gate")
    from_status = locked.status
    locked.status = to
    update_fields = ["status", "updated_at"]
    outcome = (internal_note or reason or "").strip()
    if to == Status.LAUNCHED and outcome and not locked.outcome_note:
        locked.outcome_note = outcome
        update_fields.append("outcome_note")
    locked.save(update_fields=update_fields)
    idea.status = locked.status
    transition = IdeaTransition.objects.create(
        idea=locked,
        from_status=from_status,
        to_status=to,
        actor=actor,
        reason=reason or "",
        internal_note=(internal_note or "").strip(),
        override=override,
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="idea.gate_override" if override else "idea.transition",
        target=locked,
        summary=f"Idea #{locked.pk}: {from_status} → {to}"
        + (" (gate overridden)" if override else ""),
        data={
            "from": from_status,
            "to": to,
            "reason": reason or "",
            "override": override,
            "title": locked.title,
        },
    )
    return transition


# --- What the idea page offers ----------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """One gate that refuses a move now: what is missing, and where to fix it."""

    message: str
    fixes: tuple[Fix, ...] = ()


@dataclass(frozen=True)
class Move:
    """A move the graph allows from the idea's status, with the gates that refuse it now
    (none: it can succeed). ``needs_reason`` / ``needs_note``: the form must ask for the
    public reason (park, reject) or the outcome note (launch); ``overridable``: a refused
    signal gate the actor may set aside with a reason."""

    to: str
    blockers: tuple[Blocker, ...]
    needs_reason: bool = False
    needs_note: bool = False
    overridable: bool = False

    @property
    def label(self) -> str:
        return Status(self.to).label

    @property
    def ok(self) -> bool:
        return not self.blockers


def _own_fixes(idea: Idea, to: str) -> tuple[Fix, ...]:
    """Where to meet the gates ``ideas`` owns: sections of the idea page."""
    fixes = []
    if to == Status.APPROVED:
        if idea.owner_id is None:
            fixes.append(Fix("Set the owner", "#owner"))
        if not idea.has_expected_value:
            fixes.append(Fix("Set the expected value", "#expected-value-form"))
    if to == Status.IN_REVIEW and not idea.evidence_count:
        fixes.append(Fix("Add evidence", "#evidence"))
    return tuple(fixes)


# While :func:`moves_for` asks every gate of one idea, gates that read the same fact (the
# outcomes gates all read the idea's latest experiment) share one read through
# :func:`gate_memo`; outside it (a real transition) each check reads afresh.
_gate_memo: ContextVar[dict | None] = ContextVar("juncture_gate_memo", default=None)


def gate_memo(key: Hashable, compute: Callable[[], object]):
    """``compute()`` once per ``key`` while :func:`moves_for` runs; every call elsewhere."""
    memo = _gate_memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def moves_for(idea: Idea, actor) -> list[Move]:
    """Every move the graph allows from ``idea``'s status (merge is its own action), each
    asked of its gates as ``actor`` would make it now. What the move's form will supply (a
    reason to park or reject, the outcome note to launch) is assumed given, so the only
    blockers left are facts someone must change first. One query per fact the gates read
    (gates sharing a fact read it once, :func:`gate_memo`), plus one per fix of a refused
    external gate that reads another."""
    token = _gate_memo.set({})
    try:
        return _moves_for(idea, actor)
    finally:
        _gate_memo.reset(token)


def _moves_for(idea: Idea, actor) -> list[Move]:
    """The moves of :func:`moves_for`, its gates' shared reads memoised."""
    moves = []
    for to in idea.allowed_targets():
        needs_reason = to in REASON_REQUIRED
        needs_note = to == Status.LAUNCHED and not idea.outcome_note.strip()
        ctx = GateContext(
            idea=idea,
            to=to,
            actor=actor,
            reason="(given in the form)" if needs_reason else "",
            override=False,
            internal_note="(given in the form)" if needs_note else "",
        )
        blockers = []
        own = _own_gates(ctx)
        if own:
            blockers.append(Blocker(own, _own_fixes(idea, to)))
        checks = _GATES.get(to, [])
        if to in EXTERNAL_GATES and not checks:
            blockers.append(Blocker(f"Not possible yet: {EXTERNAL_GATES[to]}."))
        for check in checks:
            message = check(ctx)
            if message:
                fix = _FIXES[check](idea) if check in _FIXES else None
                blockers.append(Blocker(message, (fix,) if fix else ()))
        overridable = (
            to == Status.SHORTLISTED
            and bool(blockers)
            and not own
            and actor.has_perm("ideas.override_gate")
        )
        moves.append(
            Move(
                to=to,
                blockers=tuple(blockers),
                needs_reason=needs_reason,
                needs_note=needs_note,
                overridable=overridable,
            )
        )
    return moves
