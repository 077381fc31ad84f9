"""Suggested places on the journey for feedback that arrives without one.

The same question on both databases: which moment's name (counted twice), description,
evidence and stage name share the most words with the item's text? A suggestion needs one
word of the name, or two elsewhere. A curator confirms or corrects.

- **PostgreSQL**: full-text search and trigrams, inside the import's ``INSERT … SELECT`` (no
  round trip per row): the item's search vector against each moment's weighted vector (name
  ``A`` = 1, the rest ``B`` = 0.5), with real English stems and stop words from the same
  ``english`` configuration as the feedback search; pg_trgm's ``word_similarity`` between
  a moment's name and the text breaks ties. See :func:`suggest_ctes`.
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

MIN_WEIGHT = 1.0  # one word of the name (1), or two elsewhere (0.5 each): the fallback's rule


def suggest_ctes(rows: str) -> str:
    """``WITH`` items ending in ``fb_best(n, moment_id)``: the suggested moment of each row
    of the relation ``rows`` (columns ``n``, ``text``, ``vec`` = its search vector,
    ``stage_id``) that has no stage and overlaps a moment enough. Takes ``%(journey)s``.

    Set-based: the moments' lexemes (name weight 1, description, evidence and stage name
    0.5) are joined to the rows' lexemes on equality (a hash join), summed per row and
    moment, and the best moment per row kept. That sum is what ``ts_rank`` measures for a
    query OR-ing the item's words against a moment's weighted vector, without evaluating
    that query against every moment for every row (measured: ~40 times slower). Only when
    two moments tie does pg_trgm's ``word_similarity`` of the moment's name to the text
    decide (computed for those rows only)."""
    from journeys.models import Moment, Stage

    return f"""fb_lexemes AS MATERIALIZED (
      SELECT u.lexeme, m.id AS moment_id, m.name,
             max(CASE WHEN 'A' = ANY(u.weights) THEN 1.0 ELSE 0.5 END) AS weight
      FROM {Moment._meta.db_table} m
      JOIN {Stage._meta.db_table} st ON st.id = m.stage_id
      CROSS JOIN LATERAL unnest(
        setweight(to_tsvector('english', m.name), 'A')
        || setweight(to_tsvector('english',
             concat_ws(' ', m.description, m.evidence, st.name)), 'B')) u
      WHERE st.journey_id = %(journey)s
      GROUP BY 1, 2, 3),
    fb_scores AS (
      SELECT r.n, x.moment_id, x.name, sum(x.weight) AS weight
      FROM {rows} r
      CROSS JOIN LATERAL unnest(tsvector_to_array(r.vec)) l(lexeme)
      JOIN fb_lexemes x ON x.lexeme = l.lexeme
      WHERE r.stage_id IS NULL
      GROUP BY 1, 2, 3
      HAVING sum(x.weight) >= {MIN_WEIGHT}),
    fb_ranked AS (
      SELECT n, moment_id, name, weight,
             rank() OVER (PARTITION BY n ORDER BY weight DESC) AS place,
             count(*) OVER (PARTITION BY n, weight) AS tied
      FROM fb_scores),
    fb_best AS (
      SELECT DISTINCT ON (k.n) k.n, k.moment_id
      FROM fb_ranked k JOIN {rows} r ON r.n = k.n
      WHERE k.place = 1
      ORDER BY k.n,
               CASE WHEN k.tied > 1 THEN word_similarity(k.name, r.text) END DESC NULLS LAST,
               k.moment_id)"""


def suggest_many(texts: list[str], journey) -> list[int | None]:
    """Suggestions for several texts in one query on PostgreSQL (the Python scorer
    elsewhere): the same SQL the import runs."""
    from django.db import connection

    if connection.vendor != "postgresql":
        suggester = Suggester.for_journey(journey)
        return [suggester.suggest(t) for t in texts]
    if not texts:
        return []
    sql = (
        "WITH fb_rows AS MATERIALIZED ("
        "  SELECT t.n, t.text, to_tsvector('english', t.text) AS vec, NULL::bigint AS stage_id"
        "  FROM unnest(%(texts)s::text[]) WITH ORDINALITY AS t(text, n)), "
        f"{suggest_ctes('fb_rows')} "
        "SELECT b.moment_id FROM fb_rows r LEFT JOIN fb_best b ON b.n = r.n ORDER BY r.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"journey": journey.pk, "texts": list(texts)})
        return [row[0] for row in cursor.fetchall()]
