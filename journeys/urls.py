from django.urls import path

from journeys import views

app_name = "journeys"

urlpatterns = [
    path("journeys/moment-options/", views.moment_options, name="moment_options"),
    path("journeys/<int:pk>/edit/", views.journey_edit, name="edit"),
    path("journeys/<int:pk>/stages/add/", views.stage_add, name="stage_add"),
    path("journeys/stages/<int:pk>/edit/", views.stage_edit, name="stage_edit"),
    path("journeys/stages/<int:pk>/move/", views.stage_move, name="stage_move"),
    path("journeys/stages/<int:pk>/moments/add/", views.moment_add, name="moment_add"),
    path("journeys/moments/<int:pk>/edit/", views.moment_edit, name="moment_edit"),
    path("journeys/moments/<int:pk>/delete/", views.moment_delete, name="moment_delete"),
]
