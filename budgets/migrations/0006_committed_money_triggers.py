"""Committed money per fiscal year, stage, campaign, innovation type, confirmation and
horizon (``budgets.CommittedMoney``), read by the dashboard and the journey map.

PostgreSQL keeps it in step through statement triggers with transition tables (one grouped
upsert per statement, every writer covered):
- on ``budgets_allocation``: inserted and deleted committed allocations add and subtract;
  an UPDATE subtracts the old side and adds the new one of the rows whose status, amount,
  spent total, fiscal year or idea changed (a release, a spend, a correction);
- on ``ideas_idea``: an UPDATE that changes an idea's stage, campaign, type, confirmation or
  horizon moves its committed allocations from the old group to the new one (other idea
  updates write nothing). Ideas with allocations cannot be deleted (PROTECT), and new ideas
  have none, so inserts and deletes of ideas need no trigger.
Keys are written in order, so concurrent writers lock the groups in the same order.

TRUNCATE fires no trigger: run ``manage.py rebuild_committed_money`` after one. Elsewhere
(SQLite) nothing is installed and the reads join the allocations themselves.
"""

from django.db import migrations

from core.pg import run_on_postgres

_UPSERT = """
  INSERT INTO budgets_committedmoney
    (fiscal_year_id, stage_id, campaign_id, innovation_type, type_confirmed, horizon,
     amount, spent, allocations)
  {select}
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (fiscal_year_id, (COALESCE(stage_id, 0)), (COALESCE(campaign_id, 0)),
               innovation_type, type_confirmed, horizon) DO UPDATE
    SET amount = budgets_committedmoney.amount + EXCLUDED.amount,
        spent = budgets_committedmoney.spent + EXCLUDED.spent,
        allocations = budgets_committedmoney.allocations + EXCLUDED.allocations;
"""
# Allocation rows ({rows}) with their idea's current groups.
_BY_ALLOCATION = _UPSERT.replace(
    "{select}",
    """SELECT a.fiscal_year_id, i.stage_id, i.campaign_id, i.innovation_type, i.type_confirmed,
         i.horizon, {sign} sum(a.amount), {sign} sum(a.spent), {sign} count(*)
  FROM {rows} AS a JOIN ideas_idea i ON i.id = a.idea_id
  WHERE a.status = 'committed'""",
)
_ALLOCATION_CHANGED = """(
  SELECT {side}.* FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.status, o.amount, o.spent, o.fiscal_year_id, o.idea_id)
        IS DISTINCT FROM (n.status, n.amount, n.spent, n.fiscal_year_id, n.idea_id)
)"""
# The committed allocations of the ideas whose groups changed, with the {side} (o: old,
# n: new) groups of the idea.
_BY_IDEA = _UPSERT.replace(
    "{select}",
    """SELECT a.fiscal_year_id, {side}.stage_id, {side}.campaign_id, {side}.innovation_type,
         {side}.type_confirmed, {side}.horizon,
         {sign} sum(a.amount), {sign} sum(a.spent), {sign} count(*)
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  JOIN budgets_allocation a ON a.idea_id = o.id AND a.status = 'committed'
  WHERE (o.stage_id, o.campaign_id, o.innovation_type, o.type_confirmed, o.horizon)
        IS DISTINCT FROM (n.stage_id, n.campaign_id, n.innovation_type, n.type_confirmed,
                          n.horizon)""",
)

FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION budgets_committed_inserted() RETURNS trigger AS $$
    BEGIN {_BY_ALLOCATION.format(sign="", rows="new_rows")} RETURN NULL; END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION budgets_committed_deleted() RETURNS trigger AS $$
    BEGIN {_BY_ALLOCATION.format(sign="-", rows="old_rows")} RETURN NULL; END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION budgets_committed_updated() RETURNS trigger AS $$
    BEGIN
      {_BY_ALLOCATION.format(sign="-", rows=_ALLOCATION_CHANGED.format(side="o"))}
      {_BY_ALLOCATION.format(sign="", rows=_ALLOCATION_CHANGED.format(side="n"))}
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION budgets_committed_idea_moved() RETURNS trigger AS $$
    BEGIN
      -- Most updates of ideas move no money: one look at the changed rows, nothing written.
      -- EXCEPT compares the two sides by hashing (NULLs equal, as IS DISTINCT FROM): a join
      -- of the transition tables, which have no statistics, was planned as a nested loop
      -- (10,000 updated ideas: 10^8 comparisons, 33 s).
      IF NOT EXISTS (
        SELECT id, stage_id, campaign_id, innovation_type, type_confirmed, horizon
        FROM old_rows
        EXCEPT
        SELECT id, stage_id, campaign_id, innovation_type, type_confirmed, horizon
        FROM new_rows
      ) THEN RETURN NULL; END IF;
      {_BY_IDEA.format(sign="-", side="o")}
      {_BY_IDEA.format(sign="", side="n")}
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS budgets_committed_ins ON budgets_allocation",
    "DROP TRIGGER IF EXISTS budgets_committed_del ON budgets_allocation",
    "DROP TRIGGER IF EXISTS budgets_committed_upd ON budgets_allocation",
    "DROP TRIGGER IF EXISTS budgets_committed_idea_upd ON ideas_idea",
    "CREATE TRIGGER budgets_committed_ins AFTER INSERT ON budgets_allocation "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION budgets_committed_inserted()",
    "CREATE TRIGGER budgets_committed_del AFTER DELETE ON budgets_allocation "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION budgets_committed_deleted()",
    "CREATE TRIGGER budgets_committed_upd AFTER UPDATE ON budgets_allocation "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION budgets_committed_updated()",
    "CREATE TRIGGER budgets_committed_idea_upd AFTER UPDATE ON ideas_idea "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION budgets_committed_idea_moved()",
    # The allocations that exist already.
    "DELETE FROM budgets_committedmoney",
    _BY_ALLOCATION.format(sign="", rows="budgets_allocation"),
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS budgets_committed_ins ON budgets_allocation",
    "DROP TRIGGER IF EXISTS budgets_committed_del ON budgets_allocation",
    "DROP TRIGGER IF EXISTS budgets_committed_upd ON budgets_allocation",
    "DROP TRIGGER IF EXISTS budgets_committed_idea_upd ON ideas_idea",
    "DROP FUNCTION IF EXISTS budgets_committed_inserted()",
    "DROP FUNCTION IF EXISTS budgets_committed_deleted()",
    "DROP FUNCTION IF EXISTS budgets_committed_updated()",
    "DROP FUNCTION IF EXISTS budgets_committed_idea_moved()",
]


class Migration(migrations.Migration):
    dependencies = [("budgets", "0005_committed_money")]

    operations = [migrations.RunPython(run_on_postgres(FORWARD), run_on_postgres(BACKWARD))]
