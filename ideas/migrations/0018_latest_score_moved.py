"""``Idea.latest_score`` moves to a narrow table of its own, ``LatestScore`` (one row per
scored idea): a scoring run that moves 10,000 ideas' scores rewrites 10,000 small rows
instead of 10,000 wide idea rows with their 22 indexes. The values are copied, the column and
its index go, and the stage counters' score sums follow the new table. The idea triggers take an idea's score from ``ideas_latestscore`` when the
idea itself enters, leaves or moves between counters; statement triggers on
``ideas_latestscore`` add the difference when a score is written, changed or removed (the
idea's stage, campaign, status and moderation come from ``ideas_idea``). The sums do not
change: the same values, read from elsewhere.

PostgreSQL only, as ``0015``; SQLite keeps no counters.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

from core.pg import run_on_postgres

# The counted columns of a set of idea rows, once per stage (campaign key 0) and once per
# (stage, campaign), their latest scores joined.
_ADD = """
  INSERT INTO ideas_stagecount
    (stage_id, campaign_key, status, ideas, customers_affected, score_sum, scored)
  SELECT r.stage_id, CASE WHEN GROUPING(r.campaign_id) = 1 THEN 0 ELSE r.campaign_id END,
         r.status, {sign} count(*), {sign} coalesce(sum(r.customers_affected), 0),
         {sign} coalesce(sum(ls.score), 0), {sign} count(ls.score)
  FROM {rows} AS r LEFT JOIN ideas_latestscore ls ON ls.idea_id = r.id
  WHERE r.stage_id IS NOT NULL AND r.moderation = 'published'
  GROUP BY GROUPING SETS ((r.stage_id, r.status), (r.stage_id, r.campaign_id, r.status))
  HAVING GROUPING(r.campaign_id) = 1 OR r.campaign_id IS NOT NULL
  ORDER BY 1, 2, 3
  ON CONFLICT (stage_id, campaign_key, status) DO UPDATE
    SET ideas = ideas_stagecount.ideas + EXCLUDED.ideas,
        customers_affected = ideas_stagecount.customers_affected + EXCLUDED.customers_affected,
        score_sum = ideas_stagecount.score_sum + EXCLUDED.score_sum,
        scored = ideas_stagecount.scored + EXCLUDED.scored;
"""
# Scores (idea_id, score, c) with c = +1 for a score added and -1 for one taken away (the
# score itself negated), netted per idea (a changed score: its difference): only the score
# sums move. Each idea's counter key is read by its primary key (LATERAL … LIMIT 1 keeps the
# planner from hashing the whole wide table: the transition tables have no statistics, and a
# hash join read all 100,000 ideas for 9,000 changed scores).
_ADD_SCORES = """
  INSERT INTO ideas_stagecount
    (stage_id, campaign_key, status, ideas, customers_affected, score_sum, scored)
  SELECT i.stage_id, CASE WHEN GROUPING(i.campaign_id) = 1 THEN 0 ELSE i.campaign_id END,
         i.status, 0, 0, sum(r.score), sum(r.c)
  FROM (SELECT idea_id, sum(score) AS score, sum(c) AS c FROM ({rows}) u GROUP BY idea_id) r
  CROSS JOIN LATERAL (
    SELECT stage_id, campaign_id, status FROM ideas_idea
    WHERE id = r.idea_id AND stage_id IS NOT NULL AND moderation = 'published' LIMIT 1
  ) i
  GROUP BY GROUPING SETS ((i.stage_id, i.status), (i.stage_id, i.campaign_id, i.status))
  HAVING GROUPING(i.campaign_id) = 1 OR i.campaign_id IS NOT NULL
  ORDER BY 1, 2, 3
  ON CONFLICT (stage_id, campaign_key, status) DO UPDATE
    SET score_sum = ideas_stagecount.score_sum + EXCLUDED.score_sum,
        scored = ideas_stagecount.scored + EXCLUDED.scored;
"""
_NEW = "SELECT idea_id, score, 1 AS c FROM new_rows"
_OLD = "SELECT idea_id, -score AS score, -1 AS c FROM old_rows"
# Same as 0015 (days), and its UPDATE tests without latest_score.
_ADD_DAY = """
  INSERT INTO ideas_ideaday (day, status, ideas)
  SELECT (created_at AT TIME ZONE 'UTC')::date, status, {sign} count(*)
  FROM {rows} AS r
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (day, status) DO UPDATE SET ideas = ideas_ideaday.ideas + EXCLUDED.ideas;
"""
_CHANGED = """(
  SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.stage_id, o.campaign_id, o.status, o.moderation, o.customers_affected)
        IS DISTINCT FROM
        (n.stage_id, n.campaign_id, n.status, n.moderation, n.customers_affected)
)"""
_CHANGED_ANY = """(
  SELECT id, stage_id, campaign_id, status, moderation, customers_affected, created_at
  FROM old_rows
  EXCEPT
  SELECT id, stage_id, campaign_id, status, moderation, customers_affected, created_at
  FROM new_rows
)"""
_CHANGED_DAY = """(
  SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.status, o.created_at) IS DISTINCT FROM (n.status, n.created_at)
)"""


def _function(name: str, body: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
      {body}
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """


FORWARD = [
    _function(
        "ideas_stage_count_inserted",
        _ADD.format(sign="", rows="new_rows") + _ADD_DAY.format(sign="", rows="new_rows"),
    ),
    _function(
        "ideas_stage_count_deleted",
        _ADD.format(sign="-", rows="old_rows") + _ADD_DAY.format(sign="-", rows="old_rows"),
    ),
    _function(
        "ideas_stage_count_updated",
        f"IF NOT EXISTS {_CHANGED_ANY} THEN RETURN NULL; END IF;"
        + _ADD.format(sign="-", rows=_CHANGED.format(side="o"))
        + _ADD.format(sign="", rows=_CHANGED.format(side="n"))
        + _ADD_DAY.format(sign="-", rows=_CHANGED_DAY.format(side="o"))
        + _ADD_DAY.format(sign="", rows=_CHANGED_DAY.format(side="n")),
    ),
    _function("ideas_stage_score_inserted", _ADD_SCORES.format(rows=_NEW)),
    _function("ideas_stage_score_deleted", _ADD_SCORES.format(rows=_OLD)),
    _function("ideas_stage_score_updated", _ADD_SCORES.format(rows=f"{_NEW} UNION ALL {_OLD}")),
    "CREATE TRIGGER ideas_stage_score_ins AFTER INSERT ON ideas_latestscore "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION ideas_stage_score_inserted()",
    "CREATE TRIGGER ideas_stage_score_del AFTER DELETE ON ideas_latestscore "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION ideas_stage_score_deleted()",
    "CREATE TRIGGER ideas_stage_score_upd AFTER UPDATE ON ideas_latestscore "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION ideas_stage_score_updated()",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS ideas_stage_score_ins ON ideas_latestscore",
    "DROP TRIGGER IF EXISTS ideas_stage_score_del ON ideas_latestscore",
    "DROP TRIGGER IF EXISTS ideas_stage_score_upd ON ideas_latestscore",
    "DROP FUNCTION IF EXISTS ideas_stage_score_inserted()",
    "DROP FUNCTION IF EXISTS ideas_stage_score_deleted()",
    "DROP FUNCTION IF EXISTS ideas_stage_score_updated()",
    # 0015's functions of the idea triggers (they read ``ideas_idea.latest_score`` again;
    # after migrating back, run ``rebuild_stage_counts``).
    *import_module("ideas.migrations.0015_stage_counts").FORWARD[:3],
]


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0017_triage_index"),
        # (its backfill wrote the column this migration moves)
        ("scoring", "0006_backfill_latest_score"),
    ]

    operations = [
        migrations.CreateModel(
            name="LatestScore",
            fields=[
                (
                    "idea",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="latest",
                        serialize=False,
                        to="ideas.idea",
                    ),
                ),
                ("score", models.DecimalField(decimal_places=6, max_digits=9)),
            ],
            options={
                "indexes": [models.Index(fields=["-score", "idea"], name="latestscore_top")],
            },
        ),
        migrations.RunSQL(
            "INSERT INTO ideas_latestscore (idea_id, score) "
            "SELECT id, latest_score FROM ideas_idea WHERE latest_score IS NOT NULL",
            "UPDATE ideas_idea SET latest_score = (SELECT score FROM ideas_latestscore "
            "WHERE idea_id = ideas_idea.id)",
        ),
        migrations.RunPython(run_on_postgres(FORWARD), run_on_postgres(BACKWARD)),
        migrations.RemoveIndex(model_name="idea", name="idea_latest_score_top"),
        migrations.RemoveField(model_name="idea", name="latest_score"),
    ]
