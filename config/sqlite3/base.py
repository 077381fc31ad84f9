"""Django's SQLite backend, with a flush that can empty the append-only audit log.

On SQLite the audit table refuses UPDATE and DELETE by trigger, and ``flush`` (used between
transactional tests) empties tables with DELETE. Like TRUNCATE on PostgreSQL, which row
triggers do not see, a flush lifts the triggers, empties the table and puts them back, in
the flush's own transaction. Nothing else in the application deletes audit events.
"""

from django.db.backends.sqlite3 import base, operations

from accounts.db import SQLITE_AUDIT_TRIGGERS, SQLITE_DROP_AUDIT_TRIGGERS

AUDIT_TABLE = "accounts_auditevent"


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if AUDIT_TABLE not in tables:
            return statements
        return [*SQLITE_DROP_AUDIT_TRIGGERS, *statements, *SQLITE_AUDIT_TRIGGERS]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
