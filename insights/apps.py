from django.apps import AppConfig


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
