"""PostgreSQL only: a trigram GiST index on the title for duplicate suggestions.

``ideas.search.similar_to`` asks both title measures (similarity, and word similarity of the
text in the title) for their nearest ideas with a KNN scan (``ORDER BY title <-> q`` and
``q <<-> title`` … LIMIT k), which only a GiST trigram index can serve (the GIN index filters,
it cannot order). The few nearest ideas of each measure contain the best ideas overall (see
``similar_to``), so a suggestion reads a few dozen index entries instead of comparing the text
with every idea. No GiST on the need: on long texts it was slower than the GIN index it would
compete with (the planner picked it for ``<%`` and took 4x longer).
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS idea_title_trgm_gist ON ideas_idea "
    "USING GIST (title gist_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS idea_title_trgm_gist",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ideas", "0007_budget_dashboard_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
