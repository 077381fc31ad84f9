from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers, plus the transactional outbox (``core.outbox``), which needs a table.

    ``core`` imports none of the project's apps; every app may import it."""

    name = "core"
    verbose_name = "Core"
