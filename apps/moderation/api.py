"""The moderation API (moderators only; anonymous → 401, everyone else → 403) and the public
log. Thin views: check the role, validate, call one service, serialise.

Two paths are shared with the public content API: `GET /resources/{id}/` and
`GET /roadmaps/{slug}/topics/{topic}/` stay the roadmap app's public views (inherited
unchanged below); PATCH on the same paths is the moderators' edit. The URLconf lists these
views before the roadmap app's, so one pattern answers both methods.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.roles import IsModerator
from apps.accounts.selectors import public_name
from apps.community.models import Report
from apps.community.serializers import SubmissionOutput
from apps.linkcheck.models import LinkCheck
from apps.moderation import selectors, services
from apps.moderation.models import ModerationAction
from apps.roadmap.api import (
    MarkdownHTMLField,
    ResourceDetailView,
    ResourceSerializer,
    TopicDetailView,
)
from apps.roadmap.models import Phase, Resource, Topic
from roadmap_site.api_errors import CONFLICT, DENIED, INVALID, NOT_FOUND


def _run(call, **kwargs: Any) -> Model | Response:
    """Call a service; turn its refusals into 400 and 409 answers (nothing was written)."""
    try:
        return call(**kwargs)
    except ValidationError as error:
        raise APIValidationError(error.message_dict) from None
    except services.ModerationConflict as conflict:
        return Response(
            {"detail": conflict.message, **conflict.extra}, status=status.HTTP_409_CONFLICT
        )


class ModeratorAPIView(APIView):
    permission_classes = [IsModerator]


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


class QueueView(ModeratorAPIView):
    @extend_schema(
        summary="The moderation queue: pending submissions, open reports, broken links",
        description=f"Each list holds at most {selectors.QUEUE_LIMIT} rows, oldest first; "
        "`counts` says how many there are in all.",
        responses={200: QueueSerializer, **DENIED},
    )
    def get(self, request: Request) -> Response:
        data = {
            "submissions": selectors.queue_submissions(),
            "reports": selectors.queue_reports(),
            "broken_links": selectors.queue_broken_links(),
            "counts": selectors.queue_counts(),
        }
        return Response(QueueSerializer(data).data)


# ---------------------------------------------------------------------------------------------
# Submissions


def _submission(pk: int) -> Resource:
    resource = selectors.moderation_pending_submission(pk=pk)
    if resource is None:
        raise Http404("No submission has this id.")
    return resource


class ApproveInput(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.REASON_MAX
    )


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX)


class SubmissionApproveView(ModeratorAPIView):
    @extend_schema(
        summary="Approve a submission (the note is optional, public and mailed)",
        request=ApproveInput,
        responses={200: SubmissionOutput, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = _run(
            services.submission_approve,
            actor=request.user,
            resource=_submission(pk),
            note=data.validated_data["note"],
        )
        return result if isinstance(result, Response) else Response(SubmissionOutput(result).data)


class SubmissionRejectView(ModeratorAPIView):
    @extend_schema(
        summary="Reject a submission, with a reason (required, public and mailed)",
        request=RejectInput,
        responses={200: SubmissionOutput, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = _run(
            services.submission_reject,
            actor=request.user,
            resource=_submission(pk),
            reason=data.validated_data["reason"],
        )
        return result if isinstance(result, Response) else Response(SubmissionOutput(result).data)


class BulkInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=services.BULK_MAX
    )
    action = serializers.ChoiceField(
        choices=[ModerationAction.Action.APPROVE, ModerationAction.Action.REJECT]
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.REASON_MAX
    )


class BulkOutput(serializers.Serializer):
    action = serializers.CharField()
    decided = serializers.ListField(child=serializers.IntegerField())


class SubmissionBulkView(ModeratorAPIView):
    @extend_schema(
        summary="Approve or reject many submissions: all of them, or none on any problem",
        request=BulkInput,
        responses={200: BulkOutput, **INVALID, **DENIED, **CONFLICT},
    )
    def post(self, request: Request) -> Response:
        data = BulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        result = _run(
            services.submissions_bulk_decide,
            actor=request.user,
            ids=values["ids"],
            action=values["action"],
            reason=values["reason"],
        )
        if isinstance(result, Response):
            return result
        return Response({"action": values["action"], "decided": [r.pk for r in result]})


# ---------------------------------------------------------------------------------------------
# Resources: PATCH beside the public GET, and merge


class ModeratedResourceSerializer(ResourceSerializer):
    class Meta(ResourceSerializer.Meta):
        fields = [*ResourceSerializer.Meta.fields, "status"]


class ResourcePatchInput(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=300)
    kind = serializers.ChoiceField(choices=Resource.Kind.values, required=False)
    topic = serializers.SlugField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    status = serializers.ChoiceField(choices=[Resource.Status.RETIRED], required=False)
    editors_pick = serializers.BooleanField(required=False)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.REASON_MAX
    )

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


class ResourceModerateView(ResourceDetailView):
    """GET: the public view, unchanged. PATCH: moderators edit, retire or pick."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "PATCH":
            return [IsModerator()]
        return super().get_permissions()

    @extend_schema(
        summary="Edit a resource, retire it (status `retired`) or pick it (editors_pick)",
        description="One of three actions per request, each logged as edit, retire or pick.",
        request=ResourcePatchInput,
        responses={
            200: ModeratedResourceSerializer,
            **INVALID,
            **DENIED,
            **NOT_FOUND,
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        resource = get_object_or_404(Resource.objects.select_related("roadmap"), pk=pk)
        data = ResourcePatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "status" in values:
            result = _run(
                services.resource_retire,
                actor=request.user,
                resource=resource,
                reason=values["reason"],
            )
        elif "editors_pick" in values:
            result = _run(
                services.resource_pick,
                actor=request.user,
                resource=resource,
                editors_pick=values["editors_pick"],
                reason=values["reason"],
            )
        else:
            edits: dict[str, Any] = {
                name: values[name] for name in ("title", "kind", "description") if name in values
            }
            if "topic" in values:
                edits["topic"] = None
                if values["topic"]:
                    edits["topic"] = (
                        Topic.objects.active()
                        .filter(roadmap=resource.roadmap, slug=values["topic"])
                        .first()
                    )
                    if edits["topic"] is None:
                        raise APIValidationError(
                            {"topic": ["No topic of this resource's roadmap has that slug."]}
                        )
            result = _run(
                services.resource_edit,
                actor=request.user,
                resource=resource,
                reason=values["reason"],
                **edits,
            )
        if isinstance(result, Response):
            return result
        resource = Resource.objects.select_related("roadmap", "topic", "submitted_by").get(pk=pk)
        return Response(ModeratedResourceSerializer(resource).data)


class MergeInput(serializers.Serializer):
    into = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.REASON_MAX
    )


class ResourceMergeView(ModeratorAPIView):
    @extend_schema(
        summary="Merge a duplicate into another resource (votes and ticks move over)",
        request=MergeInput,
        responses={
            200: ModeratedResourceSerializer,
            **INVALID,
            **DENIED,
            **NOT_FOUND,
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        resource = get_object_or_404(Resource, pk=pk)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        into = Resource.objects.filter(pk=data.validated_data["into"]).first()
        if into is None:
            raise APIValidationError({"into": ["No resource has that id."]})
        result = _run(
            services.resource_merge,
            actor=request.user,
            resource=resource,
            into=into,
            reason=data.validated_data["reason"],
        )
        if isinstance(result, Response):
            return result
        into = Resource.objects.select_related("roadmap", "topic", "submitted_by").get(pk=into.pk)
        return Response(ModeratedResourceSerializer(into).data)


# ---------------------------------------------------------------------------------------------
# Reports


class ResolveInput(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.REASON_MAX
    )


class ResolvedReportSerializer(serializers.ModelSerializer):
    resource = serializers.IntegerField(source="resource_id")
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "resource", "reason", "resolved_by", "resolved_at", "resolution_note"]

    def get_resolved_by(self, report: Report) -> str:
        return public_name(report.resolved_by)


class ReportResolveView(ModeratorAPIView):
    @extend_schema(
        summary="Resolve a report (the note is public)",
        request=ResolveInput,
        responses={200: ResolvedReportSerializer, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = get_object_or_404(Report, pk=pk)
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = _run(
            services.report_resolve,
            actor=request.user,
            report=report,
            note=data.validated_data["note"],
        )
        if isinstance(result, Response):
            return result
        return Response(ResolvedReportSerializer(result).data)


# ---------------------------------------------------------------------------------------------
# Topics: PATCH beside the public GET, revisions and revert


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
    title = serializers.CharField(required=False, max_length=services.TOPIC_TITLE_MAX)
    body = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=services.TOPIC_BODY_MAX
    )
    key_points = serializers.ListField(
        child=serializers.CharField(max_length=services.KEY_POINT_MAX),
        required=False,
        max_length=services.KEY_POINTS_MAX,
    )
    est_hours = serializers.IntegerField(
        required=False, allow_null=True, min_value=services.HOURS_MIN, max_value=services.HOURS_MAX
    )
    phase = serializers.SlugField(required=False, allow_null=True)
    order = serializers.IntegerField(required=False, min_value=0)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.REASON_MAX
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not set(attrs) - {"reason"}:
            raise serializers.ValidationError(
                "Send at least one of: title, body, key_points, est_hours, phase, order."
            )
        return attrs


def _moderated_topic(slug: str, topic: str) -> Topic:
    found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
    if found is None:
        raise Http404("No such topic.")
    return found


class TopicModerateView(TopicDetailView):
    """GET: the public view, unchanged. PATCH: moderators edit the topic."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "PATCH":
            return [IsModerator()]
        return super().get_permissions()

    @extend_schema(
        summary="Edit a topic: title, body, key things, hours, phase, order",
        request=TopicPatchInput,
        responses={200: ModeratedTopicSerializer, **INVALID, **DENIED, **NOT_FOUND},
    )
    def patch(self, request: Request, slug: str, topic: str) -> Response:
        found = _moderated_topic(slug, topic)
        data = TopicPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "phase" in values:
            phase_slug = values.pop("phase")
            values["phase"] = None
            if phase_slug:
                values["phase"] = Phase.objects.filter(
                    roadmap_id=found.roadmap_id, slug=phase_slug
                ).first()
                if values["phase"] is None:
                    raise APIValidationError({"phase": ["No phase of this roadmap has that slug."]})
        result = _run(services.topic_edit, actor=request.user, topic=found, **values)
        if isinstance(result, Response):
            return result
        return Response(ModeratedTopicSerializer(_moderated_topic(slug, topic)).data)


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

    def get_user(self, revision: selectors.Revision) -> str | None:
        user = revision.record.history_user
        return public_name(user) if user is not None else None

    def get_type(self, revision: selectors.Revision) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}[revision.record.history_type]


class TopicRevisionListView(GenericAPIView):
    permission_classes = [IsModerator]
    serializer_class = RevisionSerializer

    @extend_schema(
        summary="A topic's revisions, newest first, each with what it changed",
        responses={200: RevisionSerializer(many=True), **DENIED, **NOT_FOUND},
    )
    def get(self, request: Request, slug: str, topic: str) -> Response:
        found = _moderated_topic(slug, topic)
        page = self.paginate_queryset(selectors.topic_revision_records(topic=found))
        revisions = selectors.topic_revisions(topic=found, records=list(page))
        return self.get_paginated_response(RevisionSerializer(revisions, many=True).data)


class RevertInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.REASON_MAX
    )


class TopicRevertView(ModeratorAPIView):
    @extend_schema(
        summary="Restore a topic exactly as one of its revisions had it (a new revision)",
        request=RevertInput,
        responses={200: ModeratedTopicSerializer, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, slug: str, topic: str, rev: int) -> Response:
        found = _moderated_topic(slug, topic)
        data = RevertInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not selectors.topic_revision_records(topic=found).filter(history_id=rev).exists():
            raise Http404("This topic has no such revision.")
        result = _run(
            services.topic_revert,
            actor=request.user,
            topic=found,
            revision_id=rev,
            reason=data.validated_data["reason"],
        )
        if isinstance(result, Response):
            return result
        return Response(ModeratedTopicSerializer(_moderated_topic(slug, topic)).data)


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


class ModLogView(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ModerationActionSerializer

    def get_queryset(self):
        return selectors.modlog()

    @extend_schema(
        summary="The public moderation log, newest first",
        responses={200: ModerationActionSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# ---------------------------------------------------------------------------------------------
# Link health: apply a permanent redirect


class ResourceApplyRedirectView(ModeratorAPIView):
    @extend_schema(
        summary="Replace a resource's URL with where its link permanently redirects",
        description="Logged as `update-url`. 409 when the last check found no permanent "
        "redirect, or when the new URL is already another resource of the roadmap.",
        request=None,
        responses={200: ModeratedResourceSerializer, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        resource = get_object_or_404(Resource, pk=pk)
        result = _run(services.resource_redirect_apply, actor=request.user, resource=resource)
        if isinstance(result, Response):
            return result
        resource = Resource.objects.select_related("roadmap", "topic", "submitted_by").get(
            pk=result.pk
        )
        return Response(ModeratedResourceSerializer(resource).data)
