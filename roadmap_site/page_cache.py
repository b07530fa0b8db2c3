"""The public pages, rendered once per pages' version and served from the cache; and the one
rule for every other page's `Cache-Control`.

A GET or HEAD of one of `CACHED_PAGES` by a visitor without a session (no session cookie, no
pending flash message, not an htmx request) is answered here, right after WhiteNoise and the
tree's fast path, at the cost of one query: the pages' version (apps.roadmap.models.PageVersion,
bumped by `pages_touch` in the same transaction as every content change, vote, link health
change and moderation log entry). A matching `If-None-Match` gets a 304 without any body; a
cached copy is sent as it was stored; a miss goes through the whole stack to the view, and its
answer is stored when it is fit to share (200, anonymous, no cookie set, no CSP nonce used).

The cached bodies hold nothing per user or per response: the pages have no inline script, the
theme form needs no CSRF token (roadmap.views.theme_set) and an anonymous visitor's vote arrows
lead to the sign-in page (community/_vote.html). Answers from here get the same security headers
as the view's: SecurityMiddleware wraps this one, and the CSP and X-Frame-Options headers are
added below by the same middleware classes the stack uses.

The key holds the scheme and host (so an https page never answers an http request, should the
two ever differ), the theme cookie (the page names it), the path and the query string.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from apps.roadmap.services import pages_version
from apps.roadmap.templatetags.roadmap_tags import THEME_COOKIE, THEMES

# Each cached page's view, and the query parameters that may change what it shows; a request
# with any other parameter goes to the view and is not stored.
CACHED_PAGES: dict[str, frozenset[str]] = {
    "roadmap:home": frozenset(),
    "roadmap:roadmap": frozenset(),
    "roadmap:phase": frozenset(),
    "roadmap:section": frozenset({"page"}),
    "roadmap:topic": frozenset({"sort", "free"}),
    "roadmap:projects": frozenset({"page"}),
    "roadmap:faq": frozenset({"page"}),
    "roadmap:outcomes": frozenset(),
    "moderation:modlog": frozenset({"action", "moderator", "page"}),
}
# A longer query string is not a page anybody links to: it goes to the view, not the cache.
QUERY_MAX_LENGTH = 256
PERSONAL = "private, no-store"
MESSAGES_COOKIE = "messages"


# The pages last served, kept in the worker itself in front of the shared cache: safe because
# every key holds the pages' version, read from the database on every request. Bounded by size.
_LOCAL: OrderedDict[str, bytes] = OrderedDict()
_LOCAL_LOCK = threading.Lock()
_local_bytes = 0


def _local_key(key: str) -> str:
    # The shared cache's prefix too: tests give each test its own (tests/conftest.py).
    return f"{cache.key_prefix}:{key}"


def _local_get(key: str) -> bytes | None:
    with _LOCAL_LOCK:
        body = _LOCAL.get(_local_key(key))
        if body is not None:
            _LOCAL.move_to_end(_local_key(key))
        return body


def _local_put(key: str, body: bytes) -> None:
    global _local_bytes
    with _LOCAL_LOCK:
        old = _LOCAL.pop(_local_key(key), None)
        _local_bytes -= len(old) if old is not None else 0
        _LOCAL[_local_key(key)] = body
        _local_bytes += len(body)
        while _local_bytes > settings.PAGE_CACHE_LOCAL_BYTES and _LOCAL:
            _local_bytes -= len(_LOCAL.popitem(last=False)[1])


def _shared_get(key: str) -> bytes | None:
    body = _local_get(key)
    if body is None:
        body = cache.get(key)
        if not isinstance(body, bytes):
            return None
        _local_put(key, body)
    return body


def public_cache_control() -> str:
    return (
        f"public, max-age={settings.PAGE_CACHE_MAX_AGE}, "
        f"stale-while-revalidate={settings.PAGE_CACHE_STALE_WHILE_REVALIDATE}"
    )


def _variant(request: HttpRequest) -> str | None:
    """What the cached copy of this request's page depends on, or None when it is not served
    from the cache."""
    if request.method not in ("GET", "HEAD"):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
        return None
    if "HTTP_HX_REQUEST" in request.META:
        return None
    query = request.META.get("QUERY_STRING", "")
    if len(query) > QUERY_MAX_LENGTH:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    allowed = CACHED_PAGES.get(match.view_name)
    if allowed is None or not set(request.GET) <= allowed:
        return None
    request.resolver_match = match
    theme = cookies.get(THEME_COOKIE, "")
    theme = theme if theme in THEMES else ""
    # get_host() also refuses a host not in ALLOWED_HOSTS, as the view's answer would.
    parts = (request.scheme or "", request.get_host(), theme, request.path, query)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    user = getattr(request, "user", None)
    return (
        isinstance(response, HttpResponse)
        and response.status_code == 200
        and not response.cookies
        and not response.has_header("Cache-Control")
        and user is not None
        and not user.is_authenticated
        and getattr(request, "_csp_nonce", None) is None
    )


def _public(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["ETag"] = etag
    response["Cache-Control"] = public_cache_control()
    patch_vary_headers(response, ("Cookie",))
    return response


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # The stack's own classes, so that the headers are the view's to the byte.
        self._csp = CSPMiddleware(get_response)
        self._frame = XFrameOptionsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        variant = _variant(request)
        if variant is None:
            response = self.get_response(request)
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = PERSONAL
            return response
        # The version is read before anything is rendered: a copy rendered from older rows
        # is keyed by the older version, never served once the version moves on.
        version = pages_version()
        key = f"page:{version}:{variant}"
        etag = f'"p{version}-{variant[:12]}"'
        if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            return self._served(request, HttpResponse(status=304), etag)
        body = _shared_get(key)
        if body is not None:
            response = HttpResponse(body, content_type="text/html; charset=utf-8")
            response["Content-Length"] = str(len(body))
            return self._served(request, response, etag)
        response = self.get_response(request)
        if not _storable(request, response):
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = PERSONAL
            return response
        assert isinstance(response, HttpResponse)
        cache.set(key, response.content, settings.PAGE_CACHE_SECONDS)
        _local_put(key, response.content)
        return _public(response, etag)

    def _served(self, request: HttpRequest, response: HttpResponse, etag: str) -> HttpResponse:
        self._csp.process_request(request)
        self._csp.process_response(request, response)
        self._frame.process_response(request, response)
        _public(response, etag)
        return response
