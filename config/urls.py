from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import password_reset, signup
from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The API first: no other pattern starts with api/, and its requests (the support
    # toggles among them) then resolve without trying every page's pattern first.
    path("api/v1/", include(("config.api", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("styleguide/", views.styleguide, name="styleguide"),
    # allauth's sign-up and password-reset views wrapped in Juncture's rate limits; they
    # shadow allauth's own patterns for the same paths, whose names still reverse here.
    path("accounts/signup/", signup),
    path("accounts/password/reset/", password_reset),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # insights serves pages under /journeys/ and /budgets/ (the map, the dashboard).
    path("", include("insights.urls")),
    path("", include("journeys.urls")),
    path("", include("ideas.urls")),
    path("", include("ideas.moderation_urls")),
    path("", include("feedback.urls")),
    path("", include("scoring.urls")),
    path("", include("budgets.urls")),
    path("", include("outcomes.urls")),
]

# A database outage outside a view still answers 503, not 500 (see config.views.server_error).
handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
