from django.contrib import admin

from apps.community.models import Report, Vote
from roadmap_site.admin import ReadOnlyAdmin

EDIT_ELSEWHERE = (
    "Read-only here. Votes are cast by learners on the roadmap pages; reports are resolved on "
    "the moderation pages (/moderation/), which record each decision in the moderation log."
)


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = ("user", "resource", "value", "updated_at")
    list_select_related = ("user", "resource")
    raw_id_fields = ("user", "resource")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = ("resource", "reason", "user", "created_at", "resolved_at")
    list_filter = ("reason",)
    list_select_related = ("user", "resource")
    raw_id_fields = ("user", "resource", "resolved_by")
