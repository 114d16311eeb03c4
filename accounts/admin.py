from django.contrib import admin

from accounts.models import PrisonAccess


@admin.register(PrisonAccess)
class PrisonAccessAdmin(admin.ModelAdmin):
    list_display = ["user", "prison"]
    search_fields = ["user__username", "prison__name", "prison__code"]
