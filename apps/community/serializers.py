"""The community's serializers: what API clients send (submissions, votes, reports) and how
submissions, votes and reports are shown to them. The lengths come from roadmap_site.limits, so
the OpenAPI schema shows the limits the services enforce, and the messages are the forms'."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.selectors import public_name
from apps.community.models import Report, Vote
from apps.roadmap.models import Resource, Roadmap, Topic
from roadmap_site.api_errors import ErrorSerializer
from roadmap_site.limits import REPORT_NOTE, RESOURCE_DESCRIPTION, RESOURCE_TITLE, RESOURCE_URL

# -- submissions


class SubmissionOutput(serializers.ModelSerializer):
    roadmap = serializers.CharField(source="roadmap.slug")
    topic = serializers.CharField(source="topic.slug", allow_null=True)
    description = serializers.CharField(source="description_md")
    reason = serializers.CharField(source="review_reason")
    submitted_by = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "roadmap",
            "topic",
            "url",
            "title",
            "kind",
            "description",
            "status",
            "reason",
            "submitted_by",
            "created_at",
            "reviewed_at",
        ]

    def get_submitted_by(self, resource: Resource) -> str:
        return public_name(resource.submitted_by)


class ProbableDuplicateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    title = serializers.CharField()


class SubmissionCreatedOutput(SubmissionOutput):
    """A new submission, with the approved resources it probably duplicates (its URL at the
    other scheme, or with or without `www.`): accepted, and the caller is told."""

    probable_duplicates = serializers.SerializerMethodField()

    class Meta(SubmissionOutput.Meta):
        fields = [*SubmissionOutput.Meta.fields, "probable_duplicates"]

    @extend_schema_field(ProbableDuplicateOutput(many=True))
    def get_probable_duplicates(self, resource: Resource) -> list[dict[str, Any]]:
        twins = self.context.get("probable_duplicates", [])
        return list(ProbableDuplicateOutput(twins, many=True).data)


SUBMISSION_STATUSES = Resource.Status.values


class SubmissionFilter(serializers.Serializer):
    """GET /submissions/?status=…"""

    status = serializers.ChoiceField(
        choices=Resource.Status.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "invalid_choice": "Filter by one of: " + ", ".join(Resource.Status.values) + "."
        },
    )


class SubmissionInput(serializers.Serializer):
    """A submission; `roadmap` and `topic` are slugs, read as the roadmap and the topic."""

    roadmap = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Roadmap.objects.all(),
        error_messages={"does_not_exist": "No roadmap has that slug."},
    )
    topic = serializers.SlugField(required=False, allow_null=True, allow_blank=True)
    url = serializers.CharField(trim_whitespace=True, **RESOURCE_URL.form_kwargs())
    title = serializers.CharField(**RESOURCE_TITLE.form_kwargs())
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", **RESOURCE_DESCRIPTION.form_kwargs()
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        slug = attrs.get("topic")
        topic = None
        if slug:
            topic = Topic.objects.active().filter(roadmap=attrs["roadmap"], slug=slug).first()
            if topic is None:
                raise serializers.ValidationError(
                    {"topic": ["No topic of this roadmap has that slug."]}
                )
        return {**attrs, "topic": topic}


class ExistingSerializer(serializers.Serializer):
    """The known resource: `id` and `url` only when it is approved (public); a pending,
    rejected or retired one is named by its status alone."""

    id = serializers.IntegerField(required=False)
    url = serializers.CharField(required=False)
    status = serializers.CharField()


class DuplicateSerializer(ErrorSerializer):
    """409: the URL is on the roadmap already (code "duplicate"), or too many are pending
    (code "pending_limit", without `existing`)."""

    existing = ExistingSerializer(required=False)

    class Meta:
        ref_name = "DuplicateError"


# -- votes


class VoteInput(serializers.Serializer):
    value = serializers.ChoiceField(choices=[Vote.UP, Vote.DOWN])


class VoteOutput(serializers.Serializer):
    score = serializers.FloatField()
    upvotes = serializers.IntegerField()
    downvotes = serializers.IntegerField()
    my_vote = serializers.IntegerField(allow_null=True)


def vote_body(resource: Resource, my_vote: int | None) -> dict[str, Any]:
    return VoteOutput(
        {
            "score": resource.score,
            "upvotes": resource.upvotes,
            "downvotes": resource.downvotes,
            "my_vote": my_vote,
        }
    ).data


# -- reports


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", **REPORT_NOTE.form_kwargs()
    )


class ReportOutput(serializers.ModelSerializer):
    resource = serializers.IntegerField(source="resource_id")

    class Meta:
        model = Report
        fields = ["id", "resource", "reason", "note", "created_at"]


class OpenReportSerializer(ErrorSerializer):
    report = serializers.IntegerField(
        help_text="the id of your open report, or of the one resolved lately"
    )
    reportable_at = serializers.DateTimeField(
        required=False, help_text="with `report_cooldown`: when you can report it again"
    )

    class Meta:
        ref_name = "OpenReportError"
