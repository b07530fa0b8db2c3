"""Error answers outside the API views: styled pages for people, JSON under `/api/`.

DRF's views answer their own refusals (`api_errors.exception_handler`). What never reaches one
(an unknown path, a body too large, a fault, a plain Django view) comes here: the URLconf's
`handler400`/`403`/`404`/`500` for the site, and `ApiErrorsMiddleware`, which keeps every
answer under `/api/` JSON, DEBUG or not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
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
    """Under `/api/`: a body larger than Django's limit is refused with 413 before any view
    reads it (DRF's parsers read the stream whole), and any non-JSON error answer (DEBUG's
    pages, a plain view's 405, Django's CSRF page) is replaced by the JSON one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            return self.get_response(request)
        if _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return api_error_response(413)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            replacement = api_error_response(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            return replacement
        return response


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
        retry_after = getattr(exception, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response
