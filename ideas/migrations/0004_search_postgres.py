"""Full-text and trigram search on PostgreSQL only (SQLite falls back to icontains).

- enables pg_trgm;
- a trigger keeps ``idea.search_vector`` current on every insert and on updates that change
  the text (or write NULL into it, as Model.save() does), so bulk inserts are covered too;
- GIN indexes on the search vector and on the trigram of the title and the need.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION ideas_idea_search_vector_update() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT'
         OR NEW.search_vector IS NULL
         OR NEW.title IS DISTINCT FROM OLD.title
         OR NEW.customer_need IS DISTINCT FROM OLD.customer_need
         OR NEW.proposal IS DISTINCT FROM OLD.proposal THEN
        NEW.search_vector :=
          setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A') ||
          setweight(to_tsvector('pg_catalog.english', coalesce(NEW.customer_need, '')), 'B') ||
          setweight(to_tsvector('pg_catalog.english', coalesce(NEW.proposal, '')), 'C');
      END IF;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS ideas_idea_search_vector_trigger ON ideas_idea",
    """
    CREATE TRIGGER ideas_idea_search_vector_trigger
    BEFORE INSERT OR UPDATE ON ideas_idea
    FOR EACH ROW EXECUTE FUNCTION ideas_idea_search_vector_update()
    """,
    "UPDATE ideas_idea SET search_vector = NULL",
    "CREATE INDEX IF NOT EXISTS idea_search_vector_gin ON ideas_idea USING GIN (search_vector)",
    "CREATE INDEX IF NOT EXISTS idea_title_trgm ON ideas_idea USING GIN (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS idea_need_trgm ON ideas_idea USING GIN (customer_need gin_trgm_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS idea_need_trgm",
    "DROP INDEX IF EXISTS idea_title_trgm",
    "DROP INDEX IF EXISTS idea_search_vector_gin",
    "DROP TRIGGER IF EXISTS ideas_idea_search_vector_trigger ON ideas_idea",
    "DROP FUNCTION IF EXISTS ideas_idea_search_vector_update()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ideas", "0003_attachment_name_notification_emailed")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
