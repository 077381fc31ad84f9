"""Search and duplicate detection over ideas.

``search`` narrows a queryset of ideas to those matching what someone typed (the board's
``q``); ``similar_to`` suggests possible duplicates of a title or need while an idea is being
written. Both take the queryset to search in, so callers start from
``Idea.objects.visible_to(user)`` and nobody is shown an idea they may not see.

On PostgreSQL they use the search vector (kept current by a trigger) and the trigram indexes
created by the ideas migrations; elsewhere a portable word match.
"""

import re

from django.db import connection, models
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from ideas.models import Status


def search(ideas: QuerySet, q: str) -> QuerySet:
    """``ideas`` narrowed to those matching ``q``: PostgreSQL's search vector (GIN index,
    maintained by a trigger), with the title's trigram index catching partial words;
    ``icontains`` on SQLite."""
    q = (q or "").strip()
    if not q:
        return ideas
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        query = SearchQuery(q, config="english", search_type="websearch")
        return ideas.filter(Q(search_vector=query) | Q(title__icontains=q))
    cond = Q()
    for word in _words(q, minimum=1)[:8] or [q]:
        cond &= (
            Q(title__icontains=word)
            | Q(customer_need__icontains=word)
            | Q(proposal__icontains=word)
        )
    return ideas.filter(cond)


def similar_to(ideas: QuerySet, text: str, limit: int = 5) -> list:
    """Up to ``limit`` possible duplicates of ``text`` (a title or a need) among ``ideas``,
    best first, each annotated with ``similarity`` (a list). Drafts and merged ideas are
    never suggested.

    PostgreSQL: ``similarity`` = the greatest of the trigram similarity of the title, the
    word similarity of the text in the title, and 0.8 x its word similarity in the need
    (at least ``SIMILARITY_THRESHOLD``). Comparing the text with every idea is slow on a
    large table, so the candidates are bounded, exactly:

    1. the ``SIMILAR_NEAREST`` nearest ideas by each title measure, read from the GiST
       trigram index in distance order (KNN, ``ORDER BY … LIMIT``), scored in full. An idea
       of the true top ``limit`` whose best measure is a title measure is among the
       nearest by that measure (every idea nearer by it scores at least as high), so it
       is found — except that among ideas of EQUAL similarity (identical titles) the ones
       the index returns first are kept, not necessarily the newest;
    2. only if a need could still beat the ``limit``-th score ``s`` found so far
       (``s <= 0.8``): the ideas whose need word similarity is at least
       ``max(threshold, s) / 0.8``, through the GIN index and the ``<%`` operator (its
       threshold set for this transaction only, like ``SET LOCAL``).

    Elsewhere: a word-overlap score computed in SQL (a title word counts 2, a need word
    1) over ideas sharing at least one word.
    """
    text = (text or "").strip()[:300]
    base = ideas.exclude(status__in=[Status.DRAFT, Status.MERGED])
    if len(text) < 3:
        return []
    if connection.vendor == "postgresql":
        return _similar_postgres(base, text, limit)
    words = _words(text)[:10]
    if not words:
        return []
    match = Q()
    score = Value(0)
    for word in words:
        match |= Q(title__icontains=word) | Q(customer_need__icontains=word)
        score = (
            score
            + Case(When(title__icontains=word, then=Value(2)), default=Value(0))
            + Case(When(customer_need__icontains=word, then=Value(1)), default=Value(0))
        )
    # Normalised to 0..1 like pg_trgm's similarity (every word in title and need = 1).
    return list(
        base.filter(match)
        .annotate(overlap=models.ExpressionWrapper(score, output_field=IntegerField()))
        .filter(overlap__gte=2)
        .annotate(
            similarity=models.ExpressionWrapper(
                F("overlap") * Value(1.0) / Value(3.0 * len(words)),
                output_field=models.FloatField(),
            )
        )
        .order_by("-overlap", "-created_at")[:limit]
    )


SIMILARITY_THRESHOLD = 0.3
# The need's word similarity counts this much in ``similar_to``.
NEED_WEIGHT = 0.8
# Nearest ideas read per title measure (KNN): 4 x the usual 5 leaves room for ties.
SIMILAR_NEAREST = 20


def _similar_postgres(base, text: str, limit: int) -> list:
    """``similar_to`` on PostgreSQL (see there)."""
    from django.contrib.postgres.search import (
        TrigramDistance,
        TrigramSimilarity,
        TrigramWordDistance,
        TrigramWordSimilarity,
    )
    from django.db import transaction
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import Greatest

    def scored(qs):
        return list(
            qs.annotate(
                similarity=Greatest(
                    TrigramSimilarity("title", text),
                    TrigramWordSimilarity(text, "title"),
                    TrigramWordSimilarity(text, "customer_need") * Value(NEED_WEIGHT),
                )
            )
            .filter(similarity__gte=SIMILARITY_THRESHOLD)
            .order_by("-similarity", "-created_at")[:limit]
        )

    # 1. The nearest ideas by each title measure (KNN on the GiST index), scored.
    nearest, params = [], []
    for distance in (TrigramDistance("title", text), TrigramWordDistance(text, "title")):
        sql, p = base.order_by(distance).values("pk")[:SIMILAR_NEAREST].query.sql_with_params()
        nearest.append(f"({sql})")
        params.extend(p)
    union = RawSQL(f"SELECT n.pk FROM ({' UNION '.join(nearest)}) AS n", params)
    found = scored(base.filter(pk__in=union))
    bar = found[-1].similarity if len(found) == limit else SIMILARITY_THRESHOLD
    if bar > NEED_WEIGHT:
        return found  # no need can score more than NEED_WEIGHT: the titles settle it
    # 2. Ideas whose need can reach the bar: q <% need (word_similarity(q, need) >= the
    # threshold, GIN index), the threshold set for this transaction only (like SET LOCAL).
    # A hair below the bar: the exact comparison is the >= in scored(); this only prunes.
    need_min = max(bar, SIMILARITY_THRESHOLD) / NEED_WEIGHT - 1e-6
    need = f'"{base.model._meta.db_table}"."customer_need"'
    by_need = base.filter(RawSQL(f"%s <%% {need}", [text], output_field=models.BooleanField()))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(need_min)]
        )
        more = scored(by_need)
    best = {idea.pk: idea for idea in found + more}.values()
    return sorted(best, key=lambda i: (-i.similarity, -i.created_at.timestamp()))[:limit]


_STOPWORDS = set(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "have",
        "into",
        "when",
        "they",
        "their",
        "them",
        "our",
        "your",
        "are",
        "was",
        "were",
        "will",
        "would",
        "could",
        "should",
        "about",
        "after",
        "before",
        "than",
        "then",
        "there",
        "what",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "how",
        "can",
        "not",
        "but",
        "all",
        "any",
        "each",
        "more",
        "most",
        "some",
        "such",
        "only",
        "own",
        "same",
        "very",
        "just",
        "also",
        "customers",
        "customer",
        "need",
        "needs",
        "want",
        "wants",
    ]
)


def _words(text: str, minimum: int = 4) -> list[str]:
    """Distinct lower-case words of ``text`` worth matching on, longest first."""
    seen: dict[str, None] = {}
    for word in re.findall(r"[\w'-]+", text.lower()):
        word = word.strip("'-")
        if len(word) >= minimum and word not in _STOPWORDS:
            seen.setdefault(word, None)
    return sorted(seen, key=len, reverse=True)
