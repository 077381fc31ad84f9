from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

# Money: Decimal end to end, 2 places, stored as NUMERIC(14, 2). Percentages are computed
# with Decimal and rounded half-up to 2 places only for display and the API.
# The rule in one place: budgets.services.money() / budgets.selectors.pct() (ROUND_HALF_UP).
NEW_ONLY_EXCLUDES = "optimization"  # the strict definition counts only the new


def new_only_q(prefix: str = "") -> Q:
    """The strict ("new only") definition, seen through the relation ``prefix`` to the idea
    (``"idea__"`` from an allocation): not an optimization, and the type confirmed by a
    manager (a submitter's unconfirmed label does not count as new)."""
    return ~Q(**{f"{prefix}innovation_type": NEW_ONLY_EXCLUDES}) & Q(
        **{f"{prefix}type_confirmed": True}
    )


# Share of the innovation budget per horizon (ideas.models.Horizon), in whole percent.
HORIZONS = ("core", "adjacent", "transformational")


def default_horizon_targets() -> dict[str, int]:
    return {"core": 70, "adjacent": 20, "transformational": 10}


def clean_horizon_targets(value) -> dict[str, int]:
    """``value`` as ``{core, adjacent, transformational}`` whole percentages summing to 100,
    or ValidationError naming what is wrong."""
    from django.core.exceptions import ValidationError

    if not isinstance(value, dict) or set(value) != set(HORIZONS):
        raise ValidationError(
            "Give a target for each horizon: core, adjacent and transformational."
        )
    out = {}
    for key in HORIZONS:
        number = value[key]
        if isinstance(number, bool) or not isinstance(number, int | float | Decimal | str):
            raise ValidationError(f"The {key} target must be a whole percentage.")
        try:
            number = Decimal(str(number))
        except ArithmeticError as exc:
            raise ValidationError(f"The {key} target must be a whole percentage.") from exc
        if number != number.to_integral_value() or not 0 <= number <= 100:
            raise ValidationError(f"The {key} target must be a whole percentage from 0 to 100.")
        out[key] = int(number)
    if sum(out.values()) != 100:
        raise ValidationError(
            f"The horizon targets must add up to 100 (they add up to {sum(out.values())})."
        )
    return out


class FiscalYearQuerySet(models.QuerySet):
    def containing(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class FiscalYear(models.Model):
    label = models.CharField(max_length=40, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    marketing_budget = models.DecimalField(max_digits=14, decimal_places=2)
    innovation_target_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("10.00")
    )
    currency = models.CharField(max_length=3, default="EUR")
    # Share of the innovation budget per horizon (whole percent, summing to 100): the
    # dashboard shows committed money by horizon against them.
    horizon_targets = models.JSONField(default=default_horizon_targets)

    objects = FiscalYearQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="fy_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(marketing_budget__gt=0), name="fy_budget_positive"),
            models.CheckConstraint(
                condition=Q(innovation_target_pct__gt=0, innovation_target_pct__lte=100),
                name="fy_target_pct_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def innovation_budget(self) -> Decimal:
        return (self.marketing_budget * self.innovation_target_pct / Decimal(100)).quantize(
            Decimal("0.01")
        )


class AllocationStatus(models.TextChoices):
    COMMITTED = "committed", "Committed"
    RELEASED = "released", "Released"


class AllocationQuerySet(models.QuerySet):
    def committed(self):
        return self.filter(status=AllocationStatus.COMMITTED)

    def new_only(self):
        """The strict definition of innovation: confirmed types other than optimization."""
        return self.filter(new_only_q("idea__"))

    def as_of(self, day):
        """Allocations committed at the end of ``day``: created on or before it and not
        released by then (whatever their status today). Dates are in TIME_ZONE."""
        return self.filter(created_at__date__lte=day).filter(
            Q(released_at__isnull=True) | Q(released_at__date__gt=day)
        )


class Allocation(models.Model):
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.PROTECT, related_name="allocations"
    )
    idea = models.ForeignKey("ideas.Idea", on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(
        max_length=10, choices=AllocationStatus.choices, default=AllocationStatus.COMMITTED
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    override = models.BooleanField(default=False)
    reason = models.TextField(blank=True, help_text="Why the override was needed.")
    created_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    # The sum of this allocation's spends, kept by ``services.spend_record`` in the same
    # transaction as the spend (an ``F()`` update under the allocation's row lock), so reads
    # of spent totals never scan the spends. ``manage.py rebuild_spent`` recomputes it.
    spent = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"), db_default=Decimal("0.00")
    )

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(override=False) | ~Q(reason=""), name="allocation_override_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(spent__gte=0) & Q(spent__lte=F("amount")),
                name="allocation_spent_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "status"], name="allocation_fy_status")]

    def __str__(self) -> str:
        return f"{self.amount} to idea {self.idea_id} ({self.get_status_display().lower()})"

    @property
    def is_committed(self) -> bool:
        return self.status == AllocationStatus.COMMITTED


class Spend(models.Model):
    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="spends")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    spent_on = models.DateField()
    description = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-spent_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spend_amount_positive")
        ]
        indexes = [models.Index(fields=["allocation", "spent_on"], name="spend_allocation_day")]


class BudgetSnapshot(models.Model):
    """Committed and spent at the end of one day. Written by budgets.snapshot (an upsert)."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField()
    committed = models.DecimalField(max_digits=14, decimal_places=2)
    spent = models.DecimalField(max_digits=14, decimal_places=2)
    committed_new_only = models.DecimalField(max_digits=14, decimal_places=2)
    spent_new_only = models.DecimalField(max_digits=14, decimal_places=2)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fiscal_year", "date"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "date"], name="snapshot_once_per_day")
        ]


class CommittedMoney(models.Model):
    """Committed allocations summed per fiscal year and per what the reports split them by:
    the idea's stage, campaign, innovation type (and whether it is confirmed) and horizon.
    The dashboard's totals and splits and the journey map's money per stage read these few
    thousand rows instead of joining every committed allocation to its idea.

    On PostgreSQL statement triggers keep it in the same transaction as its sources
    (migration ``budgets/0005``): on allocations (created, released, re-amounted, spent,
    deleted) and on ideas (a change of stage, campaign, type, confirmation or horizon moves
    the idea's committed money to its new group). Elsewhere the reads join the allocations
    themselves. ``manage.py rebuild_committed_money`` recomputes it
    (``budgets.committed.committed_money_rebuild``).

    The keys are not database foreign keys: rows left at zero must never block deleting a
    stage, campaign or fiscal year; a NULL stage or campaign is its own group."""

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    stage = models.ForeignKey(
        "journeys.Stage",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    campaign = models.ForeignKey(
        "ideas.Campaign",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    innovation_type = models.CharField(max_length=24)
    type_confirmed = models.BooleanField()
    horizon = models.CharField(max_length=16)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    spent = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    allocations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # NULL keys compare equal through COALESCE, so the triggers' upserts find them.
            models.UniqueConstraint(
                F("fiscal_year"),
                Coalesce(F("stage"), Value(0)),
                Coalesce(F("campaign"), Value(0)),
                F("innovation_type"),
                F("type_confirmed"),
                F("horizon"),
                name="committedmoney_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year_id}/{self.stage_id}/{self.campaign_id}: {self.amount}"


class CommittedByStage(models.Model):
    """``CommittedMoney`` summed over campaigns: committed money per fiscal year, stage,
    innovation type, confirmation and horizon. The dashboard's totals and its splits by
    type, horizon and cycle, and the journey map's money per stage of every campaign, read
    these rows: their number is bounded by the stages and the choices, however many ideas
    and campaigns there are.

    On PostgreSQL a row trigger on ``budgets_committedmoney`` (migration
    ``budgets/0007_committed_rollups``) moves each change of a group into its roll-ups, in the
    same transaction; ``manage.py rebuild_committed_money`` recomputes them."""

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    stage = models.ForeignKey(
        "journeys.Stage",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    innovation_type = models.CharField(max_length=24)
    type_confirmed = models.BooleanField()
    horizon = models.CharField(max_length=16)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    spent = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    allocations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("fiscal_year"),
                Coalesce(F("stage"), Value(0)),
                F("innovation_type"),
                F("type_confirmed"),
                F("horizon"),
                name="committedbystage_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year_id}/{self.stage_id}: {self.amount}"


class CommittedByCampaign(models.Model):
    """``CommittedMoney`` summed per fiscal year and campaign (the dashboard's split by
    campaign: one row per campaign with money). Kept like :class:`CommittedByStage`."""

    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    campaign = models.ForeignKey(
        "ideas.Campaign",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    spent = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    allocations = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                F("fiscal_year"),
                Coalesce(F("campaign"), Value(0)),
                name="committedbycampaign_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year_id}/{self.campaign_id}: {self.amount}"
