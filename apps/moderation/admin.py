from django.contrib import admin
from django.http import HttpRequest

from apps.moderation.models import ModerationAction


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The log is append-only: the admin shows it and changes nothing."""

    list_display = [
        "created_at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_title",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_title", "reason"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
