"""The content API's serializers (output only, and the query of the resource list)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.roadmap.credit import resource_credit
from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.readme_parser import first_sentence
from apps.roadmap.rendering import render_markdown
from roadmap_site import limits


@extend_schema_field(OpenApiTypes.STR)
class MarkdownHTMLField(serializers.Field):
    """A Markdown source field, answered as sanitised HTML."""

    def to_representation(self, value: str) -> str:
        return str(render_markdown(value or ""))


class RoadmapListSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField()
    topic_count = serializers.IntegerField()

    class Meta:
        model = Roadmap
        fields = ["slug", "title", "summary", "topic_count", "updated_at"]

    def get_summary(self, roadmap: Roadmap) -> str:
        return first_sentence(roadmap.summary_md)


class SlugListField(serializers.ListField):
    child = serializers.SlugField()

    def to_representation(self, data: Any) -> list[str]:
        return [topic.slug for topic in data.all()]


class GoalSerializer(serializers.Serializer):
    text = serializers.CharField()
    topics = SlugListField()


class PhaseSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    week_start = serializers.IntegerField()
    week_end = serializers.IntegerField()
    goals = GoalSerializer(many=True, source="goals.all")


class TreeTopicSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    phase = serializers.SlugField(source="phase.slug", allow_null=True, default=None)
    is_additional = serializers.BooleanField()
    est_hours = serializers.IntegerField(allow_null=True)
    resource_count = serializers.IntegerField()


class SectionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary_html = MarkdownHTMLField(source="summary_md")
    topics = TreeTopicSerializer(many=True, source="topics.all")


class ProjectSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    description_html = MarkdownHTMLField(source="description_md")
    topics = SlugListField()


class FAQSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer_html = MarkdownHTMLField(source="answer_md")


class OutcomeListField(serializers.ListField):
    child = serializers.CharField()

    def to_representation(self, data: Any) -> list[str]:
        return [outcome.text for outcome in data.all()]


class RoadmapTreeSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary_html = MarkdownHTMLField(source="summary_md")
    updated_at = serializers.DateTimeField()
    phases = PhaseSerializer(many=True, source="phases.all")
    sections = SectionSerializer(many=True, source="sections.all")
    outcomes = OutcomeListField()
    projects = ProjectSerializer(many=True, source="projects.all")
    faqs = FAQSerializer(many=True, source="faqs.all")


class ResourceSerializer(serializers.ModelSerializer):
    roadmap = serializers.SlugField(source="roadmap.slug")
    topic = serializers.SlugField(source="topic.slug", allow_null=True, default=None)
    description_html = MarkdownHTMLField(source="description_md")
    submitted_by = serializers.SerializerMethodField()
    archive_url = serializers.URLField(
        read_only=True, allow_null=True, help_text="The Internet Archive's copies; broken links"
    )

    class Meta:
        model = Resource
        fields = [
            "id",
            "url",
            "title",
            "kind",
            "description_html",
            "roadmap",
            "topic",
            "editors_pick",
            "score",
            "upvotes",
            "downvotes",
            "health",
            "last_checked_at",
            "archive_url",
            "access",
            "access_seen_at",
            "submitted_by",
            "created_at",
        ]

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text=(
                'Who suggested it: their display name (else username), "a contributor" '
                'when they opted out, "deleted user" after their account was deleted; '
                "null for resources of the roadmap's own content."
            ),
        )
    )
    def get_submitted_by(self, resource: Resource) -> str | None:
        credit = resource_credit(resource)
        return credit.name if credit is not None else None


class TopicResourceSerializer(ResourceSerializer):
    class Meta(ResourceSerializer.Meta):
        pass


class TopicDetailSerializer(serializers.ModelSerializer):
    section = serializers.SlugField(source="section.slug")
    phase = serializers.SlugField(source="phase.slug", allow_null=True, default=None)
    body_html = MarkdownHTMLField(source="body_md")
    key_points = serializers.ListField(child=serializers.CharField())
    resources = ResourceSerializer(many=True, source="ranked_resources")

    class Meta:
        model = Topic
        fields = [
            "slug",
            "title",
            "section",
            "phase",
            "body_html",
            "key_points",
            "est_hours",
            "resources",
        ]


class ResourceFilterSerializer(serializers.Serializer):
    """The query of GET /resources/: every parameter optional, bad values answered with 400."""

    ORDERINGS = ("-score", "-created_at", "title")

    roadmap = serializers.SlugField(required=False, help_text="a roadmap's slug")
    topic = serializers.SlugField(required=False, help_text="a topic's slug")
    kind = serializers.ChoiceField(choices=Resource.Kind.choices, required=False)
    health = serializers.ChoiceField(choices=Resource.Health.choices, required=False)
    free = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only resources the link checker has not found behind a paywall",
    )
    q = serializers.CharField(
        required=False,
        help_text="words in the title or description",
        **limits.SEARCH_QUERY.serializer_kwargs(),
    )
    ordering = serializers.ChoiceField(choices=ORDERINGS, required=False, default="-score")
