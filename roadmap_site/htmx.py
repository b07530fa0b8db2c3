"""htmx requests that need a sign-in leave the page instead of pasting one into it.

`login_required` and `moderator_required` answer an anonymous request with a redirect to the
sign-in page. A browser's XMLHttpRequest follows it silently, so htmx would swap the whole
sign-in page (its header, its h1, its skip link) into a vote or status control. This middleware
turns that redirect, for htmx requests only, into an empty answer carrying `HX-Redirect`: htmx
then loads the sign-in page as a full page. Its `next` is the page the user was on (htmx's
`HX-Current-URL`), kept only when it is on this site; the endpoint itself (a POST-only URL) is
never a place to come back to.

A refusal answered to htmx as a fragment (`error_views.ApplicationErrorMiddleware`'s
`refused_fragment.html`) is marked `HX-Refusal` and put just after the control that asked
(`HX-Reswap: afterend`); static/js/htmx-refusals.js lets htmx swap such a 4xx answer, so the
reason shows in place and the control stays. A view's own 4xx fragment (a form answered again
with what was typed, e.g. a note's conflict) is left to the view's own swap, and a whole page
answered with a 4xx is never swapped.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page_the_user_was_on(request: HttpRequest) -> str | None:
    """HX-Current-URL as a path on this site, or None when it is missing or elsewhere."""
    current = request.headers.get("HX-Current-URL", "")
    if not current or not url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(current)
    if parts.netloc and parts.netloc != request.get_host():
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return f"{path}?{parts.query}" if parts.query else path


def sign_in_url(request: HttpRequest) -> str:
    """The sign-in page, coming back to the page the htmx request was sent from."""
    login = resolve_url(settings.LOGIN_URL)
    back = _page_the_user_was_on(request)
    return f"{login}?{urlencode({REDIRECT_FIELD_NAME: back})}" if back else login


class HtmxSignInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _is_htmx(request):
            return response
        if response.status_code in REDIRECTS and self._to_sign_in(response):
            answer = HttpResponse(status=200)
            answer["HX-Redirect"] = sign_in_url(request)
            return answer
        if 400 <= response.status_code < 500 and getattr(response, "htmx_refusal", False):
            response["HX-Refusal"] = "true"
            response.setdefault("HX-Reswap", "afterend")
        return response

    @staticmethod
    def _to_sign_in(response: HttpResponse) -> bool:
        location = urlsplit(response.get("Location", ""))
        return location.path == resolve_url(settings.LOGIN_URL)
