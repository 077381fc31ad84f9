"""The journey map's counters: published ideas per (stage, campaign, status) with their
evidence volume and latest-score sums (``ideas.StageCount``); and the dashboard funnel's:
ideas per day of creation (UTC) and status (``ideas.IdeaDay``).

PostgreSQL keeps them in step with ``ideas_idea`` through statement triggers with transition
tables: one grouped upsert per statement whatever the number of rows, every writer covered
(ORM saves, bulk updates, raw SQL, the SET NULL of a deleted stage, the scoring job's update of
``latest_score``). An UPDATE counts only the rows whose stage, campaign, status, moderation,
latest score or evidence volume changed, so the frequent counter updates (supports, comments)
write nothing. Each change is applied twice: to the stage's row of every idea (campaign key 0)
and to its campaign's row. Keys are written in order, so concurrent writers take the counters'
row locks in the same order and cannot deadlock on them.

TRUNCATE fires no trigger: run ``manage.py rebuild_stage_counts`` after one. Elsewhere
(SQLite) nothing is installed and the map counts the ideas themselves.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

from core.pg import run_on_postgres

STATUS_CHOICES = [
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("screening", "Screening"),
                            ("in_review", "In review"),
                            ("shortlisted", "Shortlisted"),
                            ("approved", "Approved"),
                            ("funded", "Funded"),
                            ("in_experiment", "In experiment"),
                            ("launched", "Launched"),
                            ("parked", "Parked"),
                            ("rejected", "Rejected"),
                            ("merged", "Merged"),
                        ]

# The counted columns of a set of idea rows, once per stage (campaign key 0) and once per
# (stage, campaign); ideas without a campaign have no campaign row.
_ADD = """
  INSERT INTO ideas_stagecount
    (stage_id, campaign_key, status, ideas, customers_affected, score_sum, scored)
  SELECT stage_id, CASE WHEN GROUPING(campaign_id) = 1 THEN 0 ELSE campaign_id END, status,
         {sign} count(*), {sign} coalesce(sum(customers_affected), 0),
         {sign} coalesce(sum(latest_score), 0), {sign} count(latest_score)
  FROM {rows} AS r
  WHERE stage_id IS NOT NULL AND moderation = 'published'
  GROUP BY GROUPING SETS ((stage_id, status), (stage_id, campaign_id, status))
  HAVING GROUPING(campaign_id) = 1 OR campaign_id IS NOT NULL
  ORDER BY 1, 2, 3
  ON CONFLICT (stage_id, campaign_key, status) DO UPDATE
    SET ideas = ideas_stagecount.ideas + EXCLUDED.ideas,
        customers_affected = ideas_stagecount.customers_affected + EXCLUDED.customers_affected,
        score_sum = ideas_stagecount.score_sum + EXCLUDED.score_sum,
        scored = ideas_stagecount.scored + EXCLUDED.scored;
"""
# Every idea of a set of rows per day of creation (UTC) and status.
_ADD_DAY = """
  INSERT INTO ideas_ideaday (day, status, ideas)
  SELECT (created_at AT TIME ZONE 'UTC')::date, status, {sign} count(*)
  FROM {rows} AS r
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (day, status) DO UPDATE SET ideas = ideas_ideaday.ideas + EXCLUDED.ideas;
"""
# An UPDATE counts only the rows whose counted columns changed: the old side is subtracted,
# the new side added.
_CHANGED = """(
  SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.stage_id, o.campaign_id, o.status, o.moderation, o.latest_score,
         o.customers_affected)
        IS DISTINCT FROM
        (n.stage_id, n.campaign_id, n.status, n.moderation, n.latest_score,
         n.customers_affected)
)"""

# EXCEPT compares the two sides by hashing (NULLs equal, as IS DISTINCT FROM): a semi-join of
# the transition tables, which have no statistics, was planned as a nested loop (an UPDATE of
# 10,000 ideas that changed no counted column: 10^8 comparisons, 26 s).
_CHANGED_ANY = """(
  SELECT id, stage_id, campaign_id, status, moderation, latest_score, customers_affected,
         created_at
  FROM old_rows
  EXCEPT
  SELECT id, stage_id, campaign_id, status, moderation, latest_score, customers_affected,
         created_at
  FROM new_rows
)"""
_CHANGED_DAY = """(
  SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.status, o.created_at) IS DISTINCT FROM (n.status, n.created_at)
)"""

FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION ideas_stage_count_inserted() RETURNS trigger AS $$
    BEGIN
      {_ADD.format(sign="", rows="new_rows")}
      {_ADD_DAY.format(sign="", rows="new_rows")}
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION ideas_stage_count_deleted() RETURNS trigger AS $$
    BEGIN
      {_ADD.format(sign="-", rows="old_rows")}
      {_ADD_DAY.format(sign="-", rows="old_rows")}
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION ideas_stage_count_updated() RETURNS trigger AS $$
    BEGIN
      -- Most updates of ideas change none of the counted columns (supports, comments):
      -- one look at the changed rows, and nothing written.
      IF NOT EXISTS {_CHANGED_ANY} THEN RETURN NULL; END IF;
      {_ADD.format(sign="-", rows=_CHANGED.format(side="o"))}
      {_ADD.format(sign="", rows=_CHANGED.format(side="n"))}
      {_ADD_DAY.format(sign="-", rows=_CHANGED_DAY.format(side="o"))}
      {_ADD_DAY.format(sign="", rows=_CHANGED_DAY.format(side="n"))}
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS ideas_stage_count_ins ON ideas_idea",
    "DROP TRIGGER IF EXISTS ideas_stage_count_del ON ideas_idea",
    "DROP TRIGGER IF EXISTS ideas_stage_count_upd ON ideas_idea",
    "CREATE TRIGGER ideas_stage_count_ins AFTER INSERT ON ideas_idea "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION ideas_stage_count_inserted()",
    "CREATE TRIGGER ideas_stage_count_del AFTER DELETE ON ideas_idea "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION ideas_stage_count_deleted()",
    "CREATE TRIGGER ideas_stage_count_upd AFTER UPDATE ON ideas_idea "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION ideas_stage_count_updated()",
    # The ideas that exist already.
    "DELETE FROM ideas_stagecount",
    _ADD.format(sign="", rows="ideas_idea"),
    "DELETE FROM ideas_ideaday",
    _ADD_DAY.format(sign="", rows="ideas_idea"),
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS ideas_stage_count_ins ON ideas_idea",
    "DROP TRIGGER IF EXISTS ideas_stage_count_del ON ideas_idea",
    "DROP TRIGGER IF EXISTS ideas_stage_count_upd ON ideas_idea",
    "DROP FUNCTION IF EXISTS ideas_stage_count_inserted()",
    "DROP FUNCTION IF EXISTS ideas_stage_count_deleted()",
    "DROP FUNCTION IF EXISTS ideas_stage_count_updated()",
]


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0014_transition_to_status_at"),
        ("journeys", "0002_default_journey"),
    ]

    operations = [
        migrations.CreateModel(
            name="StageCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("campaign_key", models.IntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=STATUS_CHOICES,
                        max_length=16,
                    ),
                ),
                ("ideas", models.IntegerField(default=0)),
                ("customers_affected", models.BigIntegerField(default=0)),
                (
                    "score_sum",
                    models.DecimalField(decimal_places=6, default=Decimal("0"), max_digits=20),
                ),
                ("scored", models.IntegerField(default=0)),
                (
                    "stage",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="idea_counts",
                        to="journeys.stage",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("stage", "campaign_key", "status"), name="stagecount_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="IdeaDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("status", models.CharField(choices=STATUS_CHOICES, max_length=16)),
                ("ideas", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("day", "status"), name="ideaday_key")
                ],
            },
        ),
        migrations.RunPython(run_on_postgres(FORWARD), run_on_postgres(BACKWARD)),
    ]
