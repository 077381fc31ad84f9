"""Shared helpers that every app may import; ``core`` itself imports none of the apps.

- ``core.exceptions``: ``Conflict``, the one "valid request, wrong state" error (HTTP 409).
- ``core.web``: the web helpers for function views (permission check, htmx request type,
  pagination, CSV export with the formula guard, service errors on forms) and the 503 answer
  for a database outage.
- ``core.drf``: the API conventions (pagination, error bodies, ``RulesPermission``).
- ``core.db``: report reads on the optional read replica (``report_read``, ``as_of``,
  ``ReplicaRouter``).
- ``core.pg``: PostgreSQL-only SQL shared by migrations (the search-vector trigger).
- ``core.outbox``: ``enqueue``, the one way to queue a Celery task (a transactional outbox:
  the ``OutboxMessage`` row is written with the change, published after the commit, relayed
  while the broker is down). ``core`` is a Django app for this one table.
"""
