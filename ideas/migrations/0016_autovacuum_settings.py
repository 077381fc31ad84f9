"""Vacuum the hot tables of engagement often (PostgreSQL only).

Every support toggle and comment updates counters of an idea that indexes cover, so no such
update is a heap-only one: each leaves a dead row version behind, and a popular idea's row
piles them up (the toggle benchmark measured the database's CPU per toggle doubling after
~10,000 toggles without a vacuum). The stock thresholds wait for 20 % of a 100,000-row table
to be dead; these settings vacuum at 2 % (ideas) and 1 % (supports), as docs/deployment.md
recommends. Storage parameters only: no table is rewritten.
"""

from django.db import migrations

SETTINGS = {
    "ideas_idea": "autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02",
    "ideas_support": (
        "autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02, "
        "autovacuum_vacuum_insert_scale_factor = 0.05"
    ),
}


def apply(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, params in SETTINGS.items():
        schema_editor.execute(f"ALTER TABLE {table} SET ({params})")


def revert(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, params in SETTINGS.items():
        names = ", ".join(part.split("=")[0].strip() for part in params.split(","))
        schema_editor.execute(f"ALTER TABLE {table} RESET ({names})")


class Migration(migrations.Migration):
    dependencies = [("ideas", "0015_stage_counts")]

    operations = [migrations.RunPython(apply, revert, elidable=True)]
