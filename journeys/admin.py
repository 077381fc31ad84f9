from django.contrib import admin

from journeys.models import Journey, Moment, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    ordering = ["order"]


class MomentInline(admin.TabularInline):
    model = Moment
    extra = 0
    fields = ["name", "effect", "severity", "evidence"]


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "journey", "cycle", "kind", "order"]
    list_filter = ["journey", "cycle", "kind"]
    list_select_related = ["journey"]
    inlines = [MomentInline]


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ["name", "stage", "effect", "severity"]
    list_filter = ["effect", "severity", "stage__journey", "stage__cycle"]
    list_select_related = ["stage"]
    search_fields = ["name", "evidence"]
