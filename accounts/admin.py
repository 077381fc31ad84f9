from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts import services
from accounts.audit import audit_record
from accounts.models import ApiToken, AuditEvent, User
from core.admin import ReadOnlyAdmin

# Changes to these fields of a user in the admin are written to the audit log.
AUDITED_FLAGS = ["is_active", "is_staff", "is_superuser", "kind"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "kind", "function", "is_active", "is_staff"]
    list_filter = ["kind", "function", "is_active", "is_staff", "groups"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "kind", "function"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]

    def save_model(self, request, obj, form, change):
        before = (
            dict(User.objects.filter(pk=obj.pk).values(*AUDITED_FLAGS).first() or {})
            if change
            else {}
        )
        super().save_model(request, obj, form, change)
        changed = {
            flag: [before.get(flag), getattr(obj, flag)]
            for flag in AUDITED_FLAGS
            if change and before.get(flag) != getattr(obj, flag)
        }
        if changed:
            audit_record(
                actor=request.user,
                action="user.flags",
                target=obj,
                summary=f"{obj.email}: "
                + ", ".join(f"{f} {old} → {new}" for f, (old, new) in changed.items()),
                data={"changed": changed},
            )
        if change and before.get("is_active") and not obj.is_active:
            services.tokens_revoke_all(
                user=obj, actor=request.user, reason="the account was deactivated"
            )

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:
            audit_record(
                actor=request.user,
                action="role.change",
                target=form.instance,
                summary=f"Roles of {form.instance.email}: {', '.join(sorted(after)) or 'none'}",
                data={"added": sorted(after - before), "removed": sorted(before - after)},
            )

    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "kind", "function", "password1", "password2"],
            },
        ),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: nobody edits the audit log, not even a superuser."""

    list_display = ["at", "action", "actor_label", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "actor_label", "target_id"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and may be revoked (deleted, audited); keys are never stored."""

    list_display = ["prefix", "user", "created", "expires", "last_used"]
    search_fields = ["prefix", "user__email"]
    readonly_fields = ["user", "digest", "prefix", "auth_hash", "created", "expires", "last_used"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.token_revoke(token=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            services.token_revoke(token=token, actor=request.user)
