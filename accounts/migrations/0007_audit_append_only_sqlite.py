from django.db import migrations

from accounts.db import SQLITE_AUDIT_TRIGGERS, SQLITE_DROP_AUDIT_TRIGGERS

# The audit log is append-only on SQLite too: triggers refuse UPDATE and DELETE (PostgreSQL has
# its own trigger since 0004). Only `manage.py flush` (test teardown) empties the table, the
# way TRUNCATE does on PostgreSQL: config.sqlite3 lifts the triggers around it.


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_AUDIT_TRIGGERS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP_AUDIT_TRIGGERS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_migrate_drf_tokens")]
    operations = [migrations.RunPython(forwards, backwards)]
