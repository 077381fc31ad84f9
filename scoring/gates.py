"""Gate checks that scoring registers with ideas.workflow (see ScoringConfig.ready).

A check returns None when the gate is met, or a message saying what is missing.
"""

from django.urls import reverse

from accounts.rules import is_manager
from ideas.workflow import Fix, GateContext
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


def _latest_round(idea) -> ReviewRound | None:
    return ReviewRound.objects.filter(ideas=idea).order_by("-id").only("id", "status").first()


def round_fix(idea) -> Fix:
    """Into review: open the draft round the idea is in, or add it to a new round."""
    round = _latest_round(idea)
    if round is not None and round.status == RoundStatus.DRAFT:
        return Fix("Open the review round", reverse("scoring:round", args=[round.pk]))
    return Fix("Add to a review round", reverse("scoring:round_new") + f"?ideas={idea.pk}")


def results_fix(idea) -> Fix | None:
    """Shortlisting: the round's page, where it is closed and its results read."""
    round = _latest_round(idea)
    if round is None:
        return None
    label = "Close the review round" if round.status == RoundStatus.OPEN else "See the round"
    return Fix(label, reverse("scoring:round", args=[round.pk]))
