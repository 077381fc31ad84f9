"""Rendered fragments of pages, cached under a digest of everything they show.

A fragment is a region of a page whose markup costs more to build than its figures cost to
read, and whose figures change rarely (a report's summary, a closed round's results). It is
cached under a digest of the figures it shows, the language and time zone it is written in,
and the source files that write its markup: other figures, or other code after a deploy, give
another key, so a cached fragment is never stale and needs no invalidation. A cache that fails
costs only the rendering.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

FRAGMENT_CACHE_SECONDS = 24 * 3600


@functools.cache
def _sources_digest(sources: tuple[str, ...]) -> str:
    """A digest of the files (relative to the project) that write a fragment's markup, read
    once per process."""
    digest = hashlib.sha256()
    for source in sources:
        try:
            digest.update(Path(settings.BASE_DIR, source).read_bytes())
        except OSError:  # a deploy without the sources (compiled files only): by name
            digest.update(source.encode())
    return digest.hexdigest()


def cached_fragments(
    name: str,
    figures: list,
    render: Callable[[], Iterable[str]],
    *,
    sources: tuple[str, ...] = (),
) -> list[SafeString]:
    """The fragments ``render()`` returns (HTML it escaped itself), cached under a digest of
    ``figures`` (every value they show, JSON-able or printable), the language, the time zone
    and the ``sources`` that write them."""
    data = json.dumps(
        [
            *figures,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            _sources_digest(tuple(sources)),
        ],
        sort_keys=True,
        default=str,
    )
    key = f"fragment:{name}:" + hashlib.sha256(data.encode()).hexdigest()
    try:
        parts = cache.get(key)
    except Exception:  # the cache is an optimisation: a cache that is down costs a render
        parts = None
    if parts is None:
        parts = [str(part) for part in render()]
        with contextlib.suppress(Exception):
            cache.set(key, parts, FRAGMENT_CACHE_SECONDS)
    return [mark_safe(part) for part in parts]  # our own escaped output, as it was rendered
