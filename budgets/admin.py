"""Admin: read-mostly views for support. Writes that carry rules (allocations, spend) go
through the manager pages or the API, so the admin does not allow adding them."""

from django.contrib import admin

from budgets.models import Allocation, BudgetSnapshot, FiscalYear, Spend


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
    list_display = ["label", "starts_on", "ends_on", "marketing_budget", "innovation_target_pct"]


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ["id", "fiscal_year", "idea", "amount", "status", "override", "created_at"]
    list_filter = ["fiscal_year", "status", "override"]
    list_select_related = ["fiscal_year", "idea"]
    raw_id_fields = ["idea", "allocated_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Spend)
class SpendAdmin(admin.ModelAdmin):
    list_display = ["id", "allocation", "amount", "spent_on", "description"]
    raw_id_fields = ["allocation", "recorded_by"]

    def has_add_permission(self, request):
        return False


@admin.register(BudgetSnapshot)
class BudgetSnapshotAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "date", "committed", "spent", "committed_new_only"]
    list_filter = ["fiscal_year"]
