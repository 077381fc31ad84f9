"""Experiments with their measurements, and the value an idea realised after launch.

Attainment says how far an experiment got from its baseline towards its target:
``(latest measurement - baseline) / (target - baseline)``. 1.0 means the target was met,
0 means no change, a negative figure means the metric moved the wrong way. The same formula
serves both directions (a decrease has a negative denominator and, when it goes well, a
negative numerator). It is computed in one place per form: :func:`attainment` for values in
hand and ``ExperimentQuerySet.with_attainment`` in SQL; both give None without a measurement
or when target equals baseline.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import (
    DecimalField,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

# Metric values: up to 12 digits before the point and 4 after (rates, minutes, scores, money).
METRIC = {"max_digits": 16, "decimal_places": 4}
MONEY = {"max_digits": 14, "decimal_places": 2}
ATTAINMENT_PLACES = 4


class Direction(models.TextChoices):
    INCREASE = "increase", "Increase (higher is better)"
    DECREASE = "decrease", "Decrease (lower is better)"


class Decision(models.TextChoices):
    PENDING = "pending", "Pending"
    SCALE = "scale", "Scale"
    ITERATE = "iterate", "Iterate"
    STOP = "stop", "Stop"


def attainment(baseline, target, latest) -> float | None:
    """``(latest - baseline) / (target - baseline)`` with Decimals, rounded to 4 places;
    None when a value is missing or target equals baseline (no distance to cover)."""
    if baseline is None or target is None or latest is None:
        return None
    distance = Decimal(target) - Decimal(baseline)
    if distance == 0:
        return None
    return round(float((Decimal(latest) - Decimal(baseline)) / distance), ATTAINMENT_PLACES)


class ExperimentQuerySet(models.QuerySet):
    def decided(self):
        """Experiments with a decision (scale, iterate or stop)."""
        return self.exclude(decision=Decision.PENDING)

    def pending(self):
        return self.filter(decision=Decision.PENDING)

    def with_attainment(self):
        """Annotate ``latest_value``, ``latest_on`` (the latest measurement by day) and
        ``attainment`` (float, None without a measurement or when target == baseline).

        The arithmetic is cast to float: SQLite stores whole decimals as integers and would
        divide them as integers."""
        latest = Measurement.objects.filter(experiment=OuterRef("pk")).order_by(
            "-measured_on", "-id"
        )
        qs = self.annotate(
            latest_value=Subquery(latest.values("value")[:1], output_field=DecimalField(**METRIC)),
            latest_on=Subquery(latest.values("measured_on")[:1]),
        )
        distance = NullIf(Cast(F("target") - F("baseline"), FloatField()), Value(0.0, FloatField()))
        return qs.annotate(
            attainment=Cast(F("latest_value") - F("baseline"), FloatField()) / distance
        )


class Experiment(models.Model):
    """A test of an idea: a hypothesis on one metric, moved from a baseline towards a target.

    An experiment may be drafted with blanks; the move of its idea to ``in_experiment`` needs
    hypothesis, metric, baseline and target (outcomes.gates). An idea has at most one
    pending experiment at a time, so "the idea's experiment" is its latest one."""

    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="experiments")
    hypothesis = models.TextField(
        blank=True,
        help_text="We believe that … for … will … (what you expect, and for whom).",
    )
    segment = models.CharField(
        max_length=200, blank=True, help_text="Which customers take part (e.g. 12 pilot branches)."
    )
    metric = models.CharField(
        max_length=120, blank=True, help_text="What is measured (e.g. abandonment at step 3)."
    )
    unit = models.CharField(max_length=30, blank=True, help_text="e.g. %, minutes, NPS points.")
    direction = models.CharField(
        max_length=8, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline = models.DecimalField(**METRIC, null=True, blank=True)
    target = models.DecimalField(**METRIC, null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.PENDING)
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ExperimentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["idea", "created_at", "id"], name="experiment_idea_latest"),
            models.Index(fields=["decision", "decided_at"], name="experiment_decided"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_at__isnull=False),
                name="experiment_decided_has_time",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="experiment_ends_after_start",
            ),
            # One pending experiment per idea: the gates read "the" experiment of an idea.
            models.UniqueConstraint(
                fields=["idea"], condition=Q(decision="pending"), name="experiment_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return self.metric or f"Experiment #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING

    def missing_for_start(self) -> list[str]:
        """What the experiment still lacks before its idea can enter ``in_experiment``."""
        missing = []
        if not self.hypothesis.strip():
            missing.append("a hypothesis")
        if not self.metric.strip():
            missing.append("a metric")
        if self.baseline is None:
            missing.append("a baseline")
        if self.target is None:
            missing.append("a target")
        return missing

    def attainment_of(self, latest) -> float | None:
        return attainment(self.baseline, self.target, latest)


class Measurement(models.Model):
    """One value of the experiment's metric on one day (one per day)."""

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="measurements"
    )
    measured_on = models.DateField()
    value = models.DecimalField(**METRIC)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measured_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "measured_on"], name="measurement_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} on {self.measured_on}"


class ValueRecordQuerySet(models.QuerySet):
    def totals_by_idea(self):
        """One row per idea: ``idea``, ``generated``, ``protected``, ``total``, ``records``."""
        zero = Value(Decimal("0.00"), DecimalField(**MONEY))
        return (
            self.order_by()
            .values("idea")
            .annotate(
                generated=Coalesce(Sum("revenue_generated"), zero),
                protected=Coalesce(Sum("revenue_protected"), zero),
                records=models.Count("id"),
            )
            .annotate(total=F("generated") + F("protected"))
            .order_by("idea")
        )


class ValueRecord(models.Model):
    """Revenue an idea generated or protected in one period (dates inclusive). The periods
    of one idea never overlap (outcomes.services.value_record_create, under a row lock)."""

    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="value_records")
    period_start = models.DateField()
    period_end = models.DateField()
    revenue_generated = models.DecimalField(**MONEY, default=Decimal("0.00"))
    revenue_protected = models.DecimalField(**MONEY, default=Decimal("0.00"))
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ValueRecordQuerySet.as_manager()

    class Meta:
        ordering = ["period_start", "id"]
        indexes = [models.Index(fields=["idea", "period_start"], name="value_idea_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="value_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(revenue_generated__gte=0) & Q(revenue_protected__gte=0),
                name="value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start} to {self.period_end}"

    @property
    def total(self) -> Decimal:
        return self.revenue_generated + self.revenue_protected


class IdeaValue(models.Model):
    """Maintained: the sum of an idea's value records, one row per idea that has any.

    The value-record service writes it in the same transaction as the records, under the
    idea's row lock (``outcomes.services``); ``manage.py rebuild_idea_values`` recomputes it
    from the records. It exists so the portfolio can rank ideas by realised value without
    summing every record of every idea per request."""

    idea = models.OneToOneField(
        "ideas.Idea", on_delete=models.CASCADE, primary_key=True, related_name="realised_value"
    )
    generated = models.DecimalField(**MONEY, default=Decimal("0.00"))
    protected = models.DecimalField(**MONEY, default=Decimal("0.00"))
    total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    records = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(F("total").desc(), "idea", name="ideavalue_total")]

    def __str__(self) -> str:
        return f"{self.total} realised by idea #{self.idea_id}"
