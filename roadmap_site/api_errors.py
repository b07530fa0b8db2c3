"""The error body every API endpoint answers with, declared once for the OpenAPI schema,
and the refusals that several apps' endpoints share."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()

    class Meta:
        ref_name = "Error"


DENIED = {
    401: OpenApiResponse(ErrorSerializer, description="no valid credentials sent"),
    403: OpenApiResponse(ErrorSerializer, description="not a moderator"),
}
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="no such object")}
INVALID = {400: OpenApiResponse(description="invalid input, by field; nothing written")}
CONFLICT = {409: OpenApiResponse(ErrorSerializer, description="clashes with the current state")}
