from django.contrib import admin

from core.admin import ReadOnlyAdmin
from ideas.models import Attachment, Campaign, Comment, Idea, IdeaTransition, Notification


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "audience", "opens_at", "closes_at"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    # Status and counters change only through the services (workflow log, F() counters).
    list_display = ["id", "title", "status", "innovation_type", "origin", "campaign", "created_at"]
    list_filter = ["status", "innovation_type", "origin", "campaign"]
    search_fields = ["title", "customer_need"]
    readonly_fields = ["status", "supports_employees", "supports_customers", "comment_count"]
    raw_id_fields = ["author", "owner", "merged_into", "stage", "moment", "campaign"]


@admin.register(IdeaTransition)
class IdeaTransitionAdmin(ReadOnlyAdmin):
    """Append-only: written by the workflow only; a step cannot be added, edited or deleted
    here."""

    list_display = ["idea", "from_status", "to_status", "actor", "at"]


admin.site.register([Comment, Attachment, Notification])
