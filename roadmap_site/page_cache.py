"""The public pages, rendered once per version and served from the cache; and the one rule for
every other page's `Cache-Control`.

A GET or HEAD of one of `CACHED_PAGES` by a visitor without a session (no session cookie, no
pending flash message, not an htmx request) is answered here, right after WhiteNoise and the
tree's fast path, at the cost of the pages' two versions, both from one row
(apps.roadmap.models.PageVersion), pushed to the worker at each commit
(apps.roadmap.version_feed: no query) or else read in one. The content version is bumped by
`pages_touch` in the same transaction as every content change; the community version by
`community_touch` with every vote, link health or access change and moderation log entry that
changes no content.
Each page is keyed by the content version, and by the community version too when it shows
what moves it (`CachedPage.community`): a vote renders the topic page again on the next
request and leaves the FAQ's copy, and its ETag, as they were.

A cached copy is sent as it was stored, with the headers the view's answer had from the
middleware inside this one (its Content-Security-Policy and X-Frame-Options); a matching
`If-None-Match` gets a 304 with the same headers and no body; a miss goes through the whole
stack to the view, and its answer is stored when it is fit to share (200, anonymous, no cookie
set, no CSP nonce used). SecurityMiddleware wraps this one, so its headers are added to both.

The cached bodies hold nothing per user or per response: the pages have no inline script or
style (so no nonce), the theme form needs no CSRF token (roadmap.views.theme_set) and an
anonymous visitor's vote arrows lead to the sign-in page (community/_vote.html).

The key holds the scheme and host (so an https page never answers an http request, should the
two ever differ), the theme cookie (the page names it), the path and the query string.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.cache import patch_vary_headers

from apps.roadmap.services import pages_versions
from apps.roadmap.templatetags.roadmap_tags import THEME_COOKIE, THEMES
from apps.roadmap.versions import etag_matches


@dataclass(frozen=True)
class CachedPage:
    """A page served from the cache: the query parameters that may change what it shows (a
    request with any other goes to the view, unstored), and whether it shows what the
    community version moves (votes and scores, link health and access, log entries that
    change no content), which keys it by that version too."""

    params: frozenset[str] = frozenset()
    community: bool = False


# Each cached page's view: the one place that says what keys it (from its template).
CACHED_PAGES: dict[str, CachedPage] = {
    "roadmap:home": CachedPage(),
    # The general resources, with their scores, health and access.
    "roadmap:roadmap": CachedPage(community=True),
    "roadmap:phase": CachedPage(),
    "roadmap:section": CachedPage(frozenset({"page"})),
    # The resources, ranked by votes, with their health and access.
    "roadmap:topic": CachedPage(frozenset({"sort", "free"}), community=True),
    "roadmap:projects": CachedPage(frozenset({"page"})),
    "roadmap:faq": CachedPage(frozenset({"page"})),
    "roadmap:outcomes": CachedPage(),
    # Every log entry, those that change no content too.
    "moderation:modlog": CachedPage(frozenset({"action", "moderator", "page"}), community=True),
}
# A longer path or query string is not a page anybody links to: it goes to the view.
PATH_MAX_LENGTH = 512
QUERY_MAX_LENGTH = 256
# Paths resolved, kept per worker (the URLconf does not change while it runs).
RESOLVED_PATHS = 4096
PERSONAL = "private, no-store"
MESSAGES_COOKIE = "messages"
# The headers of the view's answer kept with its bytes, set by the middleware inside this one.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "X-Frame-Options",
)

Entry = tuple[tuple[tuple[str, str], ...], bytes]  # the kept headers, the body

# The pages last served, kept in the worker itself in front of the shared cache: safe because
# every key holds the pages' versions, read from the database on every request. Bounded by size.
_LOCAL: OrderedDict[str, Entry] = OrderedDict()
_LOCAL_LOCK = threading.Lock()
_local_bytes = 0


def _local_key(key: str) -> str:
    # The shared cache's prefix too: tests give each test its own (tests/conftest.py).
    return f"{cache.key_prefix}:{key}"


def _local_get(key: str) -> Entry | None:
    local = _local_key(key)
    with _LOCAL_LOCK:
        entry = _LOCAL.get(local)
        if entry is not None:
            _LOCAL.move_to_end(local)
        return entry


def _local_put(key: str, entry: Entry) -> None:
    global _local_bytes
    local = _local_key(key)
    with _LOCAL_LOCK:
        old = _LOCAL.pop(local, None)
        _local_bytes -= len(old[1]) if old is not None else 0
        _LOCAL[local] = entry
        _local_bytes += len(entry[1])
        while _local_bytes > settings.PAGE_CACHE_LOCAL_BYTES and _LOCAL:
            _local_bytes -= len(_LOCAL.popitem(last=False)[1][1])


def _shared_get(key: str) -> Entry | None:
    entry = _local_get(key)
    if entry is None:
        entry = cache.get(key)
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], bytes)):
            return None
        _local_put(key, entry)
    return entry


def public_cache_control() -> str:
    return (
        f"public, max-age={settings.PAGE_CACHE_MAX_AGE}, "
        f"stale-while-revalidate={settings.PAGE_CACHE_STALE_WHILE_REVALIDATE}"
    )


@lru_cache(maxsize=RESOLVED_PATHS)
def _resolved(path: str, urlconf: str) -> tuple[ResolverMatch, CachedPage] | None:
    """The view of a path, when it is a cached page: resolved once per path and worker (the
    URLconf is part of the key: tests may swap it)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    page = CACHED_PAGES.get(match.view_name)
    return None if page is None else (match, page)


@dataclass(frozen=True)
class _Variant:
    page: CachedPage
    digest: str  # what the copy depends on, besides the versions


def _variant(request: HttpRequest) -> _Variant | None:
    """What the cached copy of this request's page depends on, or None when it is not served
    from the cache."""
    if request.method not in ("GET", "HEAD"):
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
        return None
    meta = request.META
    if "HTTP_HX_REQUEST" in meta:
        return None
    path, query = request.path_info, meta.get("QUERY_STRING", "")
    if len(path) > PATH_MAX_LENGTH or len(query) > QUERY_MAX_LENGTH:
        return None
    found = _resolved(path, getattr(request, "urlconf", None) or settings.ROOT_URLCONF)
    if found is None:
        return None
    match, page = found
    if query and not set(request.GET) <= page.params:
        return None
    request.resolver_match = match
    theme = cookies.get(THEME_COOKIE, "")
    theme = theme if theme in THEMES else ""
    # get_host() also refuses a host not in ALLOWED_HOSTS, as the view's answer would.
    parts = (request.scheme or "", request.get_host(), theme, request.path, query)
    return _Variant(page, hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24])


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


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        variant = _variant(request)
        if variant is None:
            response = self.get_response(request)
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = PERSONAL
            return response
        # The versions are read before anything is rendered: a copy rendered from older rows
        # is keyed by the older versions, never served once either moves on.
        content, community = pages_versions()
        version = f"{content}.{community}" if variant.page.community else str(content)
        key = f"page:{version}:{variant.digest}"
        etag = f'"p{version}-{variant.digest[:12]}"'
        entry = _shared_get(key)
        if entry is not None:
            return self._served(request, entry, etag)
        response = self.get_response(request)
        if not _storable(request, response):
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = PERSONAL
            return response
        assert isinstance(response, HttpResponse)
        kept = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
        entry = (kept, response.content)
        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        _local_put(key, entry)
        if etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), etag):
            # The browser's copy is current; ours had gone from the cache, so it was rendered.
            return self._served(request, entry, etag)
        response["ETag"] = etag
        response["Cache-Control"] = public_cache_control()
        patch_vary_headers(response, ("Cookie",))
        return response

    def _served(self, request: HttpRequest, entry: Entry, etag: str) -> HttpResponse:
        headers, body = entry
        if etag_matches(request.META.get("HTTP_IF_NONE_MATCH"), etag):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body)
            response["Content-Length"] = str(len(body))
        for name, value in headers:
            response[name] = value
        response["ETag"] = etag
        response["Cache-Control"] = public_cache_control()
        response["Vary"] = "Cookie"
        return response
