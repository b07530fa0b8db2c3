"""The moderation API's serializers: inputs read their limits from `roadmap_site.limits` (so
the OpenAPI schema shows the same numbers the services enforce), outputs describe the rows."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.selectors import public_name
from apps.community.models import Report
from apps.community.serializers import SubmissionOutput
from apps.linkcheck.models import LinkCheck
from apps.moderation.models import ModerationAction
from apps.moderation.selectors import Revision
from apps.moderation.services.showcase import FLAG_ACTIONS, flag_actions
from apps.roadmap.models import Resource, Topic
from apps.roadmap.serializers import MarkdownHTMLField, ResourceSerializer
from apps.showcase.models import Flag
from roadmap_site import limits


def reason_field() -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, default="", **limits.REASON.serializer_kwargs()
    )


# ---------------------------------------------------------------------------------------------
# The queue


class QueueSubmissionSerializer(SubmissionOutput):
    submitter_approved = serializers.IntegerField()
    submitter_rejected = serializers.IntegerField()

    class Meta(SubmissionOutput.Meta):
        fields = [*SubmissionOutput.Meta.fields, "submitter_approved", "submitter_rejected"]


class QueueResourceSerializer(serializers.ModelSerializer):
    roadmap = serializers.CharField(source="roadmap.slug")
    topic = serializers.CharField(source="topic.slug", allow_null=True, default=None)

    class Meta:
        model = Resource
        fields = [
            "id",
            "url",
            "title",
            "kind",
            "roadmap",
            "topic",
            "status",
            "health",
            "last_checked_at",
            "consecutive_failures",
            "first_failure_at",
        ]


class QueueReportSerializer(serializers.ModelSerializer):
    reporter = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "reason", "note", "reporter", "created_at"]

    def get_reporter(self, report: Report) -> str:
        return public_name(report.user)


class ReportGroupSerializer(serializers.Serializer):
    resource = QueueResourceSerializer()
    reports = QueueReportSerializer(many=True)


class QueueCountsSerializer(serializers.Serializer):
    submissions = serializers.IntegerField()
    reports = serializers.IntegerField()
    broken_links = serializers.IntegerField()
    flags = serializers.IntegerField(help_text="Open flags on solutions and reviews.")


class QueueLinkCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = LinkCheck
        fields = ["checked_at", "verdict", "status_code", "final_url", "error"]


class QueueBrokenLinkSerializer(QueueResourceSerializer):
    recent_checks = QueueLinkCheckSerializer(many=True, read_only=True)

    class Meta(QueueResourceSerializer.Meta):
        fields = [*QueueResourceSerializer.Meta.fields, "final_url", "recent_checks"]


class QueueSerializer(serializers.Serializer):
    submissions = QueueSubmissionSerializer(many=True)
    reports = ReportGroupSerializer(many=True)
    broken_links = QueueBrokenLinkSerializer(many=True)
    counts = QueueCountsSerializer()


# ---------------------------------------------------------------------------------------------
# Submissions


class ApproveInput(serializers.Serializer):
    note = reason_field()


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(**limits.REASON.serializer_kwargs())


class BulkInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(**limits.RECORD_ID.serializer_kwargs()),
        min_length=limits.BULK_DECISIONS.min,
        max_length=limits.BULK_DECISIONS.max,
    )
    action = serializers.ChoiceField(
        choices=[ModerationAction.Action.APPROVE, ModerationAction.Action.REJECT]
    )
    reason = reason_field()


class BulkOutput(serializers.Serializer):
    action = serializers.CharField()
    decided = serializers.ListField(child=serializers.IntegerField())


# ---------------------------------------------------------------------------------------------
# Resources


class ModeratedResourceSerializer(ResourceSerializer):
    class Meta(ResourceSerializer.Meta):
        fields = [*ResourceSerializer.Meta.fields, "status"]


class ResourcePatchInput(serializers.Serializer):
    title = serializers.CharField(required=False, **limits.RESOURCE_TITLE.serializer_kwargs())
    kind = serializers.ChoiceField(choices=Resource.Kind.values, required=False)
    topic = serializers.SlugField(required=False, allow_null=True)
    description = serializers.CharField(
        required=False, allow_blank=True, **limits.RESOURCE_DESCRIPTION.serializer_kwargs()
    )
    status = serializers.ChoiceField(choices=[Resource.Status.RETIRED], required=False)
    editors_pick = serializers.BooleanField(required=False)
    reason = reason_field()

    EDIT_FIELDS = ("title", "kind", "topic", "description")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        edits = [name for name in self.EDIT_FIELDS if name in attrs]
        # One request is one moderation action, so one log entry says what happened.
        if "status" in attrs and (edits or "editors_pick" in attrs):
            raise serializers.ValidationError(
                {"status": ["Retire a resource on its own, without other changes."]}
            )
        if "editors_pick" in attrs and edits:
            raise serializers.ValidationError(
                {"editors_pick": ["Change the editor's pick on its own, without other changes."]}
            )
        if not edits and "status" not in attrs and "editors_pick" not in attrs:
            raise serializers.ValidationError(
                "Send at least one of: title, kind, topic, description, status, editors_pick."
            )
        return attrs


class MergeInput(serializers.Serializer):
    into = serializers.IntegerField(**limits.RECORD_ID.serializer_kwargs())
    reason = reason_field()


# ---------------------------------------------------------------------------------------------
# Reports


class ResolveInput(serializers.Serializer):
    note = reason_field()


class ResolvedReportSerializer(serializers.ModelSerializer):
    resource = serializers.IntegerField(source="resource_id")
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "resource", "reason", "resolved_by", "resolved_at", "resolution_note"]

    def get_resolved_by(self, report: Report) -> str:
        return public_name(report.resolved_by)


# ---------------------------------------------------------------------------------------------
# Topics


class ModeratedTopicSerializer(serializers.ModelSerializer):
    roadmap = serializers.SlugField(source="roadmap.slug")
    section = serializers.SlugField(source="section.slug")
    phase = serializers.SlugField(source="phase.slug", allow_null=True, default=None)
    body = serializers.CharField(source="body_md")
    body_html = MarkdownHTMLField(source="body_md")
    key_points = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Topic
        fields = [
            "roadmap",
            "slug",
            "title",
            "section",
            "phase",
            "summary",
            "body",
            "body_html",
            "key_points",
            "est_hours",
            "order",
            "retired_at",
        ]


class TopicPatchInput(serializers.Serializer):
    title = serializers.CharField(required=False, **limits.TOPIC_TITLE.serializer_kwargs())
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        **limits.TOPIC_BODY.serializer_kwargs(),
    )
    key_points = serializers.ListField(
        child=serializers.CharField(**limits.KEY_POINT.serializer_kwargs()),
        required=False,
        min_length=limits.KEY_POINTS.min,
        max_length=limits.KEY_POINTS.max,
    )
    est_hours = serializers.IntegerField(
        required=False, allow_null=True, **limits.TOPIC_HOURS.serializer_kwargs()
    )
    phase = serializers.SlugField(required=False, allow_null=True)
    order = serializers.IntegerField(required=False, **limits.TOPIC_ORDER.serializer_kwargs())
    reason = reason_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not set(attrs) - {"reason"}:
            raise serializers.ValidationError(
                "Send at least one of: title, body, key_points, est_hours, phase, order."
            )
        return attrs


class RevisionChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class RevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField(source="record.history_date")
    user = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    reason = serializers.CharField(source="record.history_change_reason", allow_null=True)
    title = serializers.CharField(source="record.title")
    body = serializers.CharField(source="record.body_md")
    key_points = serializers.JSONField(source="record.key_points")
    est_hours = serializers.IntegerField(source="record.est_hours", allow_null=True)
    order = serializers.IntegerField(source="record.order")
    changes = RevisionChangeSerializer(many=True)

    def get_user(self, revision: Revision) -> str | None:
        user = revision.record.history_user
        return public_name(user) if user is not None else None

    def get_type(self, revision: Revision) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}[revision.record.history_type]


class RevertInput(serializers.Serializer):
    reason = reason_field()


# ---------------------------------------------------------------------------------------------
# The public log


class ModerationActionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target_title",
            "reason",
        ]


# ---------------------------------------------------------------------------------------------
# Flags on the showcase's solutions and reviews


class FlagTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["solution", "review"])
    solution = serializers.IntegerField()
    review = serializers.IntegerField(allow_null=True)
    project = serializers.SlugField()
    roadmap = serializers.SlugField()
    page = serializers.CharField(help_text="The solution's page on the site (its reviews).")


class FlagSerializer(serializers.ModelSerializer):
    """A flag as moderators see it: what it flags (a solution or a review, with its project and
    page), why, by whom, and how it ended."""

    target = serializers.SerializerMethodField()
    flagged_by = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Flag
        fields = [
            "id",
            "target",
            "reason",
            "note",
            "flagged_by",
            "created_at",
            "actions",
            "resolved_by",
            "resolved_at",
            "outcome",
        ]

    @extend_schema_field(FlagTargetSerializer)
    def get_target(self, flag: Flag) -> dict[str, Any]:
        solution = flag.review.solution if flag.review is not None else flag.solution
        assert solution is not None  # a check constraint: a flag names one of the two
        page = reverse("showcase:reviews", args=[solution.pk])
        return {
            "kind": "review" if flag.review is not None else "solution",
            "solution": solution.pk,
            "review": flag.review_id,
            "project": solution.project.slug,
            "roadmap": solution.project.roadmap.slug,
            "page": page + (f"#review-{flag.review_id}" if flag.review_id else ""),
        }

    def get_flagged_by(self, flag: Flag) -> str:
        return public_name(flag.user)

    def get_resolved_by(self, flag: Flag) -> str | None:
        return public_name(flag.resolved_by) if flag.resolved_by_id else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, flag: Flag) -> list[str]:
        return flag_actions(flag) if flag.resolved_at is None else []


class RestoredSolutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visibility = serializers.CharField()


class FlagDecideInput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=list(FLAG_ACTIONS),
        help_text="dismiss, or act on what is flagged: hide (a solution) or remove (a review).",
    )
    reason = reason_field()
