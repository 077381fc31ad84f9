"""Indexes for the board at 100,000 ideas (bench/RESULTS.md).

- btree indexes for the board's sorts (newest/oldest, most supported, title), so a page is
  read in index order;
- PostgreSQL only: a trigram GIN index on ``UPPER(title)``. ``title__icontains`` (the
  partial-word half of ``IdeaQuerySet.search``) compiles to ``UPPER(title) LIKE UPPER(%s)``
  on PostgreSQL, which the trigram index on plain ``title`` cannot serve: without this the
  OR in the search forces a sequential scan of every idea.
"""

import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models


FORWARD = (
    "CREATE INDEX IF NOT EXISTS idea_title_upper_trgm ON ideas_idea "
    "USING GIN (UPPER(title::text) gin_trgm_ops)"
)
BACKWARD = "DROP INDEX IF EXISTS idea_title_upper_trgm"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('ideas', '0005_count_estimate'),
        ('journeys', '0002_default_journey'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
        migrations.AddIndex(
            model_name='idea',
            index=models.Index(fields=['created_at', 'id'], name='idea_created_id'),
        ),
        migrations.AddIndex(
            model_name='idea',
            index=models.Index(models.OrderBy(django.db.models.expressions.CombinedExpression(models.F('supports_employees'), '+', models.F('supports_customers')), descending=True), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='idea_support_total'),
        ),
        migrations.AddIndex(
            model_name='idea',
            index=models.Index(fields=['title', 'id'], name='idea_title_id'),
        ),
    ]
