"""Full-text search of feedback on PostgreSQL only (SQLite falls back to icontains).

A trigger keeps ``search_vector`` current on inserts and on updates that change the text
(including the upserts of a re-import, ``INSERT … ON CONFLICT DO UPDATE``); a GIN index
serves the search.
"""

from django.db import migrations

from core.pg import run_on_postgres, search_vector_trigger

TRIGGER, DROP_TRIGGER = search_vector_trigger(
    prefix="feedback_item", table="feedback_feedbackitem", columns=[("text", None)]
)

FORWARD = [
    *TRIGGER,
    "CREATE INDEX IF NOT EXISTS feedback_search_vector_gin ON feedback_feedbackitem "
    "USING GIN (search_vector)",
]

BACKWARD = ["DROP INDEX IF EXISTS feedback_search_vector_gin", *DROP_TRIGGER]


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(run_on_postgres(FORWARD), run_on_postgres(BACKWARD))]
