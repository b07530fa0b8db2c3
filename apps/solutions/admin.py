from django.contrib import admin

from apps.solutions.models import Evidence, RequirementLink, Solution


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["kind", "present", "path", "detail", "checked_at"]


class RequirementLinkInline(admin.TabularInline):
    model = RequirementLink
    extra = 0


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
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
    raw_id_fields = ["learner", "project"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [EvidenceInline, RequirementLinkInline]
