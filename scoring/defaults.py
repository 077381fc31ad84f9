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


@transaction.atomic
def ensure_defaults() -> Scorecard:
    """The default scorecard, with the four default signals at weight 1 (created if missing)."""
    card = Scorecard.objects.filter(is_default=True).first()
    if card is not None:
        return card
    signals = []
    for order, (key, name, question, group) in enumerate(SIGNALS, start=1):
        signal, _ = Signal.objects.get_or_create(
            key=key, defaults={"name": name, "question": question, "group": group, "order": order}
        )
        signals.append(signal)
    card = Scorecard.objects.create(
        name=DEFAULT_SCORECARD, gate_threshold=3.5, min_reviews=3, min_functions=3, is_default=True
    )
    ScorecardSignal.objects.bulk_create(
        [ScorecardSignal(scorecard=card, signal=s, weight=1) for s in signals]
    )
    return card
