import logging

from django.db import DataError
from django.http import HttpRequest, HttpResponse

from config.views import error_page
from core.web import DATABASE_UNAVAILABLE_ERRORS, unavailable_response

logger = logging.getLogger(__name__)


class BadInputMiddleware:
    """Last line of defence for HTML pages: a value the database cannot hold (an id beyond
    bigint, say) that slipped past a form is bad input, answered with 400, never a 500.
    Views validate their own input first; this only catches what a validator missed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError | DataError):
            return error_page(request, 400, "a value in the request is out of range")
        return None


class DatabaseUnavailableMiddleware:
    """A database outage (refused connection, dropped connection, statement timeout) raised
    by a view or while rendering its template answers the branded 503 page, or JSON 503
    under ``/api/``, never a 500. Failures outside views (a session saved after the view)
    reach ``config.views.server_error``, which answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            logger.warning("database unavailable on %s: %s", request.path, exception)
            return unavailable_response(request)
        return None
