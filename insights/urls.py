"""The insights pages, at the URLs they have always had (``/journeys/…`` for the map,
``/budgets/`` for the dashboard). Included by config.urls before the journeys and budgets
URLs, so neither of those apps refers to insights."""

from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("journeys/", views.default_map, name="journey_default"),
    path("journeys/<int:pk>/", views.journey_map, name="journey_map"),
    path("journeys/<int:pk>/stages/<int:stage_pk>/ideas/", views.stage_ideas, name="journey_cell"),
    path("budgets/", views.dashboard, name="dashboard"),
    path("budgets/<int:pk>/summary.csv", views.summary_csv, name="summary_csv"),
]
