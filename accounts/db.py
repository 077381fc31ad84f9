"""SQL that keeps the audit log append-only in the database itself (see migrations 0004 for
PostgreSQL and 0007 for SQLite, and ``config.sqlite3`` for how a flush empties it)."""

SQLITE_AUDIT_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS accounts_auditevent_no_update
BEFORE UPDATE ON accounts_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS accounts_auditevent_no_delete
BEFORE DELETE ON accounts_auditevent
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_DROP_AUDIT_TRIGGERS = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_update",
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_delete",
]
