"""API conventions shared by every app: pagination, the rules-based permission class,
409 for every ``core.exceptions.Conflict`` and one error body shape.

Error bodies: 400 -> ``{"field": ["message", ...], "non_field_errors": [...]}``;
every other error -> ``{"detail": "message", "code": "machine_code"}``; a database outage is a
503 with ``code: database_unavailable`` and ``Retry-After``.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions, pagination, permissions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import Conflict
from core.web import DATABASE_UNAVAILABLE_ERRORS, RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE


class ConflictError(exceptions.APIException):
    """The API form of ``core.exceptions.Conflict``: 409 with the conflict's message and code."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class DatabaseUnavailable(exceptions.APIException):
    """The database is down or too slow: 503, try again later."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = UNAVAILABLE_MESSAGE
    default_code = "database_unavailable"


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def _as_field_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if k == "__all__" else k): v
            for k, v in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


def exception_handler(exc, context):
    # Django's own exceptions raised by services become their HTTP equivalents.
    if isinstance(exc, OverflowError | DataError):
        # Last line of defence: a number too large for the database column is bad input.
        exc = exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: ["A value is out of range."]}
        )
    elif isinstance(exc, DATABASE_UNAVAILABLE_ERRORS):
        exc = DatabaseUnavailable()
    elif isinstance(exc, Conflict):
        exc = ConflictError(detail=exc.message, code=exc.code)
    elif isinstance(exc, Ratelimited):
        exc = exceptions.Throttled(detail="Too many requests. Wait a moment and try again.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_as_field_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(response.data, list):
            response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
        return response
    detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    body = {"detail": str(detail), "code": code}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after_seconds"] = int(exc.wait)
    headers = dict(response.headers)
    if isinstance(exc, DatabaseUnavailable):
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return Response(body, status=response.status_code, headers=headers)


class RulesPermission(permissions.BasePermission):
    """Checks the django-rules permission a view names for its action.

    A view sets ``rules_permissions = {"list": "ideas.view_board", "retrieve":
    "ideas.view_idea", ...}`` (a ``"default"`` key covers the rest). For detail actions
    the permission is checked against the object; otherwise against no object.
    An action with no entry and no default is refused, so a new action is closed until
    someone names its permission. A refused caller who may not even see the object (its
    ``"view"``, ``"retrieve"``, ``"get"`` or ``"default"`` rule) gets 404, others 403.
    """

    def _perm(self, request, view) -> str | None:
        table = getattr(view, "rules_permissions", {})
        action = getattr(view, "action", None) or request.method.lower()
        return table.get(action, table.get("default"))

    def has_permission(self, request, view) -> bool:
        perm = self._perm(request, view)
        if perm is None or not request.user.is_authenticated:
            # The API is for signed-in people (tokens or sessions); the token endpoint
            # itself uses AllowAny.
            return False
        if getattr(view, "detail", False) or "pk" in view.kwargs or "slug" in view.kwargs:
            # Object-level: decided in has_object_permission once the object is loaded.
            return True
        return request.user.has_perm(perm)

    def has_object_permission(self, request, view, obj) -> bool:
        perm = self._perm(request, view)
        if perm is not None and request.user.has_perm(perm, obj):
            return True
        # Refused. If the caller may not even see the object (the view's "view" rule, else its
        # "retrieve" or "get" rule, else its default), answer 404 like a missing one, so the API
        # never confirms it exists; someone who may see it but not do this gets 403.
        table = getattr(view, "rules_permissions", {})
        view_perm = next(
            (table[key] for key in ("view", "retrieve", "get", "default") if key in table), None
        )
        if view_perm is None or not request.user.has_perm(view_perm, obj):
            raise exceptions.NotFound()
        return False
