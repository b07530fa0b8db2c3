"""The community API: submissions, votes and reports. Thin views over services and selectors;
every refusal is raised by them and answered by roadmap_site.api_errors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.selectors import signed_in_user
from apps.community import selectors, services
from apps.community.serializers import (
    SUBMISSION_STATUSES,
    DuplicateSerializer,
    OpenReportSerializer,
    ReportInput,
    ReportOutput,
    SubmissionCreatedOutput,
    SubmissionFilter,
    SubmissionInput,
    SubmissionOutput,
    VoteInput,
    VoteOutput,
    vote_body,
)
from roadmap_site.api_errors import (
    INVALID,
    LIMITED,
    NOT_FOUND,
    UNAUTHENTICATED,
    ErrorSerializer,
)

# -- submissions


class SubmissionListCreateView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = SubmissionOutput

    def get_queryset(self) -> QuerySet[Any]:
        wanted = SubmissionFilter(data=self.request.query_params)
        wanted.is_valid(raise_exception=True)
        return selectors.submissions_for(
            user=signed_in_user(self.request), status=wanted.validated_data["status"]
        )

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=SUBMISSION_STATUSES)],
        responses={200: SubmissionOutput(many=True), **INVALID, **UNAUTHENTICATED},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SubmissionInput,
        responses={
            201: SubmissionCreatedOutput,
            **INVALID,
            **UNAUTHENTICATED,
            409: OpenApiResponse(
                DuplicateSerializer,
                description="the URL is known already (code `duplicate`; `existing` has the "
                "id and URL of an approved resource, only the status otherwise), or 10 "
                "submissions are already pending (code `pending_limit`); nothing written",
            ),
            **LIMITED,
        },
    )
    def post(self, request: Request) -> Response:
        data = SubmissionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        resource = services.resource_submit(
            user=signed_in_user(request),
            roadmap=values["roadmap"],
            topic=values["topic"],
            url=values["url"],
            title=values["title"],
            kind=values["kind"],
            description=values["description"],
        )
        twins = selectors.probable_duplicates([resource], approved_only=True)[resource.pk]
        body = SubmissionCreatedOutput(resource, context={"probable_duplicates": twins}).data
        return Response(body, status=status.HTTP_201_CREATED)


# -- votes

OWN_RESOURCE = {403: OpenApiResponse(ErrorSerializer, description="your own submission")}


class VoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=VoteInput,
        responses={
            200: VoteOutput,
            400: OpenApiResponse(description="value is not 1 or -1"),
            **UNAUTHENTICATED,
            **OWN_RESOURCE,
            **NOT_FOUND,
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        resource = selectors.approved_resource(pk=pk)
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        value = data.validated_data["value"]
        resource = services.vote_cast(user=signed_in_user(request), resource=resource, value=value)
        return Response(vote_body(resource, value))

    @extend_schema(
        responses={200: VoteOutput, **UNAUTHENTICATED, **OWN_RESOURCE, **NOT_FOUND},
    )
    def delete(self, request: Request, pk: int) -> Response:
        resource = selectors.approved_resource(pk=pk)
        resource = services.vote_withdraw(user=signed_in_user(request), resource=resource)
        return Response(vote_body(resource, None))


# -- reports


class ReportCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReportInput,
        responses={
            201: ReportOutput,
            **INVALID,
            **UNAUTHENTICATED,
            **NOT_FOUND,
            409: OpenApiResponse(
                OpenReportSerializer,
                description="you have an open report on it (code `open_report`), or a moderator "
                "resolved yours lately (code `report_cooldown`, with `reportable_at`)",
            ),
            **LIMITED,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        resource = selectors.approved_resource(pk=pk)
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(
            user=signed_in_user(request),
            resource=resource,
            reason=data.validated_data["reason"],
            note=data.validated_data["note"],
        )
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED)
