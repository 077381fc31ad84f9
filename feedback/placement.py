"""Suggested places on the journey for feedback that arrives without one.

A word-overlap score between the item's text and each moment's name, description and
evidence (and its stage's name), on crude stems (the first five letters), computed in
Python against the few dozen moments of the journey: the same result on SQLite and
PostgreSQL, and cheap enough to run for every imported row. A curator confirms or corrects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STOP = {
    "the", "and", "for", "with", "that", "this", "from", "have", "when", "they", "their",
    "your", "are", "was", "were", "will", "would", "could", "should", "about", "after",
    "before", "than", "then", "there", "what", "which", "while", "why", "how", "can", "not",
    "but", "all", "any", "more", "most", "some", "only", "very", "just", "also", "you",
    "our", "out", "got", "get", "has", "had", "its", "one", "two", "still", "again", "bank",
    "customer", "customers", "days", "week", "time", "even", "every", "into", "over",
}  # fmt: skip
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
STEM = 5
# A suggestion needs this much overlap: one word of the moment's name, or two elsewhere.
MIN_SCORE = 2


def stems(text: str) -> set[str]:
    return {w[:STEM] for w in _WORD.findall((text or "").lower()) if w not in _STOP}


@dataclass
class Suggester:
    """Built once per import (one query) and asked once per row."""

    profiles: list[tuple[int, dict[str, int]]]  # (moment id, stem -> weight)

    @classmethod
    def for_journey(cls, journey) -> Suggester:
        from journeys.models import Moment

        profiles = []
        for moment in Moment.objects.filter(stage__journey=journey).select_related("stage"):
            weights: dict[str, int] = {}
            for stem in stems(f"{moment.description} {moment.evidence} {moment.stage.name}"):
                weights[stem] = 1
            for stem in stems(moment.name):
                weights[stem] = 2
            profiles.append((moment.pk, weights))
        return cls(profiles)

    def suggest(self, text: str) -> int | None:
        """The best moment's id for ``text``, or None when nothing overlaps enough."""
        words = stems(text)
        best, best_score = None, MIN_SCORE - 1
        for moment_id, weights in self.profiles:
            score = sum(weights.get(w, 0) for w in words)
            if score > best_score:
                best, best_score = moment_id, score
        return best
