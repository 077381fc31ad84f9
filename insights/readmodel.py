"""The portfolio's read model: the SQL of the triggers that keep ``PortfolioEntry``,
``PortfolioCell``, ``IdeaMilestone``, ``FunnelDay``, ``ExperimentDay`` and ``CycleTimeCount``
(insights.models) current, and their set-based rebuild.

Why triggers: the portfolio combines facts four apps own — allocations and their spend
(``budgets``), an idea's type, horizon, stage and expected value (``ideas``), a stage's cycle
(``journeys``), the idea's realised value (``outcomes.IdeaValue``) and its status history
(``ideas.IdeaTransition``). None of those apps may call ``insights``, and their writers are
many (services, the admin, cascades, data migrations). A row trigger on each source table
refreshes what the row touched in the same transaction as the write, on PostgreSQL and on
SQLite alike, so every writer is covered without a hook in another app.

Each refresh recomputes one idea from its sources (no increments to drift):
- its entries: DELETE, then INSERT one row per fiscal year in which it has an allocation
  (the entries' own triggers take each old entry out of its cell and add each new one);
- its milestone: the funnel counts of its old milestone's day are taken back, the milestone
  is recomputed from its transitions and its counts are added to its (new) day.

The statements are written once and generated for both databases: the PostgreSQL trigger
functions (plpgsql) run them with the idea id in a variable, SQLite's trigger bodies with
``NEW.x``/``OLD.x`` in its place. A migration's SQL is history: change these only together
with a new migration that drops and recreates the triggers.
"""

import re
from decimal import Decimal

from django.db import connection as default_connection
from django.db import transaction

FUNNEL_STEPS = (
    "submitted",
    "screening",
    "in_review",
    "shortlisted",
    "approved",
    "funded",
    "in_experiment",
    "launched",
)
ENTRY = "insights_portfolioentry"
CELL = "insights_portfoliocell"
MILESTONE = "insights_ideamilestone"
FUNNEL_DAY = "insights_funnelday"
EXPERIMENT_DAY = "insights_experimentday"
CYCLE = "insights_cycletimecount"
# The experiment-day counters and the decisions each counts.
EXPERIMENT_COUNTS = (
    ("decided", "<> 'pending'"),
    ("scaled", "= 'scale'"),
    ("stopped", "= 'stop'"),
    ("iterated", "= 'iterate'"),
)

# --- Entries -----------------------------------------------------------------------------

_ENTRY_COLUMNS = (
    "fiscal_year_id, idea_id, innovation_type, horizon, cycle, spent, expected, "
    "realised_generated, realised_protected, realised_total"
)


def _entries_select(where: str) -> str:
    return f"""
SELECT a.fiscal_year_id, i.id, i.innovation_type, i.horizon, s.cycle, SUM(a.spent),
       COALESCE(i.expected_revenue_generated, 0) + COALESCE(i.expected_revenue_protected, 0),
       COALESCE(v.generated, 0), COALESCE(v.protected, 0), COALESCE(v.total, 0)
FROM budgets_allocation a
JOIN ideas_idea i ON i.id = a.idea_id
LEFT JOIN journeys_stage s ON s.id = i.stage_id
LEFT JOIN outcomes_ideavalue v ON v.idea_id = i.id
{where}
GROUP BY a.fiscal_year_id, i.id, i.innovation_type, i.horizon, s.cycle,
         i.expected_revenue_generated, i.expected_revenue_protected,
         v.generated, v.protected, v.total"""


def entry_refresh(idea: str) -> list[str]:
    """Statements recomputing the entries of the idea whose id is the SQL ``idea``."""
    return [
        f"DELETE FROM {ENTRY} WHERE idea_id = {idea}",
        f"INSERT INTO {ENTRY} ({_ENTRY_COLUMNS})" + _entries_select(f"WHERE a.idea_id = {idea}"),
    ]


_CELL_AMOUNTS = ("spent", "expected", "realised_generated", "realised_protected")


def _cell_add(row: str) -> str:
    """Add the entry ``row`` (NEW) to its cell, creating the cell if need be."""
    amounts = ", ".join(f"{row}.{a}" for a in _CELL_AMOUNTS)
    updates = ", ".join(f"{c} = {CELL}.{c} + excluded.{c}" for c in ("ideas", *_CELL_AMOUNTS))
    return (
        f"INSERT INTO {CELL} (fiscal_year_id, innovation_type, horizon, cycle, ideas, "
        f"{', '.join(_CELL_AMOUNTS)}) VALUES ({row}.fiscal_year_id, {row}.innovation_type, "
        f"{row}.horizon, COALESCE({row}.cycle, ''), 1, {amounts}) "
        f"ON CONFLICT (fiscal_year_id, innovation_type, horizon, cycle) DO UPDATE SET {updates}"
    )


def _cell_take(row: str) -> str:
    """Take the entry ``row`` (OLD) back from its cell. An UPDATE, never an insert: when the
    cell is gone (a flush emptied the table first) there is nothing to take back, and no
    negative cell is made."""
    amounts = ", ".join(f"{a} = {a} - {row}.{a}" for a in _CELL_AMOUNTS)
    return (
        f"UPDATE {CELL} SET ideas = ideas - 1, {amounts} "
        f"WHERE fiscal_year_id = {row}.fiscal_year_id AND innovation_type = {row}.innovation_type "
        f"AND horizon = {row}.horizon AND cycle = COALESCE({row}.cycle, '')"
    )


# --- Milestones and the funnel -----------------------------------------------------------


def _utc_day(expr: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"(({expr}) AT TIME ZONE 'UTC')::date"
    return f"date({expr})"  # SQLite keeps datetimes as UTC text


def _reached(step: str) -> str:
    return f"(CASE WHEN reached_{step} THEN 1 ELSE 0 END)"


def _funnel_add(idea: str) -> str:
    """Add the funnel counts of the idea's milestone to its day, creating the day if need be."""
    steps = ", ".join(FUNNEL_STEPS)
    values = ", ".join(_reached(s) for s in FUNNEL_STEPS)
    updates = ", ".join(f"{s} = {FUNNEL_DAY}.{s} + excluded.{s}" for s in FUNNEL_STEPS)
    return (
        f"INSERT INTO {FUNNEL_DAY} (day, {steps}) "
        f"SELECT submitted_day, {values} FROM {MILESTONE} WHERE idea_id = {idea} "
        f"ON CONFLICT (day) DO UPDATE SET {updates}"
    )


def _funnel_take(idea: str) -> str:
    """Take the funnel counts of the idea's milestone back from its day: an UPDATE only (a
    day already gone has nothing to give back)."""
    mine = f"FROM {MILESTONE} WHERE idea_id = {idea}"
    updates = ", ".join(f"{s} = {s} - (SELECT {_reached(s)} {mine})" for s in FUNNEL_STEPS)
    return f"UPDATE {FUNNEL_DAY} SET {updates} WHERE day = (SELECT submitted_day {mine})"


def _milestones_select(where: str, vendor: str) -> str:
    first_submitted = "MIN(CASE WHEN t.to_status = 'submitted' THEN t.at END)"
    reached = ", ".join(
        f"MAX(CASE WHEN t.to_status = '{s}' THEN 1 ELSE 0 END) = 1" for s in FUNNEL_STEPS
    )
    return f"""
SELECT t.idea_id, {first_submitted}, {_utc_day(first_submitted, vendor)},
       MIN(CASE WHEN t.to_status = 'launched' THEN t.at END), {reached}
FROM ideas_ideatransition t
{where}
GROUP BY t.idea_id
HAVING {first_submitted} IS NOT NULL"""


_MILESTONE_COLUMNS = "idea_id, submitted_at, submitted_day, launched_at, " + ", ".join(
    f"reached_{s}" for s in FUNNEL_STEPS
)


def milestone_refresh(idea: str, vendor: str) -> list[str]:
    """Statements recomputing the milestone of the idea whose id is the SQL ``idea`` and
    moving its funnel counts to the day it now belongs to."""
    return [
        _funnel_take(idea),
        f"DELETE FROM {MILESTONE} WHERE idea_id = {idea}",
        f"INSERT INTO {MILESTONE} ({_MILESTONE_COLUMNS})"
        + _milestones_select(f"WHERE t.idea_id = {idea}", vendor),
        _funnel_add(idea),
    ]


# --- The triggers ------------------------------------------------------------------------

_STEPS_SQL = ", ".join(f"'{s}'" for s in FUNNEL_STEPS)
# (name, table, event, condition with NEW/OLD, the idea ids to refresh, what to refresh)
_ENTRY_TRIGGERS = [
    ("alloc_ins", "budgets_allocation", "INSERT", None, ["NEW.idea_id"]),
    (
        "alloc_upd",
        "budgets_allocation",
        "UPDATE OF spent, idea_id, fiscal_year_id",
        "OLD.spent <> NEW.spent OR OLD.idea_id <> NEW.idea_id "
        "OR OLD.fiscal_year_id <> NEW.fiscal_year_id",
        ["OLD.idea_id", "NEW.idea_id"],
    ),
    ("alloc_del", "budgets_allocation", "DELETE", None, ["OLD.idea_id"]),
    (
        "idea_upd",
        "ideas_idea",
        "UPDATE OF innovation_type, horizon, stage_id, expected_revenue_generated, "
        "expected_revenue_protected",
        "{ne}(OLD.innovation_type, NEW.innovation_type) OR {ne}(OLD.horizon, NEW.horizon) "
        "OR {ne}(OLD.stage_id, NEW.stage_id) "
        "OR {ne}(OLD.expected_revenue_generated, NEW.expected_revenue_generated) "
        "OR {ne}(OLD.expected_revenue_protected, NEW.expected_revenue_protected)",
        ["NEW.id"],
    ),
    ("value_ins", "outcomes_ideavalue", "INSERT", None, ["NEW.idea_id"]),
    ("value_upd", "outcomes_ideavalue", "UPDATE", None, ["NEW.idea_id"]),
    ("value_del", "outcomes_ideavalue", "DELETE", None, ["OLD.idea_id"]),
]
_MILESTONE_TRIGGERS = [
    ("move_ins", "ideas_ideatransition", "INSERT", f"NEW.to_status IN ({_STEPS_SQL})", "NEW"),
    ("move_del", "ideas_ideatransition", "DELETE", f"OLD.to_status IN ({_STEPS_SQL})", "OLD"),
]
# An idea deleted: whatever its sources' deletions left of it (nothing, when the ORM deleted
# its allocations, value and transitions first, as it does).
_IDEA_DELETE = [
    _funnel_take("OLD.id"),
    f"DELETE FROM {MILESTONE} WHERE idea_id = OLD.id",
    f"DELETE FROM {ENTRY} WHERE idea_id = OLD.id",
]
# A stage changing cycle: its ideas' entries take the new one.
_STAGE_SQL = (
    f"UPDATE {ENTRY} SET cycle = NEW.cycle "
    "WHERE idea_id IN (SELECT id FROM ideas_idea WHERE stage_id = NEW.id)"
)


def _distinct(vendor: str) -> str:
    return "{a} IS DISTINCT FROM {b}" if vendor == "postgresql" else "{a} IS NOT {b}"


def _condition(template: str | None, vendor: str) -> str | None:
    if template is None:
        return None
    pattern = _distinct(vendor)
    return re.sub(r"\{ne\}\(([^,]+), ([^)]+)\)", lambda m: pattern.format(a=m[1], b=m[2]), template)


def _triggers(vendor: str) -> list[tuple[str, str, str, str | None, list[str]]]:
    """(name, table, event, condition, body statements) of every trigger."""
    out = []
    for name, table, event, cond, ideas in _ENTRY_TRIGGERS:
        body = []
        for idea in dict.fromkeys(ideas):
            body += entry_refresh(idea)
        out.append((name, table, event, _condition(cond, vendor), body))
    for name, table, event, cond, row in _MILESTONE_TRIGGERS:
        out.append((name, table, event, cond, milestone_refresh(f"{row}.idea_id", vendor)))
    out.append(("idea_del", "ideas_idea", "DELETE", None, _IDEA_DELETE))
    out.append(("entry_ins", ENTRY, "INSERT", None, [_cell_add("NEW")]))
    out.append(("entry_upd", ENTRY, "UPDATE", None, [_cell_take("OLD"), _cell_add("NEW")]))
    out.append(("entry_del", ENTRY, "DELETE", None, [_cell_take("OLD")]))
    out.append(
        (
            "stage_upd",
            "journeys_stage",
            "UPDATE OF cycle",
            _condition("{ne}(OLD.cycle, NEW.cycle)", vendor),
            [_STAGE_SQL],
        )
    )
    return out


# --- Experiments decided per day -----------------------------------------------------------


def _experiment_flag(row: str, test: str) -> str:
    return f"(CASE WHEN {row}.decision {test} THEN 1 ELSE 0 END)"


def _experiment_add(row: str, vendor: str) -> str:
    """Count the experiment ``row`` (NEW) in the day it was decided on, creating the day if
    need be; nothing for an experiment without ``decided_at``."""
    columns = ", ".join(name for name, _ in EXPERIMENT_COUNTS)
    values = ", ".join(_experiment_flag(row, test) for _, test in EXPERIMENT_COUNTS)
    updates = ", ".join(f"{n} = {EXPERIMENT_DAY}.{n} + excluded.{n}" for n, _ in EXPERIMENT_COUNTS)
    return (
        f"INSERT INTO {EXPERIMENT_DAY} (day, {columns}) "
        f"SELECT {_utc_day(f'{row}.decided_at', vendor)}, {values} "
        f"WHERE {row}.decided_at IS NOT NULL "
        f"ON CONFLICT (day) DO UPDATE SET {updates}"
    )


def _experiment_take(row: str, vendor: str) -> str:
    """Take the experiment ``row`` (OLD) back from its day: an UPDATE only (no day when it
    had no ``decided_at``, or the day is gone)."""
    updates = ", ".join(
        f"{n} = {n} - {_experiment_flag(row, test)}" for n, test in EXPERIMENT_COUNTS
    )
    return (
        f"UPDATE {EXPERIMENT_DAY} SET {updates} WHERE day = {_utc_day(f'{row}.decided_at', vendor)}"
    )


def experiment_rebuild_sql(vendor: str) -> list[str]:
    """Set-based statements recomputing the experiment days from the experiments."""
    columns = ", ".join(name for name, _ in EXPERIMENT_COUNTS)
    sums = ", ".join(f"SUM({_experiment_flag('e', test)})" for _, test in EXPERIMENT_COUNTS)
    day = _utc_day("e.decided_at", vendor)
    return [
        f"DELETE FROM {EXPERIMENT_DAY}",
        f"INSERT INTO {EXPERIMENT_DAY} (day, {columns}) SELECT {day}, {sums} "
        f"FROM outcomes_experiment e WHERE e.decided_at IS NOT NULL GROUP BY {day}",
    ]


def _experiment_triggers(vendor: str) -> list[tuple[str, str, str, str | None, list[str]]]:
    """(name, table, event, condition, body statements) of the experiment-day triggers
    (migration ``insights/0003``; kept apart from :func:`_triggers`, whose set migration
    0002 installs)."""
    changed = _condition(
        "{ne}(OLD.decision, NEW.decision) OR {ne}(OLD.decided_at, NEW.decided_at)", vendor
    )
    return [
        (
            "exp_ins",
            "outcomes_experiment",
            "INSERT",
            "NEW.decided_at IS NOT NULL",
            [_experiment_add("NEW", vendor)],
        ),
        (
            "exp_upd",
            "outcomes_experiment",
            "UPDATE OF decision, decided_at",
            changed,
            [_experiment_take("OLD", vendor), _experiment_add("NEW", vendor)],
        ),
        (
            "exp_del",
            "outcomes_experiment",
            "DELETE",
            "OLD.decided_at IS NOT NULL",
            [_experiment_take("OLD", vendor)],
        ),
    ]


# --- Cycle times per fiscal year -----------------------------------------------------------
# ``CycleTimeCount``: of the ideas first launched within a fiscal year (by the UTC day of the
# launch; the portfolio reads the milestones of the partial days at the edges of a year in
# another time zone), how many took each whole number of days from first submission to
# first launch. The percentiles find the day holding each rank from cumulative counts and
# read only the exact cycle times from that day on (insights.portfolio.cycle_time_days).

# A day in microseconds: SQLite's cycle times are whole microseconds (exact integers).
_DAY_US = 86_400_000_000


def _epoch_us(expr: str) -> str:
    """SQLite: a datetime (UTC text ``YYYY-MM-DD HH:MM:SS[.ffffff]``) as microseconds."""
    return (
        f"(CAST(strftime('%s', {expr}) AS INTEGER) * 1000000 "
        f"+ CAST(substr({expr}, 21, 6) AS INTEGER))"
    )


def cycle_days_sql(launched: str, submitted: str, vendor: str) -> str:
    """The whole days (floor) from ``submitted`` to ``launched``, computed exactly (no
    floating point), so every launch falls in the same day here and in the portfolio's
    read of its exact cycle time."""
    if vendor == "postgresql":
        return f"floor(EXTRACT(EPOCH FROM ({launched} - {submitted})) / 86400)::integer"
    us = f"({_epoch_us(launched)} - {_epoch_us(submitted)})"
    return f"(CASE WHEN {us} >= 0 THEN {us} / {_DAY_US} ELSE -((-{us} + {_DAY_US - 1}) / {_DAY_US}) END)"


def _in_year(day: str, fy: str) -> str:
    return f"{fy}.starts_on <= {day} AND {fy}.ends_on >= {day}"


def _cycle_add(row: str, vendor: str) -> str:
    """Count the milestone ``row`` (NEW, launched) in every fiscal year holding the UTC day
    of its launch, creating the count if need be."""
    days = cycle_days_sql(f"{row}.launched_at", f"{row}.submitted_at", vendor)
    day = _utc_day(f"{row}.launched_at", vendor)
    return (
        f"INSERT INTO {CYCLE} (fiscal_year_id, days, launches) "
        f"SELECT f.id, {days}, 1 FROM budgets_fiscalyear f WHERE {_in_year(day, 'f')} "
        f"ON CONFLICT (fiscal_year_id, days) DO UPDATE SET launches = {CYCLE}.launches + 1"
    )


def _cycle_take(row: str, vendor: str) -> str:
    """Take the milestone ``row`` (OLD, launched) back: an UPDATE only (no negative count
    when the row is gone)."""
    days = cycle_days_sql(f"{row}.launched_at", f"{row}.submitted_at", vendor)
    day = _utc_day(f"{row}.launched_at", vendor)
    return (
        f"UPDATE {CYCLE} SET launches = launches - 1 WHERE days = {days} AND fiscal_year_id IN "
        f"(SELECT f.id FROM budgets_fiscalyear f WHERE {_in_year(day, 'f')})"
    )


def _cycle_fill(vendor: str, where: str = "") -> str:
    """The counts of the fiscal years ``where`` selects (all by default), from the
    milestones."""
    days = cycle_days_sql("m.launched_at", "m.submitted_at", vendor)
    day = _utc_day("m.launched_at", vendor)
    return (
        f"INSERT INTO {CYCLE} (fiscal_year_id, days, launches) "
        f"SELECT f.id, {days}, COUNT(*) FROM {MILESTONE} m "
        f"JOIN budgets_fiscalyear f ON {_in_year(day, 'f')} "
        f"WHERE m.launched_at IS NOT NULL{where} GROUP BY f.id, {days}"
    )


def cycle_rebuild_sql(vendor: str) -> list[str]:
    """Set-based statements recomputing the cycle-time counts from the milestones (run
    after the milestones are rebuilt)."""
    return [f"DELETE FROM {CYCLE}", _cycle_fill(vendor)]


def _cycle_triggers(vendor: str) -> list[tuple[str, str, str, str | None, list[str]]]:
    """(name, table, event, condition, body statements) of the cycle-time triggers
    (migration ``insights/0004``): on the milestones (written by the triggers above) and on
    the fiscal years (a year created, moved or deleted recounts its launches)."""
    moved = _condition(
        "{ne}(OLD.launched_at, NEW.launched_at) OR {ne}(OLD.submitted_at, NEW.submitted_at)",
        vendor,
    )
    dates = "OLD.starts_on <> NEW.starts_on OR OLD.ends_on <> NEW.ends_on"
    return [
        (
            "cycle_ins",
            MILESTONE,
            "INSERT",
            "NEW.launched_at IS NOT NULL",
            [_cycle_add("NEW", vendor)],
        ),
        (
            "cycle_upd",
            MILESTONE,
            "UPDATE OF launched_at, submitted_at",
            moved,
            # Each statement no-ops for a side without a launch.
            [_cycle_take("OLD", vendor), _cycle_add("NEW", vendor)],
        ),
        (
            "cycle_del",
            MILESTONE,
            "DELETE",
            "OLD.launched_at IS NOT NULL",
            [_cycle_take("OLD", vendor)],
        ),
        (
            "fy_ins",
            "budgets_fiscalyear",
            "INSERT",
            None,
            [_cycle_fill(vendor, " AND f.id = NEW.id")],
        ),
        (
            "fy_upd",
            "budgets_fiscalyear",
            "UPDATE OF starts_on, ends_on",
            dates,
            [
                f"DELETE FROM {CYCLE} WHERE fiscal_year_id = NEW.id",
                _cycle_fill(vendor, " AND f.id = NEW.id"),
            ],
        ),
        (
            "fy_del",
            "budgets_fiscalyear",
            "DELETE",
            None,
            [f"DELETE FROM {CYCLE} WHERE fiscal_year_id = OLD.id"],
        ),
    ]


def cycle_migration_forward(apps, schema_editor):
    """Migration 0004: count the launches, install their triggers and, on PostgreSQL, the
    index the percentiles read the exact cycle times by."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("SET LOCAL statement_timeout = 0")
    statements = cycle_rebuild_sql(vendor) + create_triggers_sql(vendor, _cycle_triggers(vendor))
    if vendor == "postgresql":
        statements.append(CYCLE_INDEX_SQL)
    for sql in statements:
        schema_editor.execute(sql, params=None)


def cycle_migration_backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in drop_triggers_sql(vendor, _cycle_triggers(vendor)):
        schema_editor.execute(sql, params=None)
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS milestone_cycle_time", params=None)


# PostgreSQL: the launches by exact cycle time, then idea (the portfolio's order), with the
# launch and submission times (the year's filter and the value, so the read is index-only):
# the read of the cycle times from one day on walks the index in order and stops after the
# ranks it needs.
CYCLE_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS milestone_cycle_time ON {MILESTONE} "
    "((launched_at - submitted_at), idea_id) INCLUDE (launched_at, submitted_at) "
    "WHERE launched_at IS NOT NULL"
)


def create_triggers_sql(vendor: str, triggers=None) -> list[str]:
    """The statements creating every trigger of ``triggers`` (by default those of
    :func:`_triggers`, migration 0002's set) on ``vendor`` ("postgresql" or "sqlite")."""
    statements = []
    for name, table, event, cond, body in triggers or _triggers(vendor):
        trigger = f"insights_pf_{name}"
        when = f" WHEN ({cond})" if cond else ""
        if vendor == "postgresql":
            statements.append(
                f"CREATE OR REPLACE FUNCTION {trigger}() RETURNS trigger AS $$\n"
                "BEGIN\n" + "".join(f"  {sql};\n" for sql in body) + "  RETURN NULL;\nEND;\n"
                # One plan per statement and session: a write pays the planning of these
                # joins (ideas_idea has many indexes) once per connection, not every time.
                "$$ LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan"
            )
            statements.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} "
                f"FOR EACH ROW{when} EXECUTE FUNCTION {trigger}()"
            )
        else:
            statements.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW{when}\n"
                "BEGIN\n" + "".join(f"  {sql};\n" for sql in body) + "END"
            )
    return statements


def ensure_sqlite_triggers(sender=None, *, using: str = "default", **kwargs) -> None:
    """(post_migrate) On SQLite, recreate any of the triggers a table rebuild dropped and,
    if one was missing, rebuild the read model. PostgreSQL keeps triggers across
    ``ALTER TABLE``: nothing to do there."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite" or ENTRY not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        triggers = _triggers("sqlite")
        tables = connection.introspection.table_names()
        if EXPERIMENT_DAY in tables:
            triggers += _experiment_triggers("sqlite")
        if CYCLE in tables:
            triggers += _cycle_triggers("sqlite")
        wanted = create_triggers_sql("sqlite", triggers)
        missing = [
            sql
            for (name, *_), sql in zip(triggers, wanted, strict=True)
            if f"insights_pf_{name}" not in present
        ]
        if not missing:
            return
        for sql in missing:
            cursor.execute(sql)
        for sql in rebuild_sql("sqlite"):
            cursor.execute(sql)
        if EXPERIMENT_DAY in tables:
            for sql in experiment_rebuild_sql("sqlite"):
                cursor.execute(sql)
        if CYCLE in tables:
            for sql in cycle_rebuild_sql("sqlite"):
                cursor.execute(sql)


def drop_triggers_sql(vendor: str, triggers=None) -> list[str]:
    statements = []
    for name, table, *_ in triggers or _triggers(vendor):
        trigger = f"insights_pf_{name}"
        if vendor == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {trigger}()")
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {trigger}")
    return statements


# --- The rebuild -------------------------------------------------------------------------


def rebuild_sql(vendor: str) -> list[str]:
    """Set-based statements recomputing the four tables from their sources (the
    migration's fill, ``manage.py rebuild_portfolio`` and the bench generator's fill)."""
    steps = ", ".join(FUNNEL_STEPS)
    sums = ", ".join(f"SUM(CASE WHEN reached_{s} THEN 1 ELSE 0 END)" for s in FUNNEL_STEPS)
    cell_sums = ", ".join(f"SUM({a})" for a in _CELL_AMOUNTS)
    return [
        f"DELETE FROM {ENTRY}",
        f"INSERT INTO {ENTRY} ({_ENTRY_COLUMNS})" + _entries_select(""),
        # Whatever the entries' triggers did meanwhile (nothing when a bulk load runs with
        # triggers off), the cells are summed from the entries now in place.
        f"DELETE FROM {CELL}",
        f"INSERT INTO {CELL} (fiscal_year_id, innovation_type, horizon, cycle, ideas, "
        f"{', '.join(_CELL_AMOUNTS)}) SELECT fiscal_year_id, innovation_type, horizon, "
        f"COALESCE(cycle, ''), COUNT(*), {cell_sums} FROM {ENTRY} "
        "GROUP BY fiscal_year_id, innovation_type, horizon, COALESCE(cycle, '')",
        f"DELETE FROM {FUNNEL_DAY}",
        f"DELETE FROM {MILESTONE}",
        f"INSERT INTO {MILESTONE} ({_MILESTONE_COLUMNS})" + _milestones_select("", vendor),
        f"INSERT INTO {FUNNEL_DAY} (day, {steps}) "
        f"SELECT submitted_day, {sums} FROM {MILESTONE} GROUP BY submitted_day",
    ]


def rebuild(connection=None) -> None:
    """Recompute the read model from its sources, in one transaction. On PostgreSQL without
    the web's statement timeout, and with the entries' own triggers off meanwhile (the
    cells are summed once at the end instead of once per entry; the ALTER is part of the
    transaction, so a failure leaves them on); likewise the milestones' (the cycle-time
    counts are recounted at the end)."""
    connection = connection or default_connection
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute(f"ALTER TABLE {ENTRY} DISABLE TRIGGER USER")
            cursor.execute(f"ALTER TABLE {MILESTONE} DISABLE TRIGGER USER")
        vendor = connection.vendor
        for sql in rebuild_sql(vendor) + experiment_rebuild_sql(vendor) + cycle_rebuild_sql(vendor):
            cursor.execute(sql)
        if postgres:
            cursor.execute(f"ALTER TABLE {ENTRY} ENABLE TRIGGER USER")
            cursor.execute(f"ALTER TABLE {MILESTONE} ENABLE TRIGGER USER")


def snapshot() -> dict[str, set[tuple]]:
    """Every row of the portfolio's tables, as comparable tuples (money as 2-place Decimals, so
    SQLite's floats compare equal to exact sums): what the rebuild check compares."""
    from insights.models import (
        CycleTimeCount,
        ExperimentDay,
        FunnelDay,
        IdeaMilestone,
        PortfolioCell,
        PortfolioEntry,
    )

    def rows(qs, fields):
        return {tuple(_plain(v) for v in row) for row in qs.values_list(*fields)}

    entry_fields = [f.attname for f in PortfolioEntry._meta.fields if f.name != "id"]
    cell_fields = [f.attname for f in PortfolioCell._meta.fields if f.name != "id"]
    return {
        "entries": rows(PortfolioEntry.objects.all(), entry_fields),
        # A cell whose last idea left is the same as no cell.
        "cells": rows(PortfolioCell.objects.exclude(ideas=0), cell_fields),
        "milestones": rows(
            IdeaMilestone.objects.all(), [f.attname for f in IdeaMilestone._meta.fields]
        ),
        # A day whose counts all went back to 0 is the same as no row.
        "funnel_days": rows(
            FunnelDay.objects.exclude(**{s: 0 for s in FUNNEL_STEPS}),
            ["day", *FUNNEL_STEPS],
        ),
        # Likewise a day of experiments whose counts all went back to 0.
        "experiment_days": rows(
            ExperimentDay.objects.exclude(**{n: 0 for n, _ in EXPERIMENT_COUNTS}),
            ["day", *(n for n, _ in EXPERIMENT_COUNTS)],
        ),
        # Likewise a count of launches back to 0.
        "cycle_times": rows(
            CycleTimeCount.objects.exclude(launches=0),
            ["fiscal_year_id", "days", "launches"],
        ),
    }


def _plain(value):
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    if isinstance(value, float):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return value


def migration_forward(apps, schema_editor):
    """The first fill, set-based and before the triggers exist (none fires per row)."""
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("SET LOCAL statement_timeout = 0")
    for sql in rebuild_sql(connection.vendor) + create_triggers_sql(connection.vendor):
        schema_editor.execute(sql, params=None)


def migration_backward(apps, schema_editor):
    for sql in drop_triggers_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def experiment_migration_forward(apps, schema_editor):
    """Migration 0003: fill the experiment days, then install their triggers."""
    vendor = schema_editor.connection.vendor
    triggers = _experiment_triggers(vendor)
    for sql in experiment_rebuild_sql(vendor) + create_triggers_sql(vendor, triggers):
        schema_editor.execute(sql, params=None)


def experiment_migration_backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in drop_triggers_sql(vendor, _experiment_triggers(vendor)):
        schema_editor.execute(sql, params=None)
