from django.urls import path

from ideas import moderation_views

app_name = "moderation"

urlpatterns = [
    path("moderation/", moderation_views.queue, name="queue"),
    path("moderation/<int:pk>/decide/", moderation_views.decide, name="decide"),
]
