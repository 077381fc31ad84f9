"""Stored results of insights computations that are too costly to run per request."""

from django.db import models


class AccuracySnapshot(models.Model):
    """The latest panel-accuracy figures (``insights.accuracy.accuracy_compute``), one row
    per ``key``, replaced in place by the Celery job (an upsert: running it twice leaves
    one row)."""

    key = models.CharField(max_length=40, unique=True, default="panel")
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} at {self.computed_at:%Y-%m-%d %H:%M}"


# --- The portfolio's read model ------------------------------------------------------------
# Kept by database triggers on the source tables (insights/readmodel.py holds their SQL and
# the set-based rebuild), in the same transaction as every write of the sources, whatever
# app or path writes them; `manage.py rebuild_portfolio` recomputes all four tables.


class PortfolioEntry(models.Model):
    """One idea funded in one fiscal year (it has an allocation there, committed or
    released), with what the portfolio groups and ranks it by: its type, horizon and cycle,
    its spend against that year's allocations, its expected value per year and its value
    realised to date (``outcomes.IdeaValue``)."""

    # Derived rows: the triggers insert and delete them (an idea's deletion included), so the
    # ORM neither cascades to them nor constrains them.
    fiscal_year = models.ForeignKey(
        "budgets.FiscalYear", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    innovation_type = models.CharField(max_length=24)
    horizon = models.CharField(max_length=16)
    cycle = models.CharField(max_length=10, null=True)
    spent = models.DecimalField(max_digits=14, decimal_places=2)
    expected = models.DecimalField(max_digits=14, decimal_places=2)
    realised_generated = models.DecimalField(max_digits=14, decimal_places=2)
    realised_protected = models.DecimalField(max_digits=14, decimal_places=2)
    realised_total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "idea"], name="portfolio_entry_once")
        ]
        indexes = [
            # The ranking: a year's ideas by realised value, best first (then by id).
            models.Index(
                "fiscal_year",
                models.F("realised_total").desc(),
                "idea",
                name="portfolio_entry_rank",
            ),
            # The triggers refresh an idea's entries by idea.
            models.Index(fields=["idea"], name="portfolio_entry_idea"),
        ]

    def __str__(self) -> str:
        return f"idea #{self.idea_id} in fiscal year #{self.fiscal_year_id}"


class PortfolioCell(models.Model):
    """The year's entries summed by (type, horizon, cycle): what the portfolio's totals and
    splits are rolled up from, a few dozen rows per year whatever the number of ideas. Kept
    by triggers on ``PortfolioEntry`` (each entry inserted, changed or deleted moves its
    amounts); ``cycle`` is "" for ideas placed on no stage (NULL would never conflict in the
    upsert)."""

    fiscal_year = models.ForeignKey(
        "budgets.FiscalYear", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    innovation_type = models.CharField(max_length=24)
    horizon = models.CharField(max_length=16)
    cycle = models.CharField(max_length=10, blank=True)
    ideas = models.IntegerField(default=0)
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    expected = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    realised_generated = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    realised_protected = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "innovation_type", "horizon", "cycle"],
                name="portfolio_cell_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.innovation_type}/{self.horizon}/{self.cycle} in #{self.fiscal_year_id}"


class IdeaMilestone(models.Model):
    """An idea's first submission and first launch, and which steps of the funnel
    (submitted … launched) it ever reached; one row per idea ever submitted. Cycle times
    read the launches of a year from it."""

    idea = models.OneToOneField(
        "ideas.Idea",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField()
    # The UTC day of ``submitted_at``: the key of its FunnelDay.
    submitted_day = models.DateField()
    launched_at = models.DateTimeField(null=True)
    reached_submitted = models.BooleanField()
    reached_screening = models.BooleanField()
    reached_in_review = models.BooleanField()
    reached_shortlisted = models.BooleanField()
    reached_approved = models.BooleanField()
    reached_funded = models.BooleanField()
    reached_in_experiment = models.BooleanField()
    reached_launched = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(
                fields=["launched_at", "submitted_at"],
                condition=models.Q(launched_at__isnull=False),
                name="milestone_launched",
            ),
            models.Index(fields=["submitted_at"], name="milestone_submitted"),
        ]

    def __str__(self) -> str:
        return f"idea #{self.idea_id} submitted {self.submitted_at:%Y-%m-%d}"


class FunnelDay(models.Model):
    """Of the ideas first submitted on one UTC day, how many ever reached each step of the
    funnel. A fiscal year's funnel sums its whole days and reads the milestones of the
    partial days at its edges (none when the project's time zone is UTC)."""

    day = models.DateField(primary_key=True)
    submitted = models.IntegerField(default=0)
    screening = models.IntegerField(default=0)
    in_review = models.IntegerField(default=0)
    shortlisted = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    funded = models.IntegerField(default=0)
    in_experiment = models.IntegerField(default=0)
    launched = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"funnel of {self.day}"


class ExperimentDay(models.Model):
    """Of the experiments decided on one UTC day (``decided_at``), how many carry a decision
    (not pending) and how many were scaled, stopped and iterated: the portfolio's hit rate
    sums a year's days (and reads the experiments of the partial days at its edges, none
    when the project's time zone is UTC). Kept by row triggers on the experiments
    (insights/readmodel.py), rebuilt by ``manage.py rebuild_portfolio``."""

    day = models.DateField(primary_key=True)
    decided = models.IntegerField(default=0)
    scaled = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    iterated = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"experiments decided on {self.day}"


class CycleTimeCount(models.Model):
    """Of the ideas first launched within a fiscal year (by the UTC day of the launch), how
    many took ``days`` whole days (rounded down) from their first submission to their first
    launch: a year's cycle-time percentiles find the day holding each rank by cumulative
    counts (one row per day of cycle time, however many ideas launched) and read the exact
    cycle times from that day on only. Kept by row triggers on the milestones and the
    fiscal years (insights/readmodel.py), rebuilt by ``manage.py rebuild_portfolio``."""

    fiscal_year = models.ForeignKey(
        "budgets.FiscalYear", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    days = models.IntegerField()
    launches = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "days"], name="cycle_time_count_once")
        ]

    def __str__(self) -> str:
        return f"{self.launches} launch(es) in {self.days} day(s), year #{self.fiscal_year_id}"
