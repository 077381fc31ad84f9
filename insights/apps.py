from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from insights import rules as _rules  # noqa: F401  (registers the permissions)
