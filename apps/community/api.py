"""The community API: submissions, votes and reports. Thin views over services and selectors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.community import selectors, services
from apps.community.models import Report, Vote
from apps.community.serializers import SubmissionOutput
from apps.roadmap.models import Resource, Roadmap, Topic
from roadmap_site.api_errors import ErrorSerializer


class ExistingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    status = serializers.CharField()


class DuplicateSerializer(serializers.Serializer):
    detail = serializers.CharField()
    existing = ExistingSerializer()


# -- submissions


class SubmissionInput(serializers.Serializer):
    roadmap = serializers.SlugField()
    topic = serializers.SlugField(required=False, allow_null=True, allow_blank=True)
    url = serializers.CharField(max_length=services.URL_MAX_LENGTH, trim_whitespace=True)
    title = serializers.CharField(max_length=services.TITLE_MAX)
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.DESCRIPTION_MAX
    )


class SubmissionListCreateView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = SubmissionOutput

    def get_queryset(self):
        wanted = self.request.query_params.get("status", "")
        if wanted and wanted not in Resource.Status.values:
            raise APIValidationError(
                {"status": ["Filter by one of: " + ", ".join(Resource.Status.values) + "."]}
            )
        return selectors.submissions_for(user=self.request.user, status=wanted)

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=Resource.Status.values)],
        responses={200: SubmissionOutput(many=True), 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SubmissionInput,
        responses={
            201: SubmissionOutput,
            400: OpenApiResponse(description="invalid input, by field; nothing written"),
            401: ErrorSerializer,
            409: OpenApiResponse(
                DuplicateSerializer,
                description="the URL is already on the roadmap (with `existing`), or 10 "
                "submissions are already pending",
            ),
            429: OpenApiResponse(
                ErrorSerializer, description="20 submissions in 24 hours; see Retry-After"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = SubmissionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        roadmap = Roadmap.objects.filter(slug=values["roadmap"]).first()
        if roadmap is None:
            raise APIValidationError({"roadmap": ["No roadmap has that slug."]})
        topic = None
        if values.get("topic"):
            topic = Topic.objects.active().filter(roadmap=roadmap, slug=values["topic"]).first()
            if topic is None:
                raise APIValidationError({"topic": ["No topic of this roadmap has that slug."]})
        try:
            resource = services.resource_submit(
                user=request.user,
                roadmap=roadmap,
                topic=topic,
                url=values["url"],
                title=values["title"],
                kind=values["kind"],
                description=values["description"],
            )
        except ValidationError as error:
            raise APIValidationError(error.message_dict) from None
        except services.DuplicateResource as duplicate:
            existing = duplicate.existing
            return Response(
                {
                    "detail": duplicate.message,
                    "existing": {"id": existing.pk, "url": existing.url, "status": existing.status},
                },
                status=status.HTTP_409_CONFLICT,
            )
        except services.PendingLimitReached as limit:
            return Response({"detail": limit.message}, status=status.HTTP_409_CONFLICT)
        except services.DailyLimitReached as limit:
            return Response(
                {"detail": limit.message},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(limit.retry_after)},
            )
        return Response(SubmissionOutput(resource).data, status=status.HTTP_201_CREATED)


# -- votes


class VoteInput(serializers.Serializer):
    value = serializers.ChoiceField(choices=[Vote.UP, Vote.DOWN])


class VoteOutput(serializers.Serializer):
    score = serializers.FloatField()
    upvotes = serializers.IntegerField()
    downvotes = serializers.IntegerField()
    my_vote = serializers.IntegerField(allow_null=True)


def _public_resource(pk: int) -> Resource:
    return get_object_or_404(Resource.objects.approved(), pk=pk)


def _vote_body(resource: Resource, my_vote: int | None) -> dict:
    return {
        "score": resource.score,
        "upvotes": resource.upvotes,
        "downvotes": resource.downvotes,
        "my_vote": my_vote,
    }


class VoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=VoteInput,
        responses={
            200: VoteOutput,
            400: OpenApiResponse(description="value is not 1 or -1"),
            401: ErrorSerializer,
            403: OpenApiResponse(ErrorSerializer, description="your own submission"),
            404: ErrorSerializer,
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        resource = _public_resource(pk)
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            resource = services.vote_cast(
                user=request.user, resource=resource, value=data.validated_data["value"]
            )
        except services.NotAllowed as refusal:
            return Response({"detail": refusal.message}, status=status.HTTP_403_FORBIDDEN)
        return Response(_vote_body(resource, data.validated_data["value"]))

    @extend_schema(
        responses={
            200: VoteOutput,
            401: ErrorSerializer,
            403: OpenApiResponse(ErrorSerializer, description="your own submission"),
            404: ErrorSerializer,
        }
    )
    def delete(self, request: Request, pk: int) -> Response:
        resource = _public_resource(pk)
        try:
            resource = services.vote_withdraw(user=request.user, resource=resource)
        except services.NotAllowed as refusal:
            return Response({"detail": refusal.message}, status=status.HTTP_403_FORBIDDEN)
        return Response(_vote_body(resource, None))


# -- reports


class ReportInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.NOTE_MAX
    )


class ReportOutput(serializers.ModelSerializer):
    resource = serializers.IntegerField(source="resource_id")

    class Meta:
        model = Report
        fields = ["id", "resource", "reason", "note", "created_at"]


class ReportCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReportInput,
        responses={
            201: ReportOutput,
            400: OpenApiResponse(description="invalid input; nothing written"),
            401: ErrorSerializer,
            404: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="you have an open report on it"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        resource = _public_resource(pk)
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = services.report_create(
                user=request.user,
                resource=resource,
                reason=data.validated_data["reason"],
                note=data.validated_data["note"],
            )
        except services.OpenReportExists as conflict:
            return Response(
                {"detail": conflict.message, "report": conflict.report.pk},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED)
