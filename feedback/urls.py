from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("feedback/", views.item_list, name="list"),
    path("feedback/<int:pk>/", views.item_detail, name="detail"),
    path("feedback/<int:pk>/link/", views.link, name="link"),
    path("feedback/<int:pk>/unlink/<int:idea_id>/", views.unlink, name="unlink"),
    path("feedback/imports/new/", views.import_new, name="import_new"),
    path("feedback/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("feedback/imports/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path(
        "feedback/imports/<int:pk>/rejected.csv",
        views.import_rejected_csv,
        name="import_rejected",
    ),
    path("feedback/placements/", views.placements, name="placements"),
    path("feedback/ideas/<int:idea_id>/", views.idea_feedback, name="idea_feedback"),
    path("feedback/customers/<str:ref>/", views.customer, name="customer"),
    path("feedback/customers/<str:ref>/delete/", views.customer_delete, name="customer_delete"),
    path("feedback/journey/<int:journey_id>/", views.journey_overlay, name="journey"),
]
