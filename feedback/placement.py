"""Suggested places on the journey for feedback that arrives without one.

The same question on both databases: which moment's name (counted twice), description,
evidence and stage name share the most words with the item's text? A suggestion needs one
word of the name, or two elsewhere. A curator confirms or corrects.

- **PostgreSQL**: full-text search and trigrams, inside the import's ``INSERT … SELECT`` (no
  round trip per row). Each moment is a weighted search vector (name ``A`` = 1, the rest ``B``
  = 0.5); the item's lexemes, OR-ed, are the query; ``ts_rank`` orders the moments that match,
  and pg_trgm's ``word_similarity`` between the moment's name and the text breaks ties (so
  "app login lockout" wins over a moment that only mentions the app). Real English stems and
  stop words, from the same ``english`` configuration as the feedback search.
- **Elsewhere (SQLite)**: a word-overlap score in Python on crude stems (the first five
  letters) against the few dozen moments of the journey.
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
    journey_id: int | None = None  # PostgreSQL suggests in SQL, for this journey

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
        return cls(profiles, journey_id=journey.pk)

    def suggest(self, text: str) -> int | None:
        """The best moment's id for ``text``, or None when nothing overlaps enough."""
        words = stems(text)
        best, best_score = None, MIN_SCORE - 1
        for moment_id, weights in self.profiles:
            score = sum(weights.get(w, 0) for w in words)
            if score > best_score:
                best, best_score = moment_id, score
        return best


# --- PostgreSQL -------------------------------------------------------------------------------

# ts_rank of one matched lexeme of weight 1 in a one-lexeme query (1/ζ(2), see PostgreSQL's
# calc_rank_or). An OR query's rank is the mean over its lexemes, so rank * lexemes / unit is
# the summed weight of the words that matched: 1 per name word, 0.5 per other word.
RANK_UNIT = 0.6079271
MIN_WEIGHT = 1.0  # one word of the name, or two elsewhere (the fallback's MIN_SCORE)
RANK_WEIGHTS = "{0,0,0.5,1}"  # D, C, B (description, evidence, stage), A (name)


def places_cte() -> str:
    """A ``WITH`` item ``fb_places`` (the journey's moments as weighted search vectors) for
    :func:`suggest_sql`; takes the parameter ``%(journey)s``."""
    from journeys.models import Moment, Stage

    return f"""fb_places AS MATERIALIZED (
      SELECT m.id, m.name,
             setweight(to_tsvector('english', m.name), 'A')
             || setweight(to_tsvector('english',
                  concat_ws(' ', m.description, m.evidence, st.name)), 'B') AS vec
      FROM {Moment._meta.db_table} m JOIN {Stage._meta.db_table} st ON st.id = m.stage_id
      WHERE st.journey_id = %(journey)s)"""


def item_query_sql(vec: str) -> str:
    """The item's lexemes OR-ed into a tsquery (NULL when it has none)."""
    return (
        "NULLIF(array_to_string(ARRAY(SELECT quote_literal(l) "
        f"FROM unnest(tsvector_to_array({vec})) l WHERE l ~ '^[[:alnum:]]+$'), ' | '), '')"
        "::tsquery"
    )


def suggest_sql(*, vec: str, query: str, text: str) -> str:
    """A scalar subquery: the best moment of ``fb_places`` for an item whose search vector,
    OR-query and text are the SQL expressions given, or NULL."""
    rank = f"ts_rank('{RANK_WEIGHTS}', p.vec, {query})"
    return (
        f"(SELECT p.id FROM fb_places p WHERE p.vec @@ {query} "
        f"AND {rank} * length({vec}) >= {RANK_UNIT * MIN_WEIGHT * 0.999:.6f} "
        f"ORDER BY {rank} DESC, word_similarity(p.name, {text}) DESC, p.id LIMIT 1)"
    )


def suggest_many(texts: list[str], journey) -> list[int | None]:
    """Suggestions for several texts in one query on PostgreSQL (the Python scorer
    elsewhere): what the import does, for the placement page's "suggest again" and tests."""
    from django.db import connection

    if connection.vendor != "postgresql":
        suggester = Suggester.for_journey(journey)
        return [suggester.suggest(t) for t in texts]
    if not texts:
        return []
    sql = (
        f"WITH {places_cte()} SELECT {suggest_sql(vec='v.vec', query='q.q', text='t.text')} "
        "FROM unnest(%(texts)s::text[]) WITH ORDINALITY AS t(text, n) "
        "CROSS JOIN LATERAL (SELECT to_tsvector('english', t.text) AS vec) v "
        f"CROSS JOIN LATERAL (SELECT {item_query_sql('v.vec')} AS q) q ORDER BY t.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"journey": journey.pk, "texts": list(texts)})
        return [row[0] for row in cursor.fetchall()]
