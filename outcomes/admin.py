"""Admin: read-mostly views for support. Writes that carry rules (decisions, measurements,
value records) go through the owner's and managers' pages or the API."""

from django.contrib import admin

from outcomes.models import Experiment, Measurement, ValueRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Experiment)
class ExperimentAdmin(ReadOnlyAdmin):
    list_display = ["id", "idea", "metric", "baseline", "target", "decision", "decided_at"]
    list_filter = ["decision", "direction"]
    list_select_related = ["idea"]
    raw_id_fields = ["idea", "decided_by", "created_by"]


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ["id", "experiment", "measured_on", "value"]
    raw_id_fields = ["experiment", "recorded_by"]


@admin.register(ValueRecord)
class ValueRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "idea",
        "period_start",
        "period_end",
        "revenue_generated",
        "revenue_protected",
    ]
    list_select_related = ["idea"]
    raw_id_fields = ["idea", "recorded_by"]
