"""PostgreSQL: the search-vector trigger runs only when a writer did not supply the vector.

The import computes ``to_tsvector`` once in its ``INSERT … SELECT`` (it needs the vector to
suggest a place) and stores it; the trigger, now with ``WHEN`` conditions, no longer computes
it a second time for every row. Other writers (the ORM, raw SQL that leaves the vector out)
get it filled as before, and an update that changes the text without a new vector recomputes
it.
"""

from django.db import migrations

from core.pg import run_on_postgres, search_vector_trigger

FORWARD = [
    "DROP TRIGGER IF EXISTS feedback_item_search_vector_trigger ON feedback_feedbackitem",
    """
    CREATE OR REPLACE FUNCTION feedback_item_search_vector_update() RETURNS trigger AS $$
    BEGIN
      NEW.search_vector := to_tsvector('pg_catalog.english', coalesce(NEW.text, ''));
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER feedback_item_search_vector_ins
    BEFORE INSERT ON feedback_feedbackitem
    FOR EACH ROW WHEN (NEW.search_vector IS NULL)
    EXECUTE FUNCTION feedback_item_search_vector_update()
    """,
    """
    CREATE TRIGGER feedback_item_search_vector_upd
    BEFORE UPDATE OF text, search_vector ON feedback_feedbackitem
    FOR EACH ROW WHEN (
      NEW.search_vector IS NULL
      OR (NEW.text IS DISTINCT FROM OLD.text
          AND NEW.search_vector IS NOT DISTINCT FROM OLD.search_vector)
    )
    EXECUTE FUNCTION feedback_item_search_vector_update()
    """,
]

# Back to the single trigger of 0002 (the same statements, from the same builder).
_FUNCTION, _, _CREATE_TRIGGER = search_vector_trigger(
    prefix="feedback_item", table="feedback_feedbackitem", columns=[("text", None)]
)[0]
BACKWARD = [
    "DROP TRIGGER IF EXISTS feedback_item_search_vector_ins ON feedback_feedbackitem",
    "DROP TRIGGER IF EXISTS feedback_item_search_vector_upd ON feedback_feedbackitem",
    _FUNCTION,
    _CREATE_TRIGGER,
]


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_feedback_day_triggers")]

    operations = [migrations.RunPython(run_on_postgres(FORWARD), run_on_postgres(BACKWARD))]
