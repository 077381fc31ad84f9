from django.contrib import admin

from core.admin import ReadOnlyAdmin
from ideas.models import (
    Attachment,
    Campaign,
    Comment,
    Evidence,
    Flag,
    Idea,
    IdeaTransition,
    ModerationCase,
    Notification,
)
from ideas.services import idea_recount


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "audience", "premoderation", "opens_at", "closes_at"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    # Status and counters change only through the services (workflow log, F() counters).
    list_display = ["id", "title", "status", "innovation_type", "origin", "campaign", "created_at"]
    list_filter = ["status", "innovation_type", "origin", "campaign"]
    search_fields = ["title", "customer_need"]
    readonly_fields = [
        "status",
        "supports_employees",
        "supports_customers",
        "comment_count",
        "evidence_count",
        "customers_affected",
        "moderation",
        "moderation_note",
    ]
    raw_id_fields = ["author", "owner", "merged_into", "stage", "moment", "campaign"]


@admin.register(IdeaTransition)
class IdeaTransitionAdmin(ReadOnlyAdmin):
    """Append-only: written by the workflow only; a step cannot be added, edited or deleted
    here."""

    list_display = ["idea", "from_status", "to_status", "actor", "at"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    # Added through ideas.evidence (which keeps the idea's counters); read here.
    list_display = ["id", "idea", "kind", "customers_affected", "added_by", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["idea", "added_by"]

    def has_add_permission(self, request):
        return False

    # A deletion here (say, personal data in a summary) recounts the idea's counters.
    def delete_model(self, request, obj):
        idea_id = obj.idea_id
        super().delete_model(request, obj)
        idea_recount(ids=[idea_id])

    def delete_queryset(self, request, queryset):
        idea_ids = set(queryset.values_list("idea_id", flat=True))
        super().delete_queryset(request, queryset)
        idea_recount(ids=idea_ids)


@admin.register(ModerationCase)
class ModerationCaseAdmin(ReadOnlyAdmin):
    """Decided in the moderation queue (ideas.moderation), which keeps the counters and the
    audit log; read here."""

    list_display = ["id", "idea", "comment", "cause", "flag_count", "opened_at", "decision"]
    list_filter = ["cause", "decision"]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "user", "reason", "created_at"]


admin.site.register([Comment, Attachment, Notification])
