from typing import Any

from django.contrib import admin
from django.utils import timezone

from prisons.models import BlockedDate, DateSpecificSession, Prison, SessionTemplate, VisitSession
from prisons.services import sessions_generate
from visits.outbox import visits_mailbox_change


class CoveredPrisonsOnly(admin.ModelAdmin):
    """A staff user who is not a superuser sees and edits only the prisons they cover (accounts.models.PrisonAccess),
    as in the console: another prison's rows are not listed, cannot be opened, and cannot be chosen."""

    prison_path = "prison"  # how a row reaches its prison

    def get_queryset(self, request: Any) -> Any:
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        return rows.filter(**{f"{self.prison_path}__staff_access__user": request.user}).distinct()

    def formfield_for_foreignkey(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "prison" and not request.user.is_superuser:
            kwargs["queryset"] = Prison.objects.filter(staff_access__user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RegeneratesSessions(CoveredPrisonsOnly):
    """A timetable change in the admin regenerates the prison's visit sessions at once."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if hasattr(obj, "changed_by"):
            obj.changed_by, obj.changed_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
        sessions_generate(today=timezone.localdate(), prisons=[obj.prison])

    def delete_model(self, request: Any, obj: Any) -> None:
        prison = obj.prison
        super().delete_model(request, obj)
        sessions_generate(today=timezone.localdate(), prisons=[prison])

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        prisons = list(Prison.objects.filter(id__in=queryset.values("prison_id")))
        super().delete_queryset(request, queryset)
        sessions_generate(today=timezone.localdate(), prisons=prisons)


class SessionTemplateInline(admin.TabularInline):
    model = SessionTemplate
    extra = 0


# A prison's identity: its NOMIS code decides whose prisoners its staff see and book for (staff look prisoners up at
# their prison's code), and its slug is its address in the console. The prison data sets them; prison staff cannot.
IDENTITY_FIELDS = ("code", "slug")


@admin.register(Prison)
class PrisonAdmin(CoveredPrisonsOnly):
    def get_queryset(self, request: Any) -> Any:
        """A prison is its own prison."""
        rows = admin.ModelAdmin.get_queryset(self, request)
        return rows if request.user.is_superuser else rows.filter(staff_access__user=request.user)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        """Prison staff (a visits admin) see the prison's NOMIS code and slug but cannot change them: with another
        prison's code, their staff would see and book for that prison's prisoners."""
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else fields + IDENTITY_FIELDS

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        """A changed visits mailbox is changed as the console changes it: who and when recorded, the old one told."""
        mailbox = obj.visits_mailbox
        if change and "visits_mailbox" in form.changed_data:
            obj.visits_mailbox = form.initial.get("visits_mailbox", "")
        super().save_model(request, obj, form, change)
        if obj.visits_mailbox != mailbox:
            visits_mailbox_change(prison=obj, mailbox=mailbox, by=request.user)

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # the timetable inline may have changed
        sessions_generate(today=timezone.localdate(), prisons=[form.instance])

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """The timetable's rows changed here are recorded as changed by this user, now."""
        for row in formset.save(commit=False):
            row.changed_by, row.changed_at = request.user, timezone.now()
            row.save()
        for gone in formset.deleted_objects:
            gone.delete()
        formset.save_m2m()

    list_display = ["name", "code", "enabled", "private", "closed", "booking_window", "lead_days", "adult_age"]
    list_filter = ["enabled", "private", "closed"]
    search_fields = ["name", "code", "slug"]
    inlines = [SessionTemplateInline]


@admin.register(SessionTemplate)
class SessionTemplateAdmin(RegeneratesSessions):
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
class DateSpecificSessionAdmin(RegeneratesSessions):
    list_display = ["prison", "date", "start_time", "end_time", "open_capacity", "closed_capacity"]
    search_fields = ["prison__name", "prison__code"]
    date_hierarchy = "date"


@admin.register(BlockedDate)
class BlockedDateAdmin(RegeneratesSessions):
    list_display = ["prison", "date", "start_time", "reason"]
    search_fields = ["prison__name", "prison__code"]
    date_hierarchy = "date"


@admin.register(VisitSession)
class VisitSessionAdmin(CoveredPrisonsOnly):
    list_display = [
        "prison",
        "date",
        "start_time",
        "end_time",
        "open_capacity",
        "closed_capacity",
        "blocked",
        "removed",
        "needs_review",
    ]
    list_filter = ["blocked", "removed", "needs_review"]
    search_fields = ["prison__name", "prison__code"]
    date_hierarchy = "date"
