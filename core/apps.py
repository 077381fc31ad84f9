from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers, the transactional outbox (``core.outbox``, which needs a table), and
    the presentation layer's template tags (``{% load juncture %}``).

    ``core`` imports none of the project's apps; every app may import it."""

    name = "core"
    verbose_name = "Core"
