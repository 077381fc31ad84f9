"""The session store: Django's database sessions, with the read that every signed-in request
makes compiled once per connection.

``django.contrib.sessions.backends.db`` reads a session through the ORM, and building that
one-row query (a lookup on the key and one on the expiry) cost more CPU than running it:
1.6 ms of a page's time on the benchmark machine. Here it is compiled once per database
connection (``core.compiled``) and run prepared on PostgreSQL; what it reads and returns is
Django's: the same row (the key, not yet expired), decoded the same way, and no session at all
(a new key on save) when there is none. Writing, creating and deleting sessions are Django's
own methods.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from core.compiled import compiled

# Stand for the key and the time in the compiled statement (a session key is 32 letters and
# digits, never this; the time is bound as the database adapts it).
_KEY = "juncture:session-key-sentinel"
_NOW = datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=UTC)


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        key = self.session_key
        if not key:
            # Django's lookup of no key finds no row: the session starts empty.
            self._session_key = None
            return {}
        model = self.model
        alias = router.db_for_read(model)
        query = compiled(
            alias,
            "accounts.sessions.load",
            lambda: (
                model.objects.using(alias)
                .filter(session_key=_KEY, expire_date__gt=_NOW)
                .values_list("session_data")
            ),
        )
        adapt = connections[alias].ops.adapt_datetimefield_value
        rows = query.fetch(alias, {_KEY: key, adapt(_NOW): adapt(timezone.now())})
        if not rows:
            self._session_key = None
            return {}
        return self.decode(rows[0][0])
