"""The learner's dashboard, rendered once and kept until anything it shows changes (issue 18).

A signed-in, enrolled learner's GET or HEAD of their dashboard (not htmx, no query string) is
answered here, in `process_view` (just before `page_layer.PageLayerMiddleware`, the last of the
stack, so every other middleware has run). The page is kept per learner, cut at the markers of
roadmap_site/page_layer.py: the header's links, the flash messages and every form's CSRF token
stay per request, filled by the same small templates as a whole render (so the two are the same
bytes, tokens aside). It is kept under a digest of everything it is drawn from:

- the pages' versions (content and community: the topics, goals and projects it names);
- the learner's "today" in their time zone (the current week, the pace's dates) and the
  settings they change (time zone, display name, contributions shown);
- every field of the enrolment row (hours, start, anchor, pause, calendar link, goal);
- fingerprints of the learner's progress rows, check-ins and goal project's solution
  (roadmap_site/fingerprints.py: counts, largest ids, summed write versions, ...), one query
  for all their enrolments;
- the scheme, host, theme and path (the shell's own variant, as in page_layer).

No write path has to remember to invalidate anything: a write changes the rows, so the next
digest differs. A page rendered while any of that moved is served but not kept (the key is
read again after the rendering and must be the same), so a kept page is never older than its
key. A learner who is not enrolled, a missing roadmap, a query string, htmx and POSTs go to the
view.

In front of that, the page is also kept filled (its header's links too, the flash messages
and the CSRF tokens left per request) under the learner's personal version, read with the
session (`_personal_key`, page_layer.personal_digest): the database's triggers move it with
every write to their enrolments, progress rows, check-ins and solutions, what the
fingerprints above follow. A repeat visit then costs the session with its user and the pages'
versions alone (pushed to each process: no query). A moderator's page is not kept so (the
header's queue counts move without them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from apps.progress import selectors as progress
from apps.progress.models import Enrollment
from apps.progress.services import local_today
from apps.roadmap.services import pages_versions
from apps.roadmap.templatetags.roadmap_tags import THEME_COOKIE, THEMES
from apps.solutions import selectors as solutions
from roadmap_site import page_layer
from roadmap_site.prepared import CompiledQuery

DASHBOARD = "progress:dashboard"
BODY_SECONDS = 60 * 60
# The learner's settings (apps.accounts.services): the body reads the time zone; the others
# cost nothing to include and keep the key exact for whatever a settings change touches.
USER_FIELDS = ("time_zone", "display_name", "show_contributions")
FINGERPRINTS = ("progress_fingerprint", "check_ins_fingerprint", "solution_fingerprint")

_BODIES = page_layer._Local(256)


def _enrolments_query(*, user_id: int) -> QuerySet[Enrollment]:
    return progress.enrollments_query(user_id=user_id).annotate(
        **progress.dashboard_fingerprints(),
        solution_fingerprint=solutions.goal_solution_fingerprint(),
    )


# The learner's enrolments, each with the fingerprints of what its dashboard shows: one query,
# compiled once per process (roadmap_site/prepared.py; the ORM took several times as long to
# build its subqueries as the database to run them).
_ENROLMENTS = CompiledQuery(_enrolments_query, "user_id")


def _key(
    request: HttpRequest, enrolment: Enrollment, fingerprints: list[str], versions: tuple[int, int]
) -> str:
    user: Any = request.user
    theme = request.COOKIES.get(THEME_COOKIE, "")
    parts = [
        request.scheme or "",
        request.get_host(),
        theme if theme in THEMES else "",
        request.path,
        str(versions),
        str(user.pk),
        local_today(user).isoformat(),
        *(f"{name}={getattr(user, name)}" for name in USER_FIELDS),
        *(f"{f.attname}={getattr(enrolment, f.attname)}" for f in Enrollment._meta.concrete_fields),
        *fingerprints,
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return page_layer._scoped(f"dashboard:{user.pk}:{digest}")


class Current(NamedTuple):
    """What the learner's dashboard is now: their enrolments, this roadmap's, the page's key
    and the pages' versions it holds."""

    enrolments: list[Enrollment]
    enrolment: Enrollment
    key: str
    versions: tuple[int, int]


def _current(
    request: HttpRequest, slug: str | None, versions: tuple[int, int] | None = None
) -> Current | None:
    """Two reads: the enrolments with their fingerprints (one query) and the pages' versions
    (unless given, read just before); None when the learner is not enrolled in the roadmap (or
    there is none)."""
    user: Any = request.user
    enrolments = progress.enrollments_read(_ENROLMENTS.run(user_id=user.pk), user=user)
    enrolment = next((e for e in enrolments if e.roadmap.slug == slug), None)
    if enrolment is None:
        return None
    fingerprints = [str(getattr(enrolment, name)) for name in FINGERPRINTS]
    versions = versions or pages_versions()
    key = _key(request, enrolment, fingerprints, versions)
    return Current(enrolments, enrolment, key, versions)


def _personal_key(request: HttpRequest, versions: tuple[int, int]) -> str | None:
    """Where the learner's dashboard is kept filled (page_layer.personal_digest): under the
    pages' versions and the variant, with their personal version, which the database's
    triggers move with every write to their enrolments, progress rows, check-ins and
    solutions (what `_key`'s fingerprints follow), their "today" and their user row. A repeat
    then costs the session and the pages' versions alone."""
    theme = request.COOKIES.get(THEME_COOKIE, "")
    return page_layer.personal_digest(
        request,
        "dashboard",
        request.scheme or "",
        request.get_host(),
        theme if theme in THEMES else "",
        request.path,
        str(versions),
    )


def _wanted(request: HttpRequest) -> bool:
    match = request.resolver_match
    user = getattr(request, "user", None)
    return (
        match is not None
        and match.view_name == DASHBOARD
        and request.method in ("GET", "HEAD")
        and "HTTP_HX_REQUEST" not in request.META
        and not request.META.get("QUERY_STRING")
        and user is not None
        and user.is_authenticated
    )


class DashboardLayerMiddleware:
    """Serves the dashboard kept per learner (see the module's doc)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponseBase], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        if not _wanted(request):
            return None
        versions = pages_versions()
        personal = _personal_key(request, versions)
        if personal is not None:
            kept = page_layer._PERSONAL.get(personal)
            if kept is not None:
                body = page_layer.fill_kept(kept, request)
                return HttpResponse(body, content_type="text/html; charset=utf-8")
        now = _current(request, kwargs.get("slug"), versions)
        if now is None:
            return None  # the view: the enrol page, or the 404 page
        stored = _BODIES.get(now.key)
        if stored is None:
            stored = cache.get(now.key)
            if not isinstance(stored, page_layer.Stored):
                stored = self._render(request, view, args, kwargs, now)
                if isinstance(stored, HttpResponseBase):
                    return stored
                after = _current(request, kwargs.get("slug"))
                if after is not None and after.key == now.key:  # else it moved meanwhile
                    cache.set(now.key, stored, BODY_SECONDS)
                    _BODIES.put(now.key, stored)
            else:
                _BODIES.put(now.key, stored)
        if personal is None:
            body = page_layer.fill(stored, request, now.enrolments)
        else:
            body, kept = page_layer.fill_keeping(stored, request, now.enrolments)
            page_layer._PERSONAL.put(personal, kept)
        return HttpResponse(body, content_type="text/html; charset=utf-8")

    def _render(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponseBase],
        args: Any,
        kwargs: Any,
        now: Current,
    ) -> page_layer.Stored | HttpResponseBase:
        """The page with its markers, cut; the view's own response when it is not one to keep."""
        rendered = page_layer.render_marked(
            request, view, args, kwargs, content_version=now.versions[0]
        )
        if isinstance(rendered, HttpResponseBase):
            return rendered
        _shell, pieces = rendered
        return page_layer.Stored(
            pieces=pieces,
            version=sum(now.versions),
            roadmap_id=now.enrolment.roadmap_id,
            slug=now.enrolment.roadmap.slug,
        )
