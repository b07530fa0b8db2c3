"""How the API answers a refusal: one exception handler, one error body, declared once for the
OpenAPI schema.

Bodies (API.md): `{field: [messages]}` for 400; `{"detail", "code", ...}` for everything else,
a 409 and a 412 with the conflicting state beside them, a 429 with `retry_after` and the
`Retry-After` header, a 500 with the `request_id` and nothing internal.
"""

from __future__ import annotations

from typing import Any

import structlog
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import DataError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from roadmap_site.errors import ApplicationError, Invalid, NotAllowed, NotFound


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()

    class Meta:
        ref_name = "Error"


class LimitErrorSerializer(ErrorSerializer):
    retry_after = serializers.IntegerField(help_text="seconds; also in the Retry-After header")

    class Meta:
        ref_name = "LimitError"


class ServerErrorSerializer(ErrorSerializer):
    request_id = serializers.CharField(help_text="quote it when you report the fault")

    class Meta:
        ref_name = "ServerError"


def _error(description: str, serializer: Any = ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(serializer, description=description)


# The schema's words for each status, so that every operation documents them the same way.
DENIED = {
    401: _error("no valid credentials sent"),
    403: _error("not allowed to do this"),
}
UNAUTHENTICATED = {401: DENIED[401]}
FORBIDDEN = {403: DENIED[403]}
NOT_FOUND = {404: _error("no such object, or none the caller may see")}
INVALID = {400: OpenApiResponse(description="invalid input, by field; nothing written")}
CONFLICT = {409: _error("clashes with the current state; nothing written")}
STALE = {412: _error("If-Match is stale; nothing written")}
LIMITED = {429: _error("a limit was reached; see Retry-After", LimitErrorSerializer)}


def request_id() -> str:
    """The id django-structlog gave this request (X-Request-ID when the proxy sent one)."""
    return str(structlog.contextvars.get_contextvars().get("request_id", ""))


def server_error_body() -> dict[str, str]:
    return {
        "detail": "Something went wrong on our side; it has been logged.",
        "code": "server_error",
        "request_id": request_id(),
    }


def too_large_body() -> dict[str, str]:
    return {"detail": "The request body is too large.", "code": "too_large"}


NUL_REFUSED = "A value holds a NUL character, which is never valid here."


def _from_django(exc: Exception) -> Exception:
    # PostgreSQL refuses NUL in text; the driver says so before sending the query. A related
    # field looks its value up before any validator runs, so this is where such input ends up.
    if isinstance(exc, DataError) and "NUL" in str(exc):
        return Invalid(NUL_REFUSED, code="nul_character")
    if isinstance(exc, ValidationError):
        return Invalid.from_validation_error(exc)
    if isinstance(exc, Http404):
        return NotFound()
    if isinstance(exc, PermissionDenied):
        return NotAllowed()
    return exc


def _coded(response: Response, exc: exceptions.APIException) -> Response:
    """DRF's own refusals (401, 403, 404, 405, 406, 415, 429) get a `code` like ours."""
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        codes = exc.get_codes()
        data["code"] = codes if isinstance(codes, str) else exc.default_code
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            data["retry_after"] = max(1, round(wait))
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every refusal a view lets through, answered once.
    Anything else is a fault: None lets Django log it and answer through `handler500`."""
    exc = _from_django(exc)
    if isinstance(exc, ApplicationError):
        response = Response(exc.body(), status=exc.status)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        return Response(too_large_body(), status=413)
    answered = drf_exception_handler(exc, context)
    if answered is not None and isinstance(exc, exceptions.APIException):
        return _coded(answered, exc)
    return answered
