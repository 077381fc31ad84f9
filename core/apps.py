from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared web helpers and the presentation layer's template tags (``{% load juncture %}``).

    ``core`` defines no models and imports no other app: every app may use it."""

    name = "core"
    verbose_name = "Juncture core"
