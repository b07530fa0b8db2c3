"""The moderation API (moderators only; anonymous → 401, everyone else → 403) and the public
log. Thin views: check the role, validate, call one service, serialise. Refusals are raised
by the services and selectors and answered by the one exception handler
(`roadmap_site.api_errors`): no view here catches one.

Two paths are where the content API and moderation meet: `/resources/{id}/` and
`/roadmaps/{slug}/topics/{topic}/`. Each has ONE view, defined here (`ResourceView`,
`TopicView`): GET is the roadmap app's public read, inherited unchanged, and PATCH is the
moderators' edit. `roadmap_site/api_urls.py` routes both paths, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.roles import IsModerator, is_moderator
from apps.community.serializers import SubmissionOutput
from apps.moderation import selectors
from apps.moderation import serializers as s
from apps.moderation.selectors import acting_moderator
from apps.moderation.services import reports, resources, showcase, submissions, topics
from apps.roadmap.api import ResourceDetailView, TopicDetailView
from roadmap_site.api_errors import CONFLICT, DENIED, INVALID, NOT_FOUND
from roadmap_site.errors import Invalid, NotFound
from roadmap_site.limits import QUEUE_ROWS

if TYPE_CHECKING:
    from apps.roadmap.models import Resource


class ModeratorAPIView(APIView):
    permission_classes = [IsModerator]


class ReadOrModerate(BasePermission):
    """On the shared paths: anyone reads (the public view); PATCH, the one change, is the
    moderators'. Any other method is the view's to refuse (405)."""

    message = IsModerator.message

    def has_permission(self, request: Any, view: Any) -> bool:
        return request.method != "PATCH" or is_moderator(request.user)


def _resource_answer(pk: int) -> Response:
    return Response(s.ModeratedResourceSerializer(selectors.resource_moderated(pk=pk)).data)


# ---------------------------------------------------------------------------------------------
# The queue


class QueueView(ModeratorAPIView):
    @extend_schema(
        summary="The moderation queue: pending submissions, open reports, broken links",
        description=f"Each list holds at most {QUEUE_ROWS} rows, oldest first; "
        "`counts` says how many there are in all.",
        responses={200: s.QueueSerializer, **DENIED},
    )
    def get(self, request: Request) -> Response:
        data = {
            "submissions": selectors.queue_submissions(),
            "reports": selectors.queue_reports(),
            "broken_links": selectors.queue_broken_links(),
            "counts": selectors.queue_counts(),
        }
        return Response(s.QueueSerializer(data).data)


# ---------------------------------------------------------------------------------------------
# Submissions


class SubmissionApproveView(ModeratorAPIView):
    @extend_schema(
        summary="Approve a submission (the note is optional, public and mailed)",
        request=s.ApproveInput,
        responses={200: SubmissionOutput, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = submissions.submission_approve(
            actor=acting_moderator(request),
            resource=selectors.moderation_pending_submission(pk=pk),
            note=data.validated_data["note"],
        )
        return Response(SubmissionOutput(done).data)


class SubmissionRejectView(ModeratorAPIView):
    @extend_schema(
        summary="Reject a submission, with a reason (required, public and mailed)",
        request=s.RejectInput,
        responses={200: SubmissionOutput, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = submissions.submission_reject(
            actor=acting_moderator(request),
            resource=selectors.moderation_pending_submission(pk=pk),
            reason=data.validated_data["reason"],
        )
        return Response(SubmissionOutput(done).data)


class SubmissionBulkView(ModeratorAPIView):
    @extend_schema(
        summary="Approve or reject many submissions: all of them, or none on any problem",
        request=s.BulkInput,
        responses={200: s.BulkOutput, **INVALID, **DENIED, **CONFLICT},
    )
    def post(self, request: Request) -> Response:
        data = s.BulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        done = submissions.submissions_bulk_decide(
            actor=acting_moderator(request),
            ids=values["ids"],
            action=values["action"],
            reason=values["reason"],
        )
        return Response({"action": values["action"], "decided": [r.pk for r in done]})


# ---------------------------------------------------------------------------------------------
# Resources: one view for the public GET and the moderators' PATCH, and merge


def _resource_patch(request: Request, resource: Resource, values: dict[str, Any]) -> None:
    """One of three actions, by what was sent: retire, pick, or edit."""
    actor = acting_moderator(request)
    if "status" in values:
        resources.resource_retire(actor=actor, resource=resource, reason=values["reason"])
    elif "editors_pick" in values:
        resources.resource_pick(
            actor=actor,
            resource=resource,
            editors_pick=values["editors_pick"],
            reason=values["reason"],
        )
    else:
        edits: dict[str, Any] = {
            name: values[name] for name in ("title", "kind", "description") if name in values
        }
        if "topic" in values:
            edits["topic"] = _new_topic(resource, values["topic"])
        resources.resource_edit(actor=actor, resource=resource, reason=values["reason"], **edits)


def _new_topic(resource: Resource, slug: str | None) -> Any:
    if not slug:
        return None
    topic = selectors.topic_of_roadmap(roadmap_id=resource.roadmap_id, slug=slug)
    if topic is None:
        raise Invalid({"topic": ["No topic of this resource's roadmap has that slug."]})
    return topic


class ResourceView(ResourceDetailView):
    """/resources/{id}/ — GET: the public read (roadmap's view, unchanged). PATCH: moderators
    edit, retire or pick."""

    permission_classes = [ReadOrModerate]

    @extend_schema(
        summary="Edit a resource, retire it (status `retired`) or pick it (editors_pick)",
        description="One of three actions per request, each logged as edit, retire or pick.",
        request=s.ResourcePatchInput,
        responses={
            200: s.ModeratedResourceSerializer,
            **INVALID,
            **DENIED,
            **NOT_FOUND,
            **CONFLICT,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        resource = selectors.resource_for_moderation(pk=pk)
        data = s.ResourcePatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        _resource_patch(request, resource, dict(data.validated_data))
        return _resource_answer(pk)


class ResourceMergeView(ModeratorAPIView):
    @extend_schema(
        summary="Merge a duplicate into another resource (votes and ticks move over)",
        request=s.MergeInput,
        responses={
            200: s.ModeratedResourceSerializer,
            **INVALID,
            **DENIED,
            **NOT_FOUND,
            **CONFLICT,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        resource = selectors.resource_for_moderation(pk=pk)
        data = s.MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = resources.resource_merge(
            actor=acting_moderator(request),
            resource=resource,
            into_id=data.validated_data["into"],
            reason=data.validated_data["reason"],
        )
        return _resource_answer(done.pk)


class ResourceApplyRedirectView(ModeratorAPIView):
    @extend_schema(
        summary="Replace a resource's URL with where its link permanently redirects",
        description="Logged as `update-url`. 409 when the last check found no permanent "
        "redirect, or when the new URL is already another resource of the roadmap.",
        request=None,
        responses={200: s.ModeratedResourceSerializer, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        done = resources.resource_redirect_apply(
            actor=acting_moderator(request), resource=selectors.resource_for_moderation(pk=pk)
        )
        return _resource_answer(done.pk)


# ---------------------------------------------------------------------------------------------
# Reports


class ReportResolveView(ModeratorAPIView):
    @extend_schema(
        summary="Resolve a report (the note is public)",
        request=s.ResolveInput,
        responses={200: s.ResolvedReportSerializer, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        report = selectors.report_for_moderation(pk=pk)
        data = s.ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = reports.report_resolve(
            actor=acting_moderator(request), report=report, note=data.validated_data["note"]
        )
        return Response(s.ResolvedReportSerializer(done).data)


# ---------------------------------------------------------------------------------------------
# Flags on the showcase's solutions and reviews


class FlagListView(ListAPIView):
    permission_classes = [IsModerator]
    serializer_class = s.FlagSerializer

    def get_queryset(self) -> Any:
        return selectors.open_flags()

    @extend_schema(
        summary="Open flags on solutions and reviews, oldest first",
        responses={200: s.FlagSerializer(many=True), **DENIED},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class FlagDecideView(ModeratorAPIView):
    @extend_schema(
        summary="Decide a flag: dismiss it, or hide the solution / remove the review it flags",
        description="Hiding or removing closes every open flag on the same thing and needs a "
        "reason; each decision is an entry of the public moderation log.",
        request=s.FlagDecideInput,
        responses={200: s.FlagSerializer, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        flag = selectors.flag_for_moderation(pk=pk)
        data = s.FlagDecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = showcase.flag_decide(
            actor=acting_moderator(request),
            flag=flag,
            action=data.validated_data["action"],
            reason=data.validated_data["reason"],
        )
        return Response(s.FlagSerializer(done).data)


class SolutionRestoreView(ModeratorAPIView):
    @extend_schema(
        summary="Put a solution a moderator hid back on the showcase",
        request=s.ResolveInput,
        responses={200: s.RestoredSolutionSerializer, **INVALID, **DENIED, **NOT_FOUND, **CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        solution = selectors.solution_for_moderation(pk=pk)
        data = s.ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = showcase.solution_restore(
            actor=acting_moderator(request), solution=solution, reason=data.validated_data["note"]
        )
        return Response(s.RestoredSolutionSerializer(done).data)


# ---------------------------------------------------------------------------------------------
# Topics: one view for the public GET and the moderators' PATCH, revisions and revert


def _topic_answer(slug: str, topic: str) -> Response:
    found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
    return Response(s.ModeratedTopicSerializer(found).data)


class TopicView(TopicDetailView):
    """/roadmaps/{slug}/topics/{topic}/ — GET: the public read (roadmap's view, unchanged).
    PATCH: moderators edit the topic."""

    permission_classes = [ReadOrModerate]

    @extend_schema(
        summary="Edit a topic: title, body, key things, hours, phase, order",
        request=s.TopicPatchInput,
        responses={200: s.ModeratedTopicSerializer, **INVALID, **DENIED, **NOT_FOUND},
    )
    def patch(self, request: Request, slug: str, topic: str) -> Response:
        found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
        data = s.TopicPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "phase" in values:
            phase_slug = values.pop("phase")
            values["phase"] = None
            if phase_slug:
                values["phase"] = selectors.phase_of_roadmap(
                    roadmap_id=found.roadmap_id, slug=phase_slug
                )
                if values["phase"] is None:
                    raise Invalid({"phase": ["No phase of this roadmap has that slug."]})
        topics.topic_edit(actor=acting_moderator(request), topic=found, **values)
        return _topic_answer(slug, topic)


class TopicRevisionListView(GenericAPIView):
    permission_classes = [IsModerator]
    serializer_class = s.RevisionSerializer

    @extend_schema(
        summary="A topic's revisions, newest first, each with what it changed",
        responses={200: s.RevisionSerializer(many=True), **DENIED, **NOT_FOUND},
    )
    def get(self, request: Request, slug: str, topic: str) -> Response:
        found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
        page = self.paginate_queryset(selectors.topic_revision_records(topic=found)) or []
        revisions = selectors.topic_revisions(topic=found, records=list(page))
        return self.get_paginated_response(s.RevisionSerializer(revisions, many=True).data)


class TopicRevertView(ModeratorAPIView):
    @extend_schema(
        summary="Restore a topic exactly as one of its revisions had it (a new revision)",
        request=s.RevertInput,
        responses={
            200: s.ModeratedTopicSerializer,
            **INVALID,
            **DENIED,
            **NOT_FOUND,
            **CONFLICT,
        },
    )
    def post(self, request: Request, slug: str, topic: str, rev: int) -> Response:
        found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
        data = s.RevertInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not selectors.topic_revision_exists(topic=found, revision_id=rev):
            raise NotFound("This topic has no such revision.")
        topics.topic_revert(
            actor=acting_moderator(request),
            topic=found,
            revision_id=rev,
            reason=data.validated_data["reason"],
        )
        return _topic_answer(slug, topic)


# ---------------------------------------------------------------------------------------------
# The public log


class ModLogView(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.ModerationActionSerializer

    def get_queryset(self) -> Any:
        return selectors.modlog()

    @extend_schema(
        summary="The public moderation log, newest first",
        responses={200: s.ModerationActionSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
