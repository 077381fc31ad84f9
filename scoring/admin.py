from django.contrib import admin

from scoring.models import (
    Assignment,
    IdeaScore,
    Panel,
    ReviewRound,
    Scorecard,
    ScorecardSignal,
    Signal,
    SignalResult,
)
from scoring.progress import idea_count_refresh


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "group", "order", "active"]


class ScorecardSignalInline(admin.TabularInline):
    model = ScorecardSignal
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["name", "gate_threshold", "min_reviews", "min_functions", "is_default"]
    inlines = [ScorecardSignalInline]


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    filter_horizontal = ["members"]


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "panel", "status", "due_at", "aggregated_at"]
    list_filter = ["status"]
    raw_id_fields = ["ideas"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        idea_count_refresh(form.instance.pk)  # the ideas may have changed


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Read-only: assignments are created when a round opens and submitted by their
    reviewer, through the services that keep the round's progress with them."""

    list_display = ["round", "idea", "reviewer", "submitted_at"]
    raw_id_fields = ["idea", "reviewer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignalResultInline(admin.TabularInline):
    model = SignalResult
    extra = 0
    readonly_fields = ["signal", "raw", "calibrated", "sd", "n"]


@admin.register(IdeaScore)
class IdeaScoreAdmin(admin.ModelAdmin):
    """Read-only: results are written by the aggregation job only."""

    list_display = ["round", "rank", "idea", "overall", "passes_gate", "contested"]
    inlines = [SignalResultInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
