"""Admin: read-only views for support. Every budget write carries rules (the budget cap
under a row lock, spend within an allocation) and an audit trail, so it goes through the
manager pages or the API, never the admin."""

from django.contrib import admin

from budgets.models import Allocation, BudgetSnapshot, FiscalYear, Spend
from core.admin import ReadOnlyAdmin


@admin.register(FiscalYear)
class FiscalYearAdmin(ReadOnlyAdmin):
    list_display = ["label", "starts_on", "ends_on", "marketing_budget", "innovation_target_pct"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["id", "fiscal_year", "idea", "amount", "status", "override", "created_at"]
    list_filter = ["fiscal_year", "status", "override"]
    list_select_related = ["fiscal_year", "idea"]


@admin.register(Spend)
class SpendAdmin(ReadOnlyAdmin):
    list_display = ["id", "allocation", "amount", "spent_on", "description"]


@admin.register(BudgetSnapshot)
class BudgetSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["fiscal_year", "date", "committed", "spent", "committed_new_only"]
    list_filter = ["fiscal_year"]
