"""The order of the apps: each may use the apps before it, never one after it.

``core`` (shared helpers) may be imported by every app and imports none of them; ``config``
wires everything together and sits above all. An app not yet written keeps its place here so
it lands in the right layer. ``tests/config/test_architecture.py`` enforces the order on
imports, on relations between models, and on the ways around an import (``_meta`` hops,
``apps.get_model``, ``"app_label.Model"`` strings and ORM relation paths).
"""

LAYERS = (
    "accounts",
    "journeys",
    "ideas",
    "feedback",
    "scoring",
    "budgets",
    "outcomes",
    "insights",
)


def rank(app_label: str) -> int | None:
    """The app's place in :data:`LAYERS` (0 is the bottom), or None for anything else."""
    try:
        return LAYERS.index(app_label)
    except ValueError:
        return None
