from django.contrib import admin

from apps.progress.models import Enrollment, ResourceTick, TopicProgress, WeeklyCheckIn
from roadmap_site.admin import ReadOnlyAdmin


class ProgressAdmin(ReadOnlyAdmin):
    edit_elsewhere = (
        "Read-only here. Progress belongs to its learner, who changes it on their own plan "
        "and roadmap pages (or through the API with their token)."
    )


@admin.register(Enrollment)
class EnrollmentAdmin(ProgressAdmin):
    list_display = ("user", "roadmap", "start_date", "hours_per_week", "background")
    list_select_related = ("user", "roadmap")
    raw_id_fields = ("user",)


@admin.register(TopicProgress)
class TopicProgressAdmin(ProgressAdmin):
    list_display = ("user", "topic", "status", "auto_skipped", "updated_at")
    list_filter = ("status",)
    list_select_related = ("user", "topic")
    raw_id_fields = ("user", "topic")


@admin.register(ResourceTick)
class ResourceTickAdmin(ProgressAdmin):
    list_display = ("user", "resource", "created_at")
    list_select_related = ("user", "resource")
    raw_id_fields = ("user", "resource")


@admin.register(WeeklyCheckIn)
class WeeklyCheckInAdmin(ProgressAdmin):
    list_display = ("user", "roadmap", "week", "hours")
    list_select_related = ("user", "roadmap")
    raw_id_fields = ("user",)
