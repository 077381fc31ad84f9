"""Shared helpers that every app may import; ``core`` itself imports none of the apps.

- ``core.exceptions``: ``Conflict``, the one "valid request, wrong state" error (HTTP 409).
- ``core.web``: the web helpers for function views (permission check, htmx request type,
  pagination, CSV export with the formula guard, service errors on forms).
- ``core.drf``: the API conventions (pagination, error bodies, ``RulesPermission``).
"""
