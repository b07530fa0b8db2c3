from django.contrib import admin

from apps.mail.models import DriftNudge, WeeklyEmail
from roadmap_site.admin import ReadOnlyAdmin


@admin.register(WeeklyEmail)
class WeeklyEmailAdmin(ReadOnlyAdmin):
    """Which Monday emails went out (or why not): written by the weekly job only."""

    edit_elsewhere = "Read-only: the mail-weekly job writes these rows, one per learner and week."

    list_display = ["week_of", "user", "handled_at", "skipped"]
    list_filter = ["week_of", ("handled_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(DriftNudge)
class DriftNudgeAdmin(ReadOnlyAdmin):
    """When each enrolment was last nudged: written by the nudge job only."""

    edit_elsewhere = "Read-only: the mail-drift-nudge job writes these rows."

    list_display = ["enrollment", "sent_at"]
    search_fields = ["enrollment__user__username"]
    raw_id_fields = ["enrollment"]
