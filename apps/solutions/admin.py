from django.contrib import admin

from apps.solutions.models import Evidence, RequirementLink, Solution
from roadmap_site.admin import ReadOnlyAdmin

EDIT_ELSEWHERE = (
    "Read-only here. Learners submit and edit their solutions and link their checklist on the "
    "project pages; the evidence is read from the repository by the evidence job; moderators "
    "hide and restore solutions on the moderation pages (/moderation/?tab=flags), which record "
    "each decision in the moderation log."
)


@admin.register(Solution)
class SolutionAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = [
        "id",
        "project",
        "learner",
        "state",
        "visibility",
        "evidence_status",
        "demo_fix_by",
    ]
    list_filter = ["state", "visibility", "evidence_status", "forge"]
    search_fields = ["repository_url", "learner__username"]
    list_select_related = ["project", "learner"]
    raw_id_fields = ["learner", "project"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    list_display = ["solution", "kind", "present", "path", "checked_at"]
    list_filter = ["kind", "present"]
    raw_id_fields = ["solution"]


@admin.register(RequirementLink)
class RequirementLinkAdmin(ReadOnlyAdmin):
    edit_elsewhere = EDIT_ELSEWHERE
    raw_id_fields = ["solution"]
