"""Gate checks that scoring registers with ideas.workflow (see ScoringConfig.ready).

A check returns None when the gate is met, or a message saying what is missing.
"""

from accounts.rules import is_manager
from ideas.workflow import GateContext
from scoring.models import IdeaScore, ReviewRound, RoundStatus


def in_open_round(ctx: GateContext) -> str | None:
    if ReviewRound.objects.filter(status=RoundStatus.OPEN, ideas=ctx.idea).exists():
        return None
    return "The idea must be in an open review round: add it to a round and open the round."


def passes_signal_gate(ctx: GateContext) -> str | None:
    if ctx.override:
        if not is_manager(ctx.actor):
            return "Only an innovation manager may override the signal gate."
        if not ctx.reason.strip():
            return "An override of the signal gate needs a reason."
        return None
    latest = (
        IdeaScore.objects.filter(idea=ctx.idea, round__status=RoundStatus.CLOSED)
        .order_by("-round__closed_at", "-round_id")
        .only("passes_gate", "gate_reason")
        .first()
    )
    if latest is None:
        return (
            "The idea needs an aggregated panel score from a closed review round "
            "(or a manager override with a reason)."
        )
    if not latest.passes_gate:
        return (
            f"The idea's latest panel score does not pass the signal gate ({latest.gate_reason}) "
            "A manager may override with a reason."
        )
    return None
