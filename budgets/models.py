from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# Money: Decimal end to end, 2 places, stored as NUMERIC(14, 2). Percentages are computed
# with Decimal and rounded half-up to 2 places only for display and the API.


class FiscalYear(models.Model):
    label = models.CharField(max_length=40, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    marketing_budget = models.DecimalField(max_digits=14, decimal_places=2)
    innovation_target_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("10.00")
    )
    currency = models.CharField(max_length=3, default="EUR")

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

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=Q(override=False) | ~Q(reason=""), name="allocation_override_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "status"], name="allocation_fy_status")]


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
