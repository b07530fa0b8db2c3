"""The personal API: enrolment, the plan, progress, ticks, check-ins and the CSV export.

Every view answers only for the caller (querysets and lookups are scoped to request.user);
anonymous callers get 401. Views are thin: parse, call a service or selector, serialise.
"""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.progress import selectors, services
from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from apps.progress.plan import Plan
from apps.roadmap.models import Project, Resource, Roadmap, Topic
from roadmap_site.api_errors import ErrorSerializer


def _roadmap(slug: str) -> Roadmap:
    return get_object_or_404(Roadmap, slug=slug)


def _enrollment(request: Request, roadmap: Roadmap) -> Enrollment:
    enrollment = selectors.enrollment_get(user=request.user, roadmap=roadmap)
    if enrollment is None:
        raise NotFound(f"You are not enrolled in {roadmap.slug!r}; PUT your enrolment first.")
    return enrollment


def _raise_for(error: ValidationError) -> None:
    raise APIValidationError(error.message_dict) from None


# -- enrolment


class EnrollmentInput(serializers.Serializer):
    start_date = serializers.DateField(required=False, allow_null=True)
    hours_per_week = serializers.IntegerField(required=False, default=10, min_value=3, max_value=40)
    background = serializers.ChoiceField(
        choices=Enrollment.Background.choices, required=False, default="new_to_ml"
    )
    goal_project = serializers.SlugField(required=False, allow_null=True, allow_blank=True)


class EnrollmentOutput(serializers.Serializer):
    roadmap = serializers.CharField(source="roadmap.slug")
    start_date = serializers.DateField()
    hours_per_week = serializers.IntegerField()
    background = serializers.CharField()
    goal_project = serializers.CharField(source="goal_project.slug", allow_null=True)
    calendar_url = serializers.SerializerMethodField()

    def get_calendar_url(self, enrollment: Enrollment) -> str:
        path = reverse("progress:calendar", args=[enrollment.calendar_token])
        return self.context["request"].build_absolute_uri(path)


class EnrollmentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: EnrollmentOutput, 401: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request: Request, roadmap: str) -> Response:
        enrollment = _enrollment(request, _roadmap(roadmap))
        return Response(EnrollmentOutput(enrollment, context={"request": request}).data)

    @extend_schema(
        request=EnrollmentInput,
        responses={
            200: EnrollmentOutput,
            201: EnrollmentOutput,
            400: OpenApiResponse(description="invalid input; nothing written"),
            401: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def put(self, request: Request, roadmap: str) -> Response:
        roadmap_obj = _roadmap(roadmap)
        data = EnrollmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = None
        if values.get("goal_project"):
            project = Project.objects.filter(
                roadmap=roadmap_obj, slug=values["goal_project"]
            ).first()
            if project is None:
                raise APIValidationError(
                    {"goal_project": ["No project of this roadmap has that slug."]}
                )
        existed = Enrollment.objects.filter(user=request.user, roadmap=roadmap_obj).exists()
        try:
            enrollment = services.enrollment_put(
                user=request.user,
                roadmap=roadmap_obj,
                start_date=values.get("start_date"),
                hours_per_week=values["hours_per_week"],
                background=values["background"],
                goal_project=project,
            )
        except ValidationError as error:
            _raise_for(error)
        body = EnrollmentOutput(enrollment, context={"request": request}).data
        return Response(body, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


# -- the plan


class PlanWeekOutput(serializers.Serializer):
    number = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    phase = serializers.IntegerField()
    topics = serializers.ListField(child=serializers.CharField())
    continues = serializers.ListField(child=serializers.CharField())
    hours = serializers.IntegerField()


class PlanOutput(serializers.Serializer):
    current_week = serializers.IntegerField()
    behind_by_weeks = serializers.IntegerField()
    weeks = PlanWeekOutput(many=True)


def _plan_response(plan: Plan) -> Response:
    return Response(PlanOutput(plan).data)


class PlanView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PlanOutput, 401: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request: Request, roadmap: str) -> Response:
        enrollment = _enrollment(request, _roadmap(roadmap))
        return _plan_response(selectors.plan_for(enrollment=enrollment))


class ReplanView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={200: PlanOutput, 401: ErrorSerializer, 404: ErrorSerializer}
    )
    def post(self, request: Request, roadmap: str) -> Response:
        enrollment = services.plan_replan(enrollment=_enrollment(request, _roadmap(roadmap)))
        return _plan_response(selectors.plan_for(enrollment=enrollment))


# -- progress


class PercentOutput(serializers.Serializer):
    number = serializers.IntegerField()
    percent = serializers.IntegerField()


class ProgressOutput(serializers.Serializer):
    percent_complete = serializers.IntegerField()
    phases = PercentOutput(many=True)
    sections = PercentOutput(many=True)
    topics = serializers.DictField(child=serializers.CharField())
    streak = serializers.IntegerField()


class ProgressView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ProgressOutput, 401: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request: Request, roadmap: str) -> Response:
        summary = selectors.progress_summary(user=request.user, roadmap=_roadmap(roadmap))
        return Response(
            {
                "percent_complete": summary.percent_complete,
                "phases": [{"number": n, "percent": p} for n, p in summary.phases],
                "sections": [{"number": n, "percent": p} for n, p in summary.sections],
                "topics": summary.topics,
                "streak": summary.streak,
            }
        )


class TopicProgressInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=TopicProgress.Status.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=services.NOTE_MAX_LENGTH
    )


class TopicProgressOutput(serializers.Serializer):
    topic = serializers.CharField()
    status = serializers.CharField()
    note = serializers.CharField()
    auto_skipped = serializers.BooleanField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)


def _progress_body(topic: Topic, row: TopicProgress | None) -> dict:
    return {
        "topic": topic.slug,
        "status": row.status if row else TopicProgress.Status.NOT_STARTED,
        "note": row.note_md if row else "",
        "auto_skipped": row.auto_skipped if row else False,
        "version": row.version if row else 0,
        "updated_at": row.updated_at if row else None,
    }


def _etag(version: int) -> str:
    return f'"{version}"'


def _parse_if_match(header: str | None) -> int | None:
    """`"3"` -> 3; absent -> None (no precondition); anything unreadable -> 400."""
    if header is None:
        return None
    value = header.strip().removeprefix("W/")
    if value.startswith('"') and value.endswith('"') and value[1:-1].isdigit():
        return int(value[1:-1])
    raise APIValidationError({"If-Match": ['If-Match must be an ETag from a GET, like "3".']})


class TopicProgressView(APIView):
    permission_classes = [IsAuthenticated]

    def _topic(self, roadmap: str, topic: str) -> Topic:
        return get_object_or_404(Topic.objects.active(), roadmap=_roadmap(roadmap), slug=topic)

    @extend_schema(responses={200: TopicProgressOutput, 401: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request: Request, roadmap: str, topic: str) -> Response:
        topic_obj = self._topic(roadmap, topic)
        row = TopicProgress.objects.filter(user=request.user, topic=topic_obj).first()
        body = _progress_body(topic_obj, row)
        return Response(body, headers={"ETag": _etag(body["version"])})

    @extend_schema(
        request=TopicProgressInput,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="the ETag of the last GET; a stale one answers 412",
            )
        ],
        responses={
            200: TopicProgressOutput,
            400: OpenApiResponse(description="invalid input; nothing written"),
            401: ErrorSerializer,
            404: ErrorSerializer,
            412: TopicProgressOutput,
        },
    )
    def put(self, request: Request, roadmap: str, topic: str) -> Response:
        topic_obj = self._topic(roadmap, topic)
        data = TopicProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        if_match = _parse_if_match(request.headers.get("If-Match"))
        try:
            row = services.topic_progress_put(
                user=request.user,
                topic=topic_obj,
                status=data.validated_data["status"],
                note_md=data.validated_data.get("note"),
                if_match=if_match,
            )
        except services.StaleWrite as stale:
            body = _progress_body(topic_obj, stale.current)
            return Response(
                {"detail": "This progress changed since you read it; nothing was written.", **body},
                status=status.HTTP_412_PRECONDITION_FAILED,
                headers={"ETag": _etag(body["version"])},
            )
        except ValidationError as error:
            _raise_for(error)
        body = _progress_body(topic_obj, row)
        return Response(body, headers={"ETag": _etag(row.version)})


# -- ticks


class TickOutput(serializers.Serializer):
    resource = serializers.IntegerField()
    ticked = serializers.BooleanField()


class TickView(APIView):
    permission_classes = [IsAuthenticated]

    def _resource(self, resource_id: int) -> Resource:
        return get_object_or_404(Resource.objects.approved(), pk=resource_id)

    @extend_schema(
        request=None, responses={200: TickOutput, 401: ErrorSerializer, 404: ErrorSerializer}
    )
    def put(self, request: Request, resource_id: int) -> Response:
        resource = self._resource(resource_id)
        services.resource_tick(user=request.user, resource=resource)
        return Response({"resource": resource.pk, "ticked": True})

    @extend_schema(responses={204: None, 401: ErrorSerializer, 404: ErrorSerializer})
    def delete(self, request: Request, resource_id: int) -> Response:
        services.resource_untick(user=request.user, resource=self._resource(resource_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- check-ins


class CheckInInput(serializers.Serializer):
    hours = serializers.IntegerField(min_value=0, max_value=168)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.NOTE_MAX_LENGTH
    )


class CheckInOutput(serializers.ModelSerializer):
    note = serializers.CharField(source="note_md")

    class Meta:
        model = WeeklyCheckIn
        fields = ["week", "hours", "note", "updated_at"]


class CheckInListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CheckInOutput

    def get_queryset(self):
        roadmap = _roadmap(self.kwargs["roadmap"])
        return WeeklyCheckIn.objects.filter(user=self.request.user, roadmap=roadmap).order_by(
            "-week"
        )


class CheckInView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CheckInInput,
        responses={
            200: CheckInOutput,
            400: OpenApiResponse(description="invalid input; nothing written"),
            401: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def put(self, request: Request, roadmap: str, week: int) -> Response:
        enrollment = _enrollment(request, _roadmap(roadmap))
        data = CheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            check_in = services.check_in_put(
                user=request.user,
                enrollment=enrollment,
                week=week,
                hours=data.validated_data["hours"],
                note_md=data.validated_data["note"],
            )
        except ValidationError as error:
            _raise_for(error)
        return Response(CheckInOutput(check_in).data)


# -- CSV export


def _spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return f"'{cell}" if cell[:1] in {"=", "+", "-", "@", "\t", "\r"} else cell


class ProgressCSVView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="progress as CSV"),
            401: ErrorSerializer,
        }
    )
    def get(self, request: Request) -> HttpResponse:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["roadmap", "topic", "title", "status", "auto_skipped", "done_at", "note"])
        for row in selectors.progress_rows_for_export(user=request.user):
            cells = [
                row.topic.roadmap.slug,
                row.topic.slug,
                row.topic.title,
                row.status,
                "yes" if row.auto_skipped else "no",
                row.done_at.isoformat() if row.done_at else "",
                row.note_md,
            ]
            writer.writerow([_spreadsheet_safe(cell) for cell in cells])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="roadmap-progress.csv"'
        return response
