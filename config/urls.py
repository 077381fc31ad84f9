from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # insights serves pages under /journeys/ and /budgets/ (the map, the dashboard).
    path("", include("insights.urls")),
    path("", include("journeys.urls")),
    path("", include("ideas.urls")),
    path("", include("scoring.urls")),
    path("", include("budgets.urls")),
]
