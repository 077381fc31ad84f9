from django.contrib import admin

from feedback.models import FeedbackItem, FeedbackLink, ImportBatch


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    list_display = ["source", "external_id", "channel", "received_on", "is_negative", "stage"]
    list_filter = ["channel", "is_negative", "source"]
    search_fields = ["external_id", "text"]
    raw_id_fields = ["stage", "moment", "suggested_moment", "batch"]
    readonly_fields = ["customer_ref", "digest"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "original_name", "status", "total", "imported", "updated", "rejected"]
    list_filter = ["status"]
    readonly_fields = ["created_by", "started_at", "finished_at"]


@admin.register(FeedbackLink)
class FeedbackLinkAdmin(admin.ModelAdmin):
    list_display = ["item", "idea", "linked_by", "created_at"]
    raw_id_fields = ["item", "idea", "linked_by"]
