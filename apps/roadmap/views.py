"""The public roadmap pages: server-rendered, complete without JavaScript."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from apps.roadmap import selectors
from apps.roadmap.schedule import REFERENCE_HOURS_PER_WEEK, pack_into_weeks
from apps.roadmap.templatetags.roadmap_tags import THEME_COOKIE, THEMES
from roadmap_site import limits

THEME_COOKIE_AGE = 60 * 60 * 24 * 365


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "roadmap/home.html",
        {"featured": selectors.roadmap_featured(), "roadmaps": selectors.roadmap_list()},
    )


@require_safe
def roadmap_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The roadmap page. Each list is cut at its limit (roadmap_site.limits) with a link to
    where the rest are, so the page's size is bounded whatever the content's size."""
    roadmap: Any = selectors.roadmap_page(slug=slug)  # with its counts (annotations)
    cap = limits.ROADMAP_PAGE_TOPICS_PER_SECTION
    # The first sections and phases and one more (the next's link), with the counts
    all_sections = selectors.page_sections(roadmap)
    shown_sections: list[Any] = all_sections[: limits.ROADMAP_PAGE_SECTIONS]  # annotated
    phases = selectors.page_phases(roadmap)
    shown_phases = phases[: limits.ROADMAP_PAGE_PHASES]
    week_count = roadmap.week_count
    sections = [
        {
            "section": section,
            "topics": section.page_topics,
            "count": section.topic_count,
            "hours": section.hours,
            "more": section.topic_count > cap,
        }
        for section in shown_sections
    ]
    resources_cap = limits.ROADMAP_PAGE_GENERAL_RESOURCES
    general = list(selectors.roadmap_general_resources(roadmap=roadmap)[: resources_cap + 1])
    return render(
        request,
        "roadmap/roadmap.html",
        {
            "roadmap": roadmap,
            "sections": sections,
            "section_count": roadmap.section_count,
            "next_section": all_sections[len(shown_sections)]
            if len(all_sections) > len(shown_sections)
            else None,
            "phases": shown_phases,
            "phase_count": roadmap.phase_count,
            "next_phase": phases[len(shown_phases)] if len(phases) > len(shown_phases) else None,
            "week_count": week_count,
            "general_resources": general[:resources_cap],
            "more_general_resources": len(general) > resources_cap,
            # the timeline draws every phase and week: only while they are few
            "weeks": range(1, week_count + 1) if roadmap.phase_count == len(shown_phases) else None,
        },
    )


@require_safe
def section_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A section's topics, all of them, a page at a time (what the roadmap page links to)."""
    section = selectors.section_get(roadmap_slug=slug, number=number)
    page = Paginator(selectors.section_topics(section=section), limits.PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "roadmap/section.html",
        {
            "roadmap": section.roadmap,
            "section": section,
            "page": page,
            "next_section": selectors.section_next(section=section),
        },
    )


@require_safe
def topic_detail(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    topic_obj = selectors.topic_detail(roadmap_slug=slug, slug=topic)
    newest_first = request.GET.get("sort") == "new"
    free_only = request.GET.get("free") == "1"
    resources = topic_obj.ranked_resources
    if free_only:
        resources = [r for r in resources if r.is_free]
    if newest_first:
        resources = sorted(resources, key=lambda r: (r.created_at, r.pk), reverse=True)
    return render(
        request,
        "roadmap/topic.html",
        {
            "roadmap": topic_obj.roadmap,
            "topic": topic_obj,
            "resources": resources,
            "newest_first": newest_first,
            "free_only": free_only,
        },
    )


@require_safe
def phase_detail(request: HttpRequest, slug: str, phase: str) -> HttpResponse:
    phase_obj = selectors.phase_detail(roadmap_slug=slug, slug=phase)
    topics = phase_obj.planned_topics
    weeks = []
    hours = [t.est_hours for t in topics if t.est_hours]
    if topics and len(hours) == len(topics):
        packed = pack_into_weeks(topics, hours, REFERENCE_HOURS_PER_WEEK)
        weeks = [(phase_obj.week_start + index, week) for index, week in enumerate(packed)]
    return render(
        request,
        "roadmap/phase.html",
        {
            "roadmap": phase_obj.roadmap,
            "phase": phase_obj,
            "topics": topics,
            "weeks": weeks,
            "hours_per_week": REFERENCE_HOURS_PER_WEEK,
        },
    )


@require_safe
def projects(request: HttpRequest, slug: str) -> HttpResponse:
    """The roadmap's projects, a page at a time (`?page=`; a bad number shows the nearest page)."""
    roadmap = selectors.roadmap_get(slug=slug)
    page = Paginator(selectors.roadmap_projects(roadmap=roadmap), limits.PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    return render(request, "roadmap/projects.html", {"roadmap": roadmap, "page": page})


@require_safe
def faq(request: HttpRequest, slug: str) -> HttpResponse:
    """The roadmap's FAQ, a page at a time (`?page=`; a bad number shows the nearest page)."""
    roadmap = selectors.roadmap_get(slug=slug)
    page = Paginator(selectors.roadmap_faqs(roadmap=roadmap), limits.PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    return render(request, "roadmap/faq.html", {"roadmap": roadmap, "page": page})


@require_safe
def outcomes(request: HttpRequest, slug: str) -> HttpResponse:
    return render(
        request, "roadmap/outcomes.html", {"roadmap": selectors.roadmap_outcomes(slug=slug)}
    )


def _from_this_site(request: HttpRequest) -> bool:
    """Whether the browser says the form was sent from one of this site's pages: its Origin, or
    without one its Referer, is this host (or a trusted origin)."""
    if getattr(request, "_dont_enforce_csrf_checks", False):
        return True  # the test client's flag, which Django's CSRF middleware honours too
    here = f"{request.scheme}://{request.get_host()}"
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        origin = f"{referer.scheme}://{referer.netloc}" if referer.netloc else ""
    return origin == here or origin in settings.CSRF_TRUSTED_ORIGINS


# No CSRF token: the toggle is on every cached public page, whose bytes are shared and hold
# none (roadmap_site/page_cache.py). The browser's Origin (or Referer) must be this site's.
@csrf_exempt
@require_POST
def theme_set(request: HttpRequest) -> HttpResponse:
    """Remember the colour theme chosen with the toggle; "system" follows the device."""
    if not _from_this_site(request):
        raise PermissionDenied("The theme can only be set from this site's pages.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    theme = request.POST.get("theme", "")
    if theme in THEMES:
        response.set_cookie(
            THEME_COOKIE,
            theme,
            max_age=THEME_COOKIE_AGE,
            samesite="Lax",
            secure=not settings.DEBUG,
            httponly=True,
        )
    else:
        response.delete_cookie(THEME_COOKIE, samesite="Lax")
    return response
