from django.contrib import admin

from apps.moderation.models import ModerationAction
from roadmap_site.admin import ReadOnlyAdmin


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """The log is append-only: the admin shows it and changes nothing."""

    edit_elsewhere = (
        "Read-only here: the moderation log is append-only. Each entry is written by the "
        "moderation pages (/moderation/) when a moderator decides."
    )
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
