from django.urls import path

from scoring import views

app_name = "scoring"

urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/<int:pk>/", views.scorecard, name="scorecard"),
    path("review/<int:pk>/signals/<slug:key>/", views.score_signal, name="score_signal"),
    path("rounds/", views.rounds, name="rounds"),
    path("scorecards/<int:pk>/", views.scorecard_settings, name="scorecard_settings"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/recompute/", views.round_recompute, name="recompute"),
    path(
        "rounds/<int:pk>/recompute/<str:task_id>/",
        views.recompute_status,
        name="recompute_status",
    ),
    path("rounds/<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("panels/new/", views.panel_edit, name="panel_new"),
    path("panels/<int:pk>/", views.panel_edit, name="panel_edit"),
    path("panels/coverage/", views.panel_coverage, name="panel_coverage"),
]
