"""The default signals and scorecard, also created by migration 0003.

``ensure_defaults()`` recreates them when missing — after a test run's flush, or in a
database where someone deleted them — so the demo and tests can rely on them.
"""

from django.db import transaction

from scoring.models import Scorecard, ScorecardSignal, Signal

# The rubric points the panelist at the idea's evidence, listed on the scorecard above the
# signals (migration 0007 moved the old default text to this one).
EVIDENCE_QUESTION = (
    "How strong is the evidence listed above (its kinds, how many customers it speaks for, "
    "how recent) that customers feel this need?"
)
SIGNALS = [
    ("importance", "Customer importance", "Is this important enough for our customers?", "need"),
    (
        "evidence",
        "Evidence of need",
        EVIDENCE_QUESTION,
        "need",
    ),
    (
        "uniqueness",
        "Differentiation",
        "Are we providing support in a unique way?",
        "differentiation",
    ),
    ("defensibility", "Hard to copy", "Would competitors find it hard to copy?", "differentiation"),
]
DEFAULT_SCORECARD = "Customer need & differentiation"

# What each point of the default 1-5 scale means, per default signal (migration 0009 wrote
# the same text into existing signals). Managers edit them on the scorecard settings page.
RUBRICS = {
    "importance": {
        "1": "Customers would not notice: no customer task or pain behind it.",
        "2": "A nice-to-have for a few customers; they manage fine without it.",
        "3": "A real need for one segment, or a minor irritation for many.",
        "4": "Matters to many customers at a moment they care about.",
        "5": "Critical: customers leave, complain or call because of it.",
    },
    "evidence": {
        "1": "No evidence: an opinion or a hunch.",
        "2": "Anecdotes: one or two stories, or our own assumption.",
        "3": "One solid source (complaints, a survey or analytics) for some customers.",
        "4": "Several recent sources agree, for many customers.",
        "5": "Strong, recent, measured evidence across channels and segments.",
    },
    "uniqueness": {
        "1": "Everyone already does this; customers would not tell us apart.",
        "2": "Catches up with competitors who already offer it.",
        "3": "Better than most, but similar offers exist.",
        "4": "Clearly different from what competitors offer today.",
        "5": "Unique in our market: a reason to choose us.",
    },
    "defensibility": {
        "1": "Anyone could copy it within weeks.",
        "2": "Easy to copy within a few months.",
        "3": "Copying needs a real project, but nothing special.",
        "4": "Builds on our data, partners or systems: hard to copy.",
        "5": "Rests on assets competitors cannot get: practically impossible to copy.",
    },
}


@transaction.atomic
def ensure_defaults() -> Scorecard:
    """The default scorecard, with the four default signals at weight 1 (created if missing)."""
    card = Scorecard.objects.filter(is_default=True).first()
    if card is not None:
        return card
    signals = []
    for order, (key, name, question, group) in enumerate(SIGNALS, start=1):
        signal, _ = Signal.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "question": question,
                "group": group,
                "order": order,
                "rubric": RUBRICS.get(key, {}),
            },
        )
        signals.append(signal)
    card = Scorecard.objects.create(
        name=DEFAULT_SCORECARD, gate_threshold=3.5, min_reviews=3, min_functions=3, is_default=True
    )
    ScorecardSignal.objects.bulk_create(
        [ScorecardSignal(scorecard=card, signal=s, weight=1) for s in signals]
    )
    return card
