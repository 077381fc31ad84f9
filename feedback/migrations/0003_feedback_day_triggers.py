"""PostgreSQL keeps ``feedback_feedbackday`` (placed items per stage, moment and day) in step
with the items: statement triggers with transition tables, so a chunk of an import costs one
aggregate, not one write per row. Every writer is covered (ORM, bulk upserts, raw SQL, the
SET NULL of a deleted moment). Keys are written in order, so two concurrent imports take
their row locks in the same order and cannot deadlock on the roll-up.

TRUNCATE fires no trigger: truncate the roll-up with the items. Elsewhere (SQLite) nothing is
installed and the overlay counts the items themselves.
"""

from django.db import migrations

from core.pg import run_on_postgres

_ADD = """
  INSERT INTO feedback_feedbackday (stage_id, moment_key, day, volume, negative)
  SELECT stage_id, COALESCE(moment_id, 0), received_on, {sign} count(*),
         {sign} count(*) FILTER (WHERE is_negative)
  FROM {rows} WHERE stage_id IS NOT NULL
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (stage_id, moment_key, day) DO UPDATE
    SET volume = feedback_feedbackday.volume + EXCLUDED.volume,
        negative = feedback_feedbackday.negative + EXCLUDED.negative;
"""

FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION feedback_day_inserted() RETURNS trigger AS $$
    BEGIN {_ADD.format(sign="", rows="new_rows")} RETURN NULL; END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION feedback_day_deleted() RETURNS trigger AS $$
    BEGIN {_ADD.format(sign="-", rows="old_rows")} RETURN NULL; END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION feedback_day_updated() RETURNS trigger AS $$
    BEGIN
      {_ADD.format(sign="-", rows="old_rows")}
      {_ADD.format(sign="", rows="new_rows")}
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS feedback_day_ins ON feedback_feedbackitem",
    "DROP TRIGGER IF EXISTS feedback_day_del ON feedback_feedbackitem",
    "DROP TRIGGER IF EXISTS feedback_day_upd ON feedback_feedbackitem",
    "CREATE TRIGGER feedback_day_ins AFTER INSERT ON feedback_feedbackitem "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_day_inserted()",
    "CREATE TRIGGER feedback_day_del AFTER DELETE ON feedback_feedbackitem "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION feedback_day_deleted()",
    "CREATE TRIGGER feedback_day_upd AFTER UPDATE ON feedback_feedbackitem "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION feedback_day_updated()",
    # Items that exist already.
    "DELETE FROM feedback_feedbackday",
    """
    INSERT INTO feedback_feedbackday (stage_id, moment_key, day, volume, negative)
    SELECT stage_id, COALESCE(moment_id, 0), received_on, count(*),
           count(*) FILTER (WHERE is_negative)
    FROM feedback_feedbackitem WHERE stage_id IS NOT NULL GROUP BY 1, 2, 3
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS feedback_day_ins ON feedback_feedbackitem",
    "DROP TRIGGER IF EXISTS feedback_day_del ON feedback_feedbackitem",
    "DROP TRIGGER IF EXISTS feedback_day_upd ON feedback_feedbackitem",
    "DROP FUNCTION IF EXISTS feedback_day_inserted()",
    "DROP FUNCTION IF EXISTS feedback_day_deleted()",
    "DROP FUNCTION IF EXISTS feedback_day_updated()",
]


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_search_postgres")]

    operations = [migrations.RunPython(run_on_postgres(FORWARD), run_on_postgres(BACKWARD))]
