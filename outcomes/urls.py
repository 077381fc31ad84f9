from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("ideas/<int:pk>/experiments/", views.idea_experiments, name="idea_experiments"),
    path("ideas/<int:pk>/experiments/new/", views.experiment_new, name="experiment_new"),
    path("ideas/<int:pk>/value/", views.value, name="value"),
    path("ideas/<int:pk>/value/import/", views.value_import, name="value_import"),
    path("experiments/<int:pk>/", views.experiment_detail, name="experiment"),
    path("experiments/<int:pk>/edit/", views.experiment_edit, name="experiment_edit"),
    path("experiments/<int:pk>/measurements/", views.measurement_add, name="measurement_add"),
    path(
        "experiments/<int:pk>/measurements/import/",
        views.measurement_import,
        name="measurement_import",
    ),
    path("experiments/<int:pk>/decide/", views.decide, name="decide"),
]
