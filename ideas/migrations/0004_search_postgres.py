"""Full-text and trigram search on PostgreSQL only (SQLite falls back to icontains).

- enables pg_trgm;
- a trigger keeps ``idea.search_vector`` current on every insert and on updates that change
  the text (or write NULL into it, as Model.save() does), so bulk inserts are covered too;
- GIN indexes on the search vector and on the trigram of the title and the need.
"""

from django.db import migrations

from core.pg import run_on_postgres, search_vector_trigger

TRIGGER, DROP_TRIGGER = search_vector_trigger(
    prefix="ideas_idea",
    table="ideas_idea",
    columns=[("title", "A"), ("customer_need", "B"), ("proposal", "C")],
)

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *TRIGGER,
    "UPDATE ideas_idea SET search_vector = NULL",
    "CREATE INDEX IF NOT EXISTS idea_search_vector_gin ON ideas_idea USING GIN (search_vector)",
    "CREATE INDEX IF NOT EXISTS idea_title_trgm ON ideas_idea USING GIN (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS idea_need_trgm ON ideas_idea USING GIN (customer_need gin_trgm_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS idea_need_trgm",
    "DROP INDEX IF EXISTS idea_title_trgm",
    "DROP INDEX IF EXISTS idea_search_vector_gin",
    *DROP_TRIGGER,
]


class Migration(migrations.Migration):
    dependencies = [("ideas", "0003_attachment_name_notification_emailed")]

    operations = [migrations.RunPython(run_on_postgres(FORWARD), run_on_postgres(BACKWARD))]
