from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def home(request: HttpRequest) -> HttpResponse:
    ctx = {}
    if request.user.has_perm("accounts.view_dashboards"):
        from budgets.models import FiscalYear
        from budgets.selectors import default_fiscal_year

        # The dashboard's fiscal year (today's, else the latest): its target, not a fixed one.
        ctx["fiscal_year"] = default_fiscal_year(list(FiscalYear.objects.order_by("-starts_on")))
    return render(request, "home.html", ctx)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool | None:
    """None when no broker is configured (eager mode)."""
    if not settings.CELERY_BROKER_URL:
        return None
    from config.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_ok()
    broker = _broker_ok()
    healthy = database and broker is not False
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": "ok" if database else "unavailable",
        "broker": {None: "eager", True: "ok", False: "unavailable"}[broker],
    }
    return JsonResponse(body, status=200 if healthy else 503)


def ratelimited(request: HttpRequest, exception=None) -> HttpResponse:
    """429 for a request over its rate limit (django-ratelimit's RATELIMIT_VIEW)."""
    message = "Too many attempts. Wait a few minutes and try again."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "throttled"}, status=429)
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = "60"
    return response
