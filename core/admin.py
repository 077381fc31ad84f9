"""Admin helpers shared by every app, and the admin of core's own models."""

from django.contrib import admin

from core.models import OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services (with their rules, locks and audit trail) or append-only
    logs: the admin lists and shows them, and never adds, changes or deletes one."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Read-only: operators look at what is pending; the relay is the only writer."""

    list_display = ["id", "task_name", "task_id", "created_at", "attempts", "sent_at"]
    list_filter = ["task_name", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["task_id", "task_name"]
