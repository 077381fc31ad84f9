from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from insights import rules as _rules  # noqa: F401  (registers the permissions)
        from insights.accuracy import queue_refresh
        from outcomes.services import register_decision_listener

        # outcomes cannot import insights: it calls its listeners after a decision commits,
        # and this one queues the panel-accuracy recompute.
        register_decision_listener(queue_refresh)
        # SQLite drops a table's triggers when a migration rebuilds the table: put the
        # portfolio's back after every migrate (and recompute what they keep).
        from insights.readmodel import ensure_sqlite_triggers

        post_migrate.connect(ensure_sqlite_triggers, sender=self)
