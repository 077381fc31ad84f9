"""Full-text search of feedback on PostgreSQL only (SQLite falls back to icontains).

A trigger keeps ``search_vector`` current on inserts and on updates that change the text
(including the upserts of a re-import, ``INSERT … ON CONFLICT DO UPDATE``); a GIN index
serves the search.
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
]

BACKWARD = [
    "DROP INDEX IF EXISTS feedback_search_vector_gin",
    "DROP TRIGGER IF EXISTS feedback_item_search_vector_trigger ON feedback_feedbackitem",
    "DROP FUNCTION IF EXISTS feedback_item_search_vector_update()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
