"""Error answers outside the API views: styled pages for people, JSON under `/api/`.

DRF's views answer their own refusals (`api_errors.exception_handler`). What never reaches one
(an unknown path, a body too large, a fault, a plain Django view) comes here: the URLconf's
`handler400`/`403`/`404`/`500` for the site, and `ApiErrorsMiddleware`, which keeps every
answer under `/api/` JSON, DEBUG or not, and refuses what no view should ever see: a NUL byte
in the path, the query or a cookie (PostgreSQL refuses NUL in text, so it would fail as a 500
wherever it reached a query), for pages and the API alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from roadmap_site.api_errors import request_id, server_error_body, too_large_body
from roadmap_site.errors import ApplicationError, NotAllowed, NotFound

API_PREFIX = "/api/"

_MESSAGES = {
    400: ("bad_request", "The request could not be read."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("not_allowed", "You are not allowed to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request body is too large."),
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error_response(status: int) -> JsonResponse:
    if status >= 500:
        body = server_error_body()
    elif status == 413:
        body = too_large_body()
    else:
        code, detail = _MESSAGES.get(status, ("error", HTTPStatus(status).phrase))
        body = {"detail": detail, "code": code}
    return JsonResponse(body, status=status)


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    body = loader.render_to_string(template, {"status": status}, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error_response(400)
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error_response(403)
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return api_error_response(404)
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return api_error_response(500)
    # The fault may lie in what the site's base template needs (the database, a context
    # processor): this page stands alone, with nothing but the request id.
    body = loader.render_to_string("500.html", {"request_id": request_id()})
    return HttpResponse(body, status=500)


class ApiErrorsMiddleware:
    """Everywhere: a NUL byte in the path, the query string, a cookie or a page's form is
    refused with 400 (JSON under `/api/`, the styled page elsewhere) before any view runs.

    Under `/api/`: a body larger than Django's limit is refused with 413 before any view
    reads it (DRF's parsers read the stream whole); a method the view does not have is
    refused with 405 before authentication and permissions are asked (so TRACE answers 405,
    not 401); and any non-JSON error answer (DEBUG's pages, a plain view's 405, Django's CSRF
    page) is replaced by the JSON one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            if _malformed(request):
                return bad_request(request, BadRequest("malformed request"))
            return self.get_response(request)
        if _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return api_error_response(413)
        if _malformed(request):
            return api_error_response(400)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            replacement = api_error_response(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not is_api(request):
            return None
        allowed = _allowed_methods(view)
        if allowed is None or request.method in allowed:
            return None
        response = JsonResponse(
            {"detail": f'Method "{request.method}" not allowed.', "code": "method_not_allowed"},
            status=405,
        )
        response["Allow"] = ", ".join(sorted(allowed))
        return response


def _allowed_methods(view: Callable[..., Any]) -> set[str] | None:
    """The methods a class-based view answers (DRF's and Django's `as_view` keep the class on
    the function); None for a plain function, which answers for itself."""
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is None:
        return None
    allowed = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    if "GET" in allowed:
        allowed.add("HEAD")  # View.setup answers HEAD with get() when there is no head()
    return allowed


def _malformed(request: HttpRequest) -> bool:
    """A NUL in the path, a query parameter or a cookie: anywhere a view may pass a value on to
    the database before any form or serializer has looked at it; on pages, in a form body too
    (a ModelChoiceField looks its value up before validators run). API bodies are the
    serializers' (DRF's CharField refuses NUL; `api_errors` answers a related field's lookup
    of one), so that an unknown field, which the API ignores, is ignored whatever it holds."""
    if "\x00" in request.path or "\x00" in request.path_info:
        return True
    sources: list[Any] = [request.GET, request.COOKIES]
    if not is_api(request) and request.method == "POST" and request.content_type in _FORM_TYPES:
        try:
            sources.append(request.POST)
        except MultiPartParserError:
            return True
    for source in sources:
        items = source.lists() if hasattr(source, "lists") else source.items()
        for key, values in items:
            values = values if isinstance(values, list) else [values]
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "")
    if not content_type.split(";")[0].strip().endswith("json"):
        return False
    if getattr(response, "streaming", False):
        return True
    try:
        json.loads(response.content or b"null")
    except ValueError:
        return False
    return True


class ApplicationErrorMiddleware:
    """A page view's refusal that no form took (a vote on one's own resource, a stale link):
    the refusal's status and message, as a fragment for htmx and as a styled page otherwise.
    API views never get here: their handler answers first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError) or is_api(request):
            return None
        if request.headers.get("HX-Request"):
            template = "refused_fragment.html"
        elif isinstance(exception, NotFound):
            template = "404.html"
        elif isinstance(exception, NotAllowed):
            template = "403.html"
        else:
            template = "refused.html"
        context = {"refusal": exception, "status": exception.status}
        response = HttpResponse(
            loader.render_to_string(template, context, request), status=exception.status
        )
        # roadmap_site.htmx places this fragment just after the control that asked; a view's own
        # 4xx fragment (a form again, with what was typed) is swapped as the view intends.
        response.htmx_refusal = template == "refused_fragment.html"  # type: ignore[attr-defined]
        retry_after = getattr(exception, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
