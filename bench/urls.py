"""URLconf for bench/run.py only: the project's URLs plus a trivial view as the baseline.

The baseline goes through the same middleware stack (sessions, auth, CSRF, CSP, htmx,
rate limits) and the same test client as every page measured beside it, but runs no query
and renders no template: the ratio page/baseline is what the page itself costs.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [*project_urlpatterns, path("__bench__/trivial", trivial, name="bench-trivial")]
