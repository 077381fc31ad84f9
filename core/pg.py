"""PostgreSQL-only SQL for migrations: a runner that skips other databases, and the
trigger that keeps a full-text ``search_vector`` column current.

Migrations import these (``core`` imports no app), so each search trigger is written once.
A migration's SQL is history: a change here must leave the statements it builds for existing
migrations exactly as they are.
"""

from collections.abc import Callable, Sequence


def run_on_postgres(statements: Sequence[str]) -> Callable:
    """A ``RunPython`` function executing ``statements`` on PostgreSQL and nothing elsewhere
    (SQLite falls back to portable queries)."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


def search_vector_trigger(
    *, prefix: str, table: str, columns: Sequence[tuple[str, str | None]]
) -> tuple[list[str], list[str]]:
    """The forward and backward statements of a ``BEFORE INSERT OR UPDATE`` trigger that sets
    ``table.search_vector`` (English configuration) from ``columns``, ``(name, weight)``
    pairs with weight ``"A"`` to ``"D"`` or None.

    The vector is recomputed on insert, when a column changes, and when the row brings a NULL
    vector (``Model.save()`` writes one, as does a backfill ``UPDATE … SET search_vector =
    NULL``), so bulk inserts and upserts are covered. Function and trigger are named
    ``<prefix>_search_vector_update`` and ``<prefix>_search_vector_trigger``."""
    function, trigger = f"{prefix}_search_vector_update", f"{prefix}_search_vector_trigger"
    changed = "\n".join(
        f"         OR NEW.{name} IS DISTINCT FROM OLD.{name}" for name, _ in columns
    )
    vectors = [
        f"setweight({_tsvector(name)}, '{weight}')" if weight else _tsvector(name)
        for name, weight in columns
    ]
    if len(vectors) == 1:
        assign = f"NEW.search_vector := {vectors[0]};"
    else:
        assign = "NEW.search_vector :=\n          " + " ||\n          ".join(vectors) + ";"
    forward = [
        f"""
    CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT'
         OR NEW.search_vector IS NULL
{changed} THEN
        {assign}
      END IF;
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
        f"""
    CREATE TRIGGER {trigger}
    BEFORE INSERT OR UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}()
    """,
    ]
    backward = [
        f"DROP TRIGGER IF EXISTS {trigger} ON {table}",
        f"DROP FUNCTION IF EXISTS {function}()",
    ]
    return forward, backward


def _tsvector(column: str) -> str:
    return f"to_tsvector('pg_catalog.english', coalesce(NEW.{column}, ''))"
