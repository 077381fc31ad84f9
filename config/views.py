import logging
import os
import sys

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from core.web import DATABASE_UNAVAILABLE_ERRORS, require_perm, unavailable_response

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """A dashboard per role: each block the person's roles call for (several roles, several
    blocks), each read by a selector of the app that owns the data."""
    user = request.user
    ctx: dict = {}
    if not user.is_authenticated:
        return render(request, "home.html", ctx)
    from ideas import selectors as ideas_selectors

    if user.has_perm("ideas.add_idea"):
        ctx["my_ideas"] = ideas_selectors.my_ideas(user)
        ctx["campaigns"] = ideas_selectors.open_campaigns(user)
        ctx["moved"] = ideas_selectors.followed_moves(user)
        ctx["moved_days"] = ideas_selectors.MOVED_DAYS
    if user.has_perm("scoring.review"):
        from scoring.selectors import reviews_due

        ctx["reviews_due"] = reviews_due(user)
    if user.has_perm("accounts.manage_innovation"):
        from scoring.selectors import rounds_closing

        ctx["triage"] = ideas_selectors.triage(stuck_days=settings.IDEA_STUCK_DAYS)
        ctx["rounds_closing"] = rounds_closing()
    if user.has_perm("insights.view_headline"):
        from budgets.models import FiscalYear
        from budgets.selectors import default_fiscal_year, fiscal_year_headline

        # The dashboard's fiscal year (today's, else the latest) and its headline money.
        fy = default_fiscal_year(list(FiscalYear.objects.order_by("-starts_on")))
        ctx["show_headline"] = True
        ctx["fiscal_year"] = fy
        ctx["budget"] = fiscal_year_headline(fy) if fy else None
    return render(request, "home.html", ctx)


class _SampleForm(forms.Form):
    """A form for the style guide: each field type once, bound with errors to show them."""

    title = forms.CharField(
        max_length=120, help_text="One line a customer would understand, 10 to 120 characters."
    )
    amount = forms.DecimalField(label="Amount (EUR)", min_value=0)
    audience = forms.ChoiceField(
        choices=[("employees", "Employees"), ("customers", "Customers"), ("everyone", "Everyone")],
        widget=forms.RadioSelect,
    )
    opens_on = forms.DateField(
        label="Opens on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notify = forms.BooleanField(label="Tell the followers", required=False)

    def clean(self):
        raise forms.ValidationError("The campaign must close after it opens.")


@login_required
@require_GET
def styleguide(request: HttpRequest) -> HttpResponse:
    """Every component of the design system, rendered with sample content."""
    require_perm(request.user, "accounts.view_styleguide")
    icons = sorted(
        name.removesuffix(".svg")
        for name in os.listdir(settings.BASE_DIR / "static" / "vendor" / "lucide" / "icons")
    )
    context = {
        "form": _SampleForm(data={"title": "Hi", "amount": "-5", "audience": "everyone"}),
        "sample_page": Paginator(range(60), 10).get_page(3),
        "icons": icons,
        "statuses": [
            "draft",
            "submitted",
            "screening",
            "in_review",
            "shortlisted",
            "approved",
            "funded",
            "in_experiment",
            "launched",
            "parked",
            "rejected",
            "merged",
        ],
        "today": timezone.now(),
    }
    return render(request, "styleguide.html", context)


# --- Error pages -----------------------------------------------------------------------------
# Django's defaults for 400 and 500 render without the request, so the layout would lose the
# signed-in user, the CSP nonce and the navigation; these render inside the layout. API paths
# keep a JSON body.


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """The error page for ``status`` (400, 403, 404, 500) inside the layout, or the API's JSON
    error body under /api/. ``message`` is shown to the person, so write it for them."""
    if request.path.startswith("/api/"):
        detail, code = _API_MESSAGES[status]
        return JsonResponse({"detail": message or detail, "code": code}, status=status)
    return render(request, f"{status}.html", {"message": message}, status=status)


# The same shape as the API's own errors (core.drf): a detail and a code.
_API_MESSAGES = {
    400: ("Bad request.", "bad_request"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    500: ("Server error.", "error"),
}


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    # The message of a PermissionDenied raised by require_perm is written for people.
    message = str(exception) if exception is not None and exception.args else ""
    return error_page(request, 403, message)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an unhandled database outage anywhere (middleware included) is a 503 with
    ``Retry-After``; anything else is the branded 500 page, or, if the layout itself cannot
    render, a page without it: a 500 must never raise."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE_ERRORS):
        return unavailable_response(request)
    try:
        return error_page(request, 500)
    except Exception:
        logger.exception("the 500 page could not render inside the layout")
        html = loader.get_template("500_plain.html").render()
        return HttpResponse(html, status=500)


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
