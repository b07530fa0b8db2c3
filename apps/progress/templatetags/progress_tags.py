"""Progress controls that other apps' pages compose in, without importing this app's models.

The roadmap page calls `{% roadmap_map roadmap %}` (its map, with the reader's statuses and
weeks); the topic page calls `{% topic_progress_panel topic %}`; the roadmap page calls
`{% progress_statuses roadmap as statuses %}` once and `{{ statuses|status_of:topic.slug }}`
per topic; a resource list calls `{% tick_control resource ticked_ids %}`.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

from apps.accounts.models import User
from apps.progress import effort, pace, selectors
from apps.progress.models import TopicProgress
from apps.progress.plan import week_number
from apps.progress.services import local_today
from apps.roadmap.selectors import RoadmapMap, page_phases
from roadmap_site import limits
from roadmap_site.limits import EFFORT_MIN_LEARNERS

register = template.Library()


@register.inclusion_tag("progress/_status_control.html", takes_context=True)
def status_control(context: template.Context, topic, progress: dict, region: str = "") -> dict:
    """`region`: the id of the page region a status change re-renders with htmx (the
    dashboard's "plan-now"); without it, the control alone is swapped."""
    return {
        "topic": topic,
        "row": progress.get(topic.slug),
        "request": context.get("request"),
        "region": region,
        "next": context.get("next") or "",
    }


@register.inclusion_tag("progress/_topic_panel.html", takes_context=True)
def topic_progress_panel(context: template.Context, topic) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    previous, following = selectors.topic_neighbours(topic=topic)
    panel = {"topic": topic, "request": request, "previous": previous, "following": following}
    if user is None or not user.is_authenticated:
        return {**panel, "signed_in": False}
    row = TopicProgress.objects.filter(user=user, topic=topic).first()
    enrolled = selectors.enrollment_get(user=user, roadmap=topic.roadmap) is not None
    return {
        **panel,
        **effort.time_prompt(user=user, topic=topic, row=row),
        "changes": selectors.changes_since_done(row=row, topic=topic),
        "signed_in": True,
        "enrolled": enrolled,
    }


@register.inclusion_tag("progress/_effort.html")
def topic_effort(topic) -> dict:
    """The topic's effort: learners' figures from k answers, else the editorial estimate."""
    return {
        "topic": topic,
        "effort": effort.effort_for_topic(topic=topic),
        "k": EFFORT_MIN_LEARNERS,
    }


@register.simple_tag(takes_context=True)
def progress_statuses(context: template.Context, roadmap) -> dict[str, str]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "page_layer", None):
        return {}  # the signed-in pages' shared shell: the layer fills each status in
    return {
        slug: row.status
        for slug, row in selectors.progress_by_topic(user=user, roadmap=roadmap).items()
    }


@register.filter
def status_of(statuses: dict[str, str], slug: str) -> str:
    status = statuses.get(slug, "")
    return TopicProgress.Status(status).label if status else ""


@register.filter
def get_status_key(statuses: dict[str, str], slug: str) -> str:
    return statuses.get(slug, "")


@register.inclusion_tag("progress/_roadmap_banner.html", takes_context=True)
def roadmap_progress_banner(context: template.Context, roadmap) -> dict:
    """Overall progress and the way to the dashboard when enrolled; else how to start."""
    request = context.get("request")
    data: dict = {"roadmap": roadmap, "request": request, "enrolled": False}
    data.update(learner_state(context, roadmap))
    return data


@register.simple_tag(takes_context=True)
def learner_state(context: template.Context, roadmap) -> dict:
    """For a signed-in learner enrolled in `roadmap`: enrolled, percent, streak, this week's
    number and the next topic to continue with; {"enrolled": False} otherwise."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if roadmap is None or user is None or not user.is_authenticated:
        return {"enrolled": False}
    enrollment = selectors.enrollment_get(user=user, roadmap=roadmap)
    if enrollment is None:
        return {"enrolled": False}
    return learner_state_context(selectors.learner_state(enrollment=enrollment))


def learner_state_context(state: selectors.LearnerState) -> dict:
    """What the banner and the home card show of an enrolled learner's state."""
    return {
        "enrolled": True,
        "percent": state.summary.percent_complete,
        "streak": state.summary.streak,
        "week": state.week,
        "next_topic": state.next_topic,
    }


@register.simple_tag(takes_context=True)
def ticked_resource_ids(context: template.Context) -> frozenset[int]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "page_layer", None):
        return frozenset()  # the signed-in topic page's shared shell: the layer fills ticks in
    return frozenset(user.resource_ticks.values_list("resource_id", flat=True))


@register.inclusion_tag("progress/_tick.html", takes_context=True)
def tick_control(context: template.Context, resource, ticked_ids: frozenset[int]) -> dict:
    return {
        "resource": resource,
        "ticked": resource.pk in ticked_ids,
        "request": context.get("request"),
    }


@register.filter
def calendar_url(token: str) -> str:
    """The private feed's address on SITE_URL (not the host this request came in by)."""
    return settings.SITE_URL + reverse("progress:calendar", args=[token])


@register.filter
def webcal_url(token: str) -> str:
    """The same feed as a `webcal:` link, which calendar apps open as a subscription."""
    return "webcal:" + calendar_url(token).split(":", 1)[1]


@register.simple_tag(takes_context=True)
def my_plan(context: template.Context) -> dict | None:
    """The header's "My plan": the signed-in learner's latest enrolment, with this week's
    number; None for anyone not enrolled."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    enrollment = selectors.latest_enrollment(user=user)
    if enrollment is None:
        return None
    today = local_today(user)
    return {
        "roadmap_slug": enrollment.roadmap.slug,
        "week": week_number(start_date=enrollment.start_date, day=today),
    }


@register.inclusion_tag("progress/_map.html", takes_context=True)
def roadmap_map(context: template.Context, roadmap) -> dict:
    """The map of a `roadmap_page`: the reader's own weeks and statuses when signed in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    reader = user if isinstance(user, User) and user.is_authenticated else None
    return map_context(selectors.roadmap_map_for(user=reader, roadmap=roadmap), roadmap, request)


def map_context(the_map: RoadmapMap | None, roadmap, request) -> dict:
    """progress/_map.html's context for `the_map` of a `roadmap_page` (no query); None: the
    roadmap has too many topics to draw, and the template shows a summary instead."""
    if the_map is None:
        return {"map": None, "roadmap": roadmap, "request": request}
    return {
        "map": the_map,
        "columns": the_map.weeks[: limits.ROADMAP_PAGE_MAP_WEEKS],
        "more_weeks": max(len(the_map.weeks) - limits.ROADMAP_PAGE_MAP_WEEKS, 0),
        "more_lanes": max(roadmap.section_count - limits.ROADMAP_PAGE_SECTIONS, 0),
        "lanes": _capped_lanes(the_map),
        "weeks": _capped_weeks(the_map, roadmap),
        "roadmap": roadmap,
        "request": request,
    }


def _capped_lanes(the_map) -> list[dict]:
    """The map's lanes with each cell cut at its limit; `more` is how many are left out (the
    section page lists them all)."""
    cap = limits.ROADMAP_PAGE_MAP_NODES_PER_CELL
    columns = limits.ROADMAP_PAGE_MAP_WEEKS
    return [
        {
            "section": lane.section,
            "cells": [
                {"entries": cell[:cap], "more": max(len(cell) - cap, 0)}
                for cell in lane.cells[:columns]
            ],
        }
        for lane in the_map.lanes[: limits.ROADMAP_PAGE_SECTIONS]
    ]


def _capped_weeks(the_map, roadmap) -> list[dict]:
    """The phone's list by week, each week cut at its limit; `more` is how many are left out,
    `phase` the phase whose weeks hold it (its page lists them all), if any."""
    cap = limits.ROADMAP_PAGE_MAP_NODES_PER_WEEK
    phases = page_phases(roadmap)
    weeks = []
    for week in the_map.weeks[: limits.ROADMAP_PAGE_MAP_WEEKS]:
        phase = next(
            (
                p
                for p in phases
                if week.number is not None and p.week_start <= week.number <= p.week_end
            ),
            None,
        )
        weeks.append(
            {
                "week": week,
                "entries": week.entries[:cap],
                "more": max(len(week.entries) - cap, 0),
                "phase": phase,
            }
        )
    return weeks


@register.inclusion_tag("progress/_pace.html")
def learner_pace(enrollment, computed: pace.Pace | None = None, oob: bool = False) -> dict:
    """The dashboard's "Your pace" (apps/progress/pace.py): `computed` by the dashboard's one
    pass, or computed here (three queries); `oob` for an htmx out-of-band swap."""
    return {
        "oob": oob,
        "pace": computed
        if computed is not None
        else pace.pace_for(enrollment=enrollment, today=local_today(enrollment.user)),
        "enrollment": enrollment,
        "roadmap": enrollment.roadmap,
    }
