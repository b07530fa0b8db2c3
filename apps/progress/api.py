"""The personal API: enrolment, the plan, progress, ticks, check-ins and the CSV export.

Every view answers only for the caller (lookups are scoped to the signed-in user); anonymous
callers get 401. Views are thin: parse, call a service or selector, serialise. A service's
refusal is not caught here: the project's one exception handler answers it (400 by field, 404,
412 with the current state).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.selectors import signed_in_user
from apps.progress import effort, selectors, services
from apps.progress.pause import plan_pause, plan_resume
from apps.progress.plan import Plan
from apps.progress.serializers import (
    CheckInInput,
    CheckInOutput,
    EffortOutput,
    EnrollmentInput,
    EnrollmentOutput,
    PlanOutput,
    ProgressOutput,
    StaleProgressOutput,
    TickOutput,
    TopicProgressInput,
    TopicProgressOutput,
    topic_progress_body,
)
from apps.roadmap import selectors as content
from roadmap_site.api_errors import CONFLICT, DENIED, INVALID, NOT_FOUND, UNAUTHENTICATED
from roadmap_site.errors import Invalid, Stale
from roadmap_site.limits import CHECK_IN_WEEK, EFFORT_MIN_LEARNERS

# -- enrolment


class EnrollmentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: EnrollmentOutput, **UNAUTHENTICATED, **NOT_FOUND})
    def get(self, request: Request, roadmap: str) -> Response:
        enrollment = selectors.enrollment_of(
            user=signed_in_user(request), roadmap=content.roadmap_get(slug=roadmap)
        )
        return Response(EnrollmentOutput(enrollment, context={"request": request}).data)

    @extend_schema(
        request=EnrollmentInput,
        responses={
            200: EnrollmentOutput,
            201: EnrollmentOutput,
            **INVALID,
            **DENIED,
            **NOT_FOUND,
        },
    )
    def put(self, request: Request, roadmap: str) -> Response:
        user = signed_in_user(request)
        roadmap_obj = content.roadmap_get(slug=roadmap)
        data = EnrollmentInput(data=request.data, context={"roadmap": roadmap_obj})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        enrollment, created = services.enrollment_save(
            user=user,
            roadmap=roadmap_obj,
            start_date=values.get("start_date"),
            hours_per_week=values["hours_per_week"],
            background=values["background"],
            goal_project=values.get("goal_project"),
        )
        body = EnrollmentOutput(enrollment, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# -- the plan


def _plan_response(plan: Plan) -> Response:
    return Response(PlanOutput(plan).data)


class PlanView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PlanOutput, **UNAUTHENTICATED, **NOT_FOUND})
    def get(self, request: Request, roadmap: str) -> Response:
        enrollment = selectors.enrollment_of(
            user=signed_in_user(request), roadmap=content.roadmap_get(slug=roadmap)
        )
        return _plan_response(selectors.plan_for(enrollment=enrollment))


class ReplanView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: PlanOutput, **DENIED, **NOT_FOUND})
    def post(self, request: Request, roadmap: str) -> Response:
        enrollment = selectors.enrollment_of(
            user=signed_in_user(request), roadmap=content.roadmap_get(slug=roadmap)
        )
        enrollment = services.plan_replan(enrollment=enrollment)
        return _plan_response(selectors.plan_for(enrollment=enrollment))


class PauseView(APIView):
    """Pause my plan (PUT) or resume it (DELETE): while paused, no emails and nothing runs
    late; resuming lays what is left out from this week (docs/plan.md)."""

    permission_classes = [IsAuthenticated]

    def _enrollment(self, request: Request, roadmap: str) -> Any:
        return selectors.enrollment_of(
            user=signed_in_user(request), roadmap=content.roadmap_get(slug=roadmap)
        )

    @extend_schema(
        request=None, responses={200: EnrollmentOutput, **DENIED, **NOT_FOUND, **CONFLICT}
    )
    def put(self, request: Request, roadmap: str) -> Response:
        enrollment = plan_pause(enrollment=self._enrollment(request, roadmap))
        return Response(EnrollmentOutput(enrollment, context={"request": request}).data)

    @extend_schema(responses={200: EnrollmentOutput, **DENIED, **NOT_FOUND, **CONFLICT})
    def delete(self, request: Request, roadmap: str) -> Response:
        enrollment = plan_resume(enrollment=self._enrollment(request, roadmap))
        return Response(EnrollmentOutput(enrollment, context={"request": request}).data)


# -- progress


class ProgressView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ProgressOutput, **UNAUTHENTICATED, **NOT_FOUND})
    def get(self, request: Request, roadmap: str) -> Response:
        summary = selectors.progress_summary(
            user=signed_in_user(request), roadmap=content.roadmap_get(slug=roadmap)
        )
        return Response(
            {
                "percent_complete": summary.percent_complete,
                "phases": [{"number": n, "percent": p} for n, p in summary.phases],
                "sections": [{"number": n, "percent": p} for n, p in summary.sections],
                "topics": summary.topics,
                "streak": summary.streak,
            }
        )


def _etag(version: int) -> str:
    return f'"{version}"'


def _parse_if_match(header: str | None) -> int | None:
    """`"3"` -> 3; absent -> None (no precondition); anything unreadable -> 400."""
    if header is None:
        return None
    value = header.strip().removeprefix("W/")
    if value.startswith('"') and value.endswith('"') and value[1:-1].isdigit():
        return int(value[1:-1])
    raise Invalid({"If-Match": ['If-Match must be an ETag from a GET, like "3".']})


class TopicProgressView(APIView):
    permission_classes = [IsAuthenticated]

    def handle_exception(self, exc: Exception) -> Response:
        """A stale write's 412 carries the current version as its ETag, as a GET would."""
        response = super().handle_exception(exc)
        if isinstance(exc, Stale) and "version" in exc.extra:
            response["ETag"] = _etag(exc.extra["version"])
        return response

    @extend_schema(responses={200: TopicProgressOutput, **UNAUTHENTICATED, **NOT_FOUND})
    def get(self, request: Request, roadmap: str, topic: str) -> Response:
        topic_obj = selectors.topic_get(roadmap_slug=roadmap, slug=topic)
        row = selectors.topic_progress_get(user=signed_in_user(request), topic=topic_obj)
        state = services.topic_progress_state(topic=topic_obj, row=row)
        return Response(topic_progress_body(state), headers={"ETag": _etag(state["version"])})

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
            **INVALID,
            **DENIED,
            **NOT_FOUND,
            412: OpenApiResponse(
                StaleProgressOutput,
                description="If-Match is stale; nothing written; the current state and ETag",
            ),
        },
    )
    def put(self, request: Request, roadmap: str, topic: str) -> Response:
        user = signed_in_user(request)
        topic_obj = selectors.topic_get(roadmap_slug=roadmap, slug=topic)
        data = TopicProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.topic_progress_put(
            user=user,
            topic=topic_obj,
            status=data.validated_data["status"],
            note_md=data.validated_data.get("note"),
            if_match=_parse_if_match(request.headers.get("If-Match")),
            hours_taken=data.validated_data.get("hours_taken"),
        )
        state = services.topic_progress_state(topic=topic_obj, row=row)
        return Response(topic_progress_body(state), headers={"ETag": _etag(row.version)})


# -- the learners' effort per topic (public)


class TopicEffortView(APIView):
    """A topic's effort: the 25th, 50th and 75th percentiles of learners' own times and their
    count from `EFFORT_MIN_LEARNERS` answers, else the editorial estimate (docs/plan.md)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: EffortOutput, **NOT_FOUND})
    def get(self, request: Request, roadmap: str, topic: str) -> Response:
        topic_obj = selectors.topic_get(roadmap_slug=roadmap, slug=topic)
        figures = effort.effort_for_topic(topic=topic_obj)
        return Response(
            EffortOutput(
                {
                    "topic": topic_obj.slug,
                    "based_on": figures.source,
                    "editorial_hours": figures.editorial_hours,
                    "count": figures.count,
                    "min_learners": EFFORT_MIN_LEARNERS,
                    "p25": figures.p25,
                    "p50": figures.p50,
                    "p75": figures.p75,
                }
            ).data
        )


# -- ticks


class TickView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: TickOutput, **DENIED, **NOT_FOUND})
    def put(self, request: Request, resource_id: int) -> Response:
        resource = content.resource_get(pk=resource_id)
        services.resource_tick(user=signed_in_user(request), resource=resource)
        return Response({"resource": resource.pk, "ticked": True})

    @extend_schema(responses={204: None, **DENIED, **NOT_FOUND})
    def delete(self, request: Request, resource_id: int) -> Response:
        services.resource_untick(
            user=signed_in_user(request), resource=content.resource_get(pk=resource_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# -- check-ins


class CheckInListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = CheckInOutput

    @extend_schema(responses={200: CheckInOutput(many=True), **UNAUTHENTICATED, **NOT_FOUND})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.check_ins(
            user=signed_in_user(self.request),
            roadmap=content.roadmap_get(slug=self.kwargs["roadmap"]),
        )


WEEK = OpenApiParameter(
    "week",
    {"type": "integer", "minimum": CHECK_IN_WEEK.min, "maximum": CHECK_IN_WEEK.max},
    OpenApiParameter.PATH,
    description="the week's number (week 1 is the week of the start date), up to this week",
)


class CheckInView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CheckInInput,
        parameters=[WEEK],
        responses={200: CheckInOutput, **INVALID, **DENIED, **NOT_FOUND},
    )
    def put(self, request: Request, roadmap: str, week: int) -> Response:
        user = signed_in_user(request)
        enrollment = selectors.enrollment_of(user=user, roadmap=content.roadmap_get(slug=roadmap))
        data = CheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        check_in = services.check_in_put(
            user=user,
            enrollment=enrollment,
            week=week,
            hours=data.validated_data["hours"],
            note_md=data.validated_data["note"],
        )
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
            **UNAUTHENTICATED,
        }
    )
    def get(self, request: Request) -> HttpResponse:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        # New columns go at the end, so a spreadsheet built on the old ones keeps working.
        writer.writerow(
            [
                "roadmap",
                "topic",
                "title",
                "status",
                "auto_skipped",
                "done_at",
                "note",
                "hours_taken",
            ]
        )
        for row in selectors.progress_rows_for_export(user=signed_in_user(request)):
            cells = [
                row.topic.roadmap.slug,
                row.topic.slug,
                row.topic.title,
                row.status,
                "yes" if row.auto_skipped else "no",
                row.done_at.isoformat() if row.done_at else "",
                row.note_md,
                "" if row.hours_taken is None else str(row.hours_taken),
            ]
            writer.writerow([_spreadsheet_safe(cell) for cell in cells])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="roadmap-progress.csv"'
        return response
