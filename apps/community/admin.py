from django.contrib import admin

from apps.community.models import Report, Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("user", "resource", "value", "updated_at")
    list_select_related = ("user", "resource")
    raw_id_fields = ("user", "resource")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("resource", "reason", "user", "created_at", "resolved_at")
    list_filter = ("reason",)
    list_select_related = ("user", "resource")
    raw_id_fields = ("user", "resource", "resolved_by")
