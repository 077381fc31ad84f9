"""Vendor-specific parts of the feedback schema.

PostgreSQL: a trigger keeps ``search_vector`` current on inserts and on updates that change
the text (including the upserts of a re-import, ``INSERT … ON CONFLICT DO UPDATE``); a GIN
index serves the search (SQLite falls back to icontains).

Both: ``fb_stage_received`` on (stage, received_on), for lookups and filters by stage.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION feedback_item_search_vector_update() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT'
         OR NEW.search_vector IS NULL
         OR NEW.text IS DISTINCT FROM OLD.text THEN
        NEW.search_vector := to_tsvector('pg_catalog.english', coalesce(NEW.text, ''));
      END IF;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS feedback_item_search_vector_trigger ON feedback_feedbackitem",
    """
    CREATE TRIGGER feedback_item_search_vector_trigger
    BEFORE INSERT OR UPDATE ON feedback_feedbackitem
    FOR EACH ROW EXECUTE FUNCTION feedback_item_search_vector_update()
    """,
    "CREATE INDEX IF NOT EXISTS feedback_search_vector_gin ON feedback_feedbackitem "
    "USING GIN (search_vector)",
    "CREATE INDEX IF NOT EXISTS fb_stage_received ON feedback_feedbackitem "
    "(stage_id, received_on)",
]
FORWARD_OTHER = [
    "CREATE INDEX IF NOT EXISTS fb_stage_received ON feedback_feedbackitem "
    "(stage_id, received_on)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS fb_stage_received",
    "DROP INDEX IF EXISTS feedback_search_vector_gin",
    "DROP TRIGGER IF EXISTS feedback_item_search_vector_trigger ON feedback_feedbackitem",
    "DROP FUNCTION IF EXISTS feedback_item_search_vector_update()",
]


def _run(postgres, other):
    def run(apps, schema_editor):
        statements = postgres if schema_editor.connection.vendor == "postgresql" else other
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run(FORWARD, FORWARD_OTHER), _run(BACKWARD, ["DROP INDEX IF EXISTS fb_stage_received"])
        )
    ]
