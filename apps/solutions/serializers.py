"""What API clients send to the solutions API and how solutions are shown. Lengths come from
roadmap_site.limits, so the schema states the limits the services enforce."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.selectors import public_name
from apps.roadmap.rendering import render_markdown
from apps.solutions.models import Evidence, RequirementLink, Solution
from apps.solutions.selectors import requirement_rows
from apps.solutions.services import SolutionInput
from roadmap_site.api_errors import ErrorSerializer
from roadmap_site.limits import (
    REQUIREMENT_LINK,
    REQUIREMENT_NOTE,
    SOLUTION_TOPICS,
    SOLUTION_URL,
    SOLUTION_VERSION,
    SOLUTION_WRITE_UP,
)


class SolutionWrite(serializers.Serializer):
    repository_url = serializers.CharField(
        **SOLUTION_URL.serializer_kwargs(),
        trim_whitespace=False,
        help_text="A public repository's page: https://github.com/<owner>/<name> or "
        "https://gitlab.com/<group>/<name>.",
    )
    demo_url = serializers.CharField(
        max_length=SOLUTION_URL.max,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="A live demo (http or https, a public host); null or empty for none.",
    )
    write_up = serializers.CharField(
        **SOLUTION_WRITE_UP.serializer_kwargs(),
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Markdown; shown sanitised.",
    )
    topics = serializers.ListField(
        child=serializers.SlugField(max_length=120),
        required=False,
        default=list,
        max_length=SOLUTION_TOPICS.max,
        help_text="Slugs of the roadmap's topics the solution exercises.",
    )

    def to_input(self) -> SolutionInput:
        data = self.validated_data
        return SolutionInput(
            repository_url=data["repository_url"],
            demo_url=data.get("demo_url"),
            write_up_md=data.get("write_up", ""),
            topics=list(data.get("topics", [])),
        )


class SolutionCreate(SolutionWrite):
    roadmap = serializers.SlugField(max_length=120)
    project = serializers.SlugField(max_length=120)


class SolutionEdit(SolutionWrite):
    version = serializers.IntegerField(
        **SOLUTION_VERSION.serializer_kwargs(),
        help_text="The `version` of the last GET; a stale one answers 412 with the stored one.",
    )


class SolutionWithdraw(serializers.Serializer):
    version = serializers.IntegerField(**SOLUTION_VERSION.serializer_kwargs())


class RequirementLinkInput(serializers.Serializer):
    target = serializers.CharField(
        **REQUIREMENT_LINK.serializer_kwargs(),
        required=False,
        allow_blank=True,
        default="",
        help_text="A URL (http or https) or a path in the repository, like src/app.py.",
    )
    evidence = serializers.ChoiceField(
        choices=Evidence.Kind.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        **REQUIREMENT_NOTE.serializer_kwargs(), required=False, allow_blank=True, default=""
    )


class EvidenceOutput(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["kind", "present", "path", "detail", "checked_at"]


class RequirementOutput(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    target = serializers.CharField(allow_null=True)
    evidence = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)


def requirement_body(link: RequirementLink | None, key: str, text: str) -> dict[str, Any]:
    return {
        "key": key,
        "text": text,
        "target": link.target if link else None,
        "evidence": link.evidence.kind if link and link.evidence else None,
        "note": link.note if link else None,
    }


class SolutionOutput(serializers.ModelSerializer):
    roadmap = serializers.CharField(source="project.roadmap.slug")
    project = serializers.CharField(source="project.slug")
    author = serializers.SerializerMethodField()
    write_up = serializers.CharField(source="write_up_md")
    write_up_html = serializers.SerializerMethodField()
    topics = serializers.SerializerMethodField()
    evidence = EvidenceOutput(many=True)
    requirements = serializers.SerializerMethodField()

    class Meta:
        model = Solution
        fields = [
            "id",
            "roadmap",
            "project",
            "author",
            "repository_url",
            "demo_url",
            "write_up",
            "write_up_html",
            "topics",
            "state",
            "visibility",
            "demo_ok",
            "demo_checked_at",
            "demo_fix_by",
            "evidence_status",
            "evidence_checked_at",
            "evidence_error",
            "evidence",
            "requirements",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_author(self, solution: Solution) -> str:
        return public_name(solution.learner)

    def get_write_up_html(self, solution: Solution) -> str:
        return str(render_markdown(solution.write_up_md))

    def get_topics(self, solution: Solution) -> list[str]:
        return [topic.slug for topic in solution.topics.all()]

    @extend_schema_field(RequirementOutput(many=True))
    def get_requirements(self, solution: Solution) -> list[dict[str, Any]]:
        return [
            requirement_body(row.link, row.requirement.key, row.requirement.text)
            for row in requirement_rows(solution)
        ]


class SolutionExistsSerializer(ErrorSerializer):
    existing = serializers.DictField(
        required=False, help_text="the active solution's id and version"
    )

    class Meta:
        ref_name = "SolutionExistsError"


class SolutionStaleSerializer(ErrorSerializer):
    current = serializers.DictField(help_text="the stored solution, as the edit would change it")

    class Meta:
        ref_name = "SolutionStaleError"
