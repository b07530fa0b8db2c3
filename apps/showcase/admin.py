from django.contrib import admin

from apps.showcase.models import Flag, Like, Review, ReviewRequest, Tally
from roadmap_site.admin import ReadOnlyAdmin

EDIT_ELSEWHERE = (
    "Read-only here. Learners like, review and flag on the showcase pages; moderators hide "
    "solutions, remove reviews and close flags on the moderation pages (/moderation/?tab=flags), "
    "which record each decision in the moderation log."
)


@admin.register(Tally)
class TallyAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = ("solution", "likes", "score")
    raw_id_fields = ("solution",)


@admin.register(Like)
class LikeAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = ("user", "solution", "created_at")
    list_select_related = ("user",)
    raw_id_fields = ("user", "solution")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = ("solution", "reviewer", "created_at", "replied_at", "removed_at")
    list_select_related = ("reviewer",)
    raw_id_fields = ("solution", "reviewer")


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = ("solution", "requested_at", "closed_at")
    raw_id_fields = ("solution",)


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = ("reason", "solution", "review", "user", "created_at", "resolved_at", "outcome")
    list_filter = ("reason", "outcome")
    list_select_related = ("user",)
    raw_id_fields = ("solution", "review", "user", "resolved_by")
