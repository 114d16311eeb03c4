from django.contrib import admin

from prisons.models import BlockedDate, DateSpecificSession, Prison, SessionTemplate


class SessionTemplateInline(admin.TabularInline):
    model = SessionTemplate
    extra = 0


@admin.register(Prison)
class PrisonAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "enabled", "private", "closed", "booking_window", "lead_days", "adult_age"]
    list_filter = ["enabled", "private", "closed"]
    search_fields = ["name", "code", "slug"]
    inlines = [SessionTemplateInline]


@admin.register(SessionTemplate)
class SessionTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "prison",
        "weekday",
        "start_time",
        "end_time",
        "every_n_weeks",
        "valid_from",
        "valid_to",
        "open_capacity",
        "closed_capacity",
    ]
    list_filter = ["weekday"]
    search_fields = ["prison__name", "prison__code"]


@admin.register(DateSpecificSession)
class DateSpecificSessionAdmin(admin.ModelAdmin):
    list_display = ["prison", "date", "start_time", "end_time", "open_capacity", "closed_capacity"]
    search_fields = ["prison__name", "prison__code"]
    date_hierarchy = "date"


@admin.register(BlockedDate)
class BlockedDateAdmin(admin.ModelAdmin):
    list_display = ["prison", "date", "start_time", "reason"]
    search_fields = ["prison__name", "prison__code"]
    date_hierarchy = "date"
