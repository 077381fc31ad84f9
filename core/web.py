"""Web helpers shared by every app's function views, and the one 503 for a database outage."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """Typing aid: django-htmx's middleware sets ``request.htmx``."""

    htmx: HtmxDetails


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse`` or ``get_absolute_url``) on ``SITE_URL``, for links that
    leave the site: e-mail, exports."""
    return settings.SITE_URL + "/" + path.lstrip("/")


def client_ip(request: HttpRequest) -> str:
    """The client's address for rate limits and audit: ``REMOTE_ADDR`` unless
    ``TRUSTED_PROXY_COUNT`` proxies sit in front, in which case the entry that many places
    from the right of ``X-Forwarded-For`` (the address the outermost trusted proxy saw).
    Entries further left were written by the client and are never trusted.

    The one definition used by django-ratelimit (``RATELIMIT_IP_META_KEY``) and by DRF's
    throttles (``NUM_PROXIES`` is the same setting and follows the same rule)."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


def require_perm(user, perm: str, obj: Any = None, *, message: str | None = None) -> None:
    """Raise PermissionDenied unless ``user`` has the named rule ``perm`` (on ``obj``).

    The one spelling of a permission check for views (``require_perm(request.user, ...)``)
    and services (``require_perm(actor, ...)``); ``user`` may be None in services.
    """
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message or "You are not allowed to do that.")


def is_partial(request: HttpRequest, target: str) -> bool:
    """An htmx request swapping ``target`` (but not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """Mark a response that differs for htmx requests, so caches keep both versions."""
    patch_vary_headers(response, ["HX-Request"])
    return response


def paginate(
    request: HttpRequest,
    object_list,
    per_page: int,
    *,
    paginator_class: type[Paginator] = Paginator,
) -> Page:
    """The page named by ``?page=`` (the last page for a number past the end, the first for
    anything that is not a number); render it with ``components/pagination.html``."""
    return paginator_class(object_list, per_page).get_page(request.GET.get("page"))


# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet: text that would start a formula is prefixed
    with an apostrophe; numbers (including negative ones) are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(
    filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    """A CSV download streamed row by row; every cell goes through ``csv_cell``."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def add_service_errors(form: forms.BaseForm, exc: forms.ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors next to their fields,
    the rest (and errors for fields the form does not have) at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Database outages ------------------------------------------------------------------------

# What a database that is down, restarting or too slow looks like from Django: refused or
# dropped connections, a closed connection, a statement timeout. Other database errors
# (a bad query, an integrity error) are bugs or conflicts, not outages.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = (
    "Juncture cannot reach its database just now. Nothing you saved is lost; "
    "please try again in a minute."
)


def unavailable_response(request: HttpRequest | None) -> HttpResponse:
    """503 with ``Retry-After``: JSON ``{detail, code}`` under ``/api/``, otherwise the
    standalone 503 page. Renders without a request context, so it needs no database (the
    site layout reads the user and their permissions)."""
    if request is not None and request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": UNAVAILABLE_MESSAGE, "code": "database_unavailable"}, status=503
        )
    else:
        html = render_to_string(
            "503.html",
            {
                "message": UNAVAILABLE_MESSAGE,
                "retry_after": RETRY_AFTER_SECONDS,
                "stylesheet": _stylesheet_url(),
            },
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _stylesheet_url() -> str:
    # The hashed name when collectstatic has run; the plain one (also served) otherwise, so
    # the outage page never fails on a missing manifest entry.
    try:
        return static("css/juncture.css")
    except ValueError:
        return f"{settings.STATIC_URL}css/juncture.css"
