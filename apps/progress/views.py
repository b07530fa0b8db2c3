"""Pages of a learner's own progress. Thin: check access, validate, call a service, redirect.

Every form works without JavaScript (POST, then redirect back); with htmx the same POST answers
the updated fragment in place. A service's refusal lands on the form that asked
(`call_for_form`) and the page answers with its status (`form_status`); a lookup that finds
nothing raises NotFound, which the site answers with its 404 page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from apps.accounts.selectors import signed_in_user
from apps.progress import effort, selectors, services
from apps.progress.calendar import plan_calendar
from apps.progress.forms import (
    CheckInForm,
    DismissChangesForm,
    EnrollmentForm,
    NoteForm,
    StatusForm,
    TimeTakenForm,
    enrollment_initial,
)
from apps.progress.pause import pause_state, plan_pause, plan_resume
from apps.progress.plan import week_number
from apps.roadmap import selectors as content
from roadmap_site.errors import Conflict, Invalid, Stale
from roadmap_site.form_errors import call_for_form, form_status, refusal_of
from roadmap_site.limits import EFFORT_MIN_LEARNERS

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.progress.models import Enrollment
    from apps.roadmap.models import Roadmap


# The dashboard's region that a status change re-renders (templates/progress/_dashboard_now.html).
DASHBOARD_REGION = "plan-now"


class HtmxHttpRequest(HttpRequest):
    """A request through django_htmx's middleware (django-htmx's documented typing)."""

    htmx: HtmxDetails


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The plan as .ics. The unguessable token is the only key: calendar apps send no cookie."""
    enrollment = selectors.enrollment_by_calendar_token(token=token)
    body = plan_calendar(enrollment=enrollment, plan=selectors.plan_for(enrollment=enrollment))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _enrolled(request: HttpRequest, slug: str) -> tuple[User, Roadmap, Enrollment | None]:
    user = signed_in_user(request)
    roadmap = content.roadmap_get(slug=slug)
    return user, roadmap, selectors.enrollment_get(user=user, roadmap=roadmap)


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


def _enrolment_saved(form: EnrollmentForm, *, user: User, roadmap: Roadmap) -> bool:
    enrollment = call_for_form(
        form,
        services.enrollment_put,
        user=user,
        roadmap=roadmap,
        start_date=form.cleaned_data["start_date"],
        hours_per_week=form.cleaned_data["hours_per_week"],
        background=form.cleaned_data["background"],
        goal_project=form.cleaned_data["goal_project"],
    )
    return enrollment is not None


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, slug: str) -> HttpResponse:
    user, roadmap, enrollment = _enrolled(request, slug)
    if request.method == "POST":
        form = EnrollmentForm(request.POST, roadmap=roadmap)
        if form.is_valid() and _enrolment_saved(form, user=user, roadmap=roadmap):
            messages.success(
                request,
                "Your plan is saved. Topics you have not finished are planned from this week."
                if enrollment
                else "You are enrolled. Here is your plan, week by week.",
            )
            return redirect("progress:dashboard", slug=roadmap.slug)
    else:
        initial = enrollment_initial(enrollment, today=services.local_today(user))
        form = EnrollmentForm(initial=initial, roadmap=roadmap)
    return render(
        request,
        "progress/enrol.html",
        {"roadmap": roadmap, "form": form, "enrollment": enrollment},
        status=form_status(form),
    )


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    _, roadmap, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=roadmap.slug)
    layer = getattr(request, "page_layer", None)
    # Kept per content version by the layer (roadmap_site/page_layer.plan_topics), else read.
    topics = layer.plan_topics(roadmap) if layer is not None else None
    data = selectors.dashboard(enrollment=enrollment, topics=topics)
    check_in_form = CheckInForm(
        initial={"hours": data.check_in.hours, "note": data.check_in.note_md}
        if data.check_in
        else None
    )
    context: dict[str, Any] = {
        "roadmap": roadmap,
        "d": data,
        "check_in_form": check_in_form,
        "pause": pause_state(enrollment),
    }
    if layer is not None:
        # Kept per learner (roadmap_site/dashboard_layer.py): each request puts its own token in.
        context["csrf_token"] = layer.mark("csrf", "", context)
    return render(request, "progress/dashboard.html", context)


@login_required
@require_POST
def pause(request: HttpRequest, slug: str) -> HttpResponse:
    """Pause the plan, or resume it (`action=resume`); a refusal says why on its own page."""
    _, _, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=slug)
    try:
        if request.POST.get("action") == "resume":
            plan_resume(enrollment=enrollment)
            messages.success(request, "Your plan runs again: what is left starts this week.")
        else:
            plan_pause(enrollment=enrollment)
            messages.success(request, "Your plan is paused: no emails, and nothing runs late.")
    except Conflict as refusal:
        return render(request, "refused.html", {"refusal": refusal}, status=refusal.status)
    return redirect("progress:dashboard", slug=slug)


@login_required
@require_POST
def topic_status(request: HtmxHttpRequest, slug: str, topic: str) -> HttpResponse:
    topic_obj = selectors.topic_get(roadmap_slug=slug, slug=topic)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose one of the four statuses.", status=400)
    user = signed_in_user(request)
    row = services.topic_progress_put(
        user=user,
        topic=topic_obj,
        status=form.cleaned_data["status"],
    )
    if request.htmx and request.POST.get("region") == DASHBOARD_REGION:
        enrollment = selectors.enrollment_get(user=user, roadmap=topic_obj.roadmap)
        if enrollment is not None:
            data = selectors.dashboard(enrollment=enrollment)
            context = {"roadmap": topic_obj.roadmap, "d": data, "next": request.POST.get("next")}
            return render(request, "progress/_dashboard_live.html", context)
    if request.htmx:
        # The control, and out of band the "how long did it take?" prompt beside it.
        return render(
            request,
            "progress/_status_answer.html",
            {
                **effort.time_prompt(user=user, topic=topic_obj, row=row),
                "next": request.POST.get("next", ""),
            },
        )
    status = row.get_status_display().lower()
    messages.success(request, f"{topic_obj.title} is now marked {status}.")
    return _back(request, reverse("roadmap:topic", args=[slug, topic]))


@login_required
@require_POST
def topic_time(request: HtmxHttpRequest, slug: str, topic: str) -> HttpResponse:
    """Say, correct or withdraw how long a done topic took."""
    user = signed_in_user(request)
    topic_obj = selectors.topic_get(roadmap_slug=slug, slug=topic)
    form = TimeTakenForm(request.POST)
    saved = (
        call_for_form(
            form,
            services.topic_time_put,
            user=user,
            topic=topic_obj,
            hours_taken=form.cleaned_data["answer"],
        )
        if form.is_valid()
        else None
    )
    if saved is not None and not request.htmx:
        messages.success(request, "Thank you: your time is saved.")
        return _back(request, reverse("roadmap:topic", args=[slug, topic]))
    row = saved or selectors.topic_progress_get(user=user, topic=topic_obj)
    context = {
        **effort.time_prompt(user=user, topic=topic_obj, row=row),
        "time_form": form,
        "saved": saved is not None,
        "next": request.POST.get("next", ""),
    }
    template = "progress/_time_form.html" if request.htmx else "progress/time_form.html"
    return render(request, template, context, status=form_status(form))


@login_required
@require_POST
def topic_note(request: HtmxHttpRequest, slug: str, topic: str) -> HttpResponse:
    user = signed_in_user(request)
    topic_obj = selectors.topic_get(roadmap_slug=slug, slug=topic)
    form = NoteForm(request.POST)
    saved = (
        call_for_form(
            form,
            services.topic_note_put,
            user=user,
            topic=topic_obj,
            note_md=form.cleaned_data["note"],
            if_note_version=form.cleaned_data["version"],
        )
        if form.is_valid()
        else None
    )
    if saved is not None:
        if request.htmx:
            fragment = {"topic": topic_obj, "row": saved, "saved": True}
            return render(request, "progress/_note_form.html", fragment)
        messages.success(request, "Your note is saved.")
        return _back(request, reverse("roadmap:topic", args=[slug, topic]))
    # Invalid, or the note was saved elsewhere meanwhile (Stale, whose extra is the current
    # state): show what is saved and what was typed, in place, and write nothing.
    refusal = refusal_of(form)
    row = selectors.topic_progress_get(user=user, topic=topic_obj)
    current: dict[str, Any] = (
        refusal.extra
        if isinstance(refusal, Stale)
        else {
            **services.topic_progress_state(topic=topic_obj, row=row),
            "note_version": row.note_version if row else 0,
        }
    )
    context = {
        "topic": topic_obj,
        "current": current,
        "note_form": form,
        "conflict": isinstance(refusal, Stale),
    }
    template = "progress/_note_conflict.html" if request.htmx else "progress/note_conflict.html"
    return render(request, template, context, status=form_status(form))


@login_required
@require_POST
def replan(request: HttpRequest, slug: str) -> HttpResponse:
    _, _, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=slug)
    services.plan_replan(enrollment=enrollment)
    messages.success(request, "Your plan is laid out again from this week.")
    return redirect("progress:dashboard", slug=slug)


@login_required
@require_POST
def plan_at_pace(request: HttpRequest, slug: str) -> HttpResponse:
    _, _, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=slug)
    try:
        saved = services.plan_at_my_pace(enrollment=enrollment)
    except Invalid as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"Your plan is laid out again from this week at your pace: "
            f"{saved.hours_per_week} estimated hours a week.",
        )
    return redirect("progress:dashboard", slug=slug)


@login_required
@require_POST
def check_in(request: HttpRequest, slug: str) -> HttpResponse:
    user, roadmap, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=slug)
    form = CheckInForm(request.POST)
    week = week_number(start_date=enrollment.start_date, day=services.local_today(user))
    saved = (
        call_for_form(
            form,
            services.check_in_put,
            user=user,
            enrollment=enrollment,
            week=week,
            hours=form.cleaned_data["hours"],
            note_md=form.cleaned_data["note"],
        )
        if form.is_valid()
        else None
    )
    if saved is not None:
        messages.success(request, f"Your check-in for week {week} is saved.")
        return redirect("progress:dashboard", slug=slug)
    data = selectors.dashboard(enrollment=enrollment)
    return render(
        request,
        "progress/dashboard.html",
        {"roadmap": roadmap, "d": data, "check_in_form": form},
        status=form_status(form),
    )


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest, slug: str) -> HttpResponse:
    _, _, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=slug)
    services.calendar_token_regenerate(enrollment=enrollment)
    messages.success(request, "You have a new calendar link. The old one no longer works.")
    return redirect("progress:dashboard", slug=slug)


@login_required
@require_POST
def tick(request: HtmxHttpRequest, slug: str, resource_id: int) -> HttpResponse:
    user = signed_in_user(request)
    resource = selectors.resource_of_roadmap(pk=resource_id, roadmap_slug=slug)
    ticked = request.POST.get("ticked") == "1"
    if ticked:
        services.resource_tick(user=user, resource=resource)
    else:
        services.resource_untick(user=user, resource=resource)
    if request.htmx:
        return render(
            request,
            "progress/_tick.html",
            {"resource": resource, "ticked": ticked, "next": request.POST.get("next", "")},
        )
    fallback = reverse("roadmap:roadmap", args=[slug])
    if resource.topic:
        fallback = reverse("roadmap:topic", args=[slug, resource.topic.slug])
    return _back(request, fallback)


# -- the roadmap map's side panel (see docs/roadmap-pages.md)

MAP_PANEL_RESOURCES = 3  # the panel shows the best few; the topic page has them all


def _map_panel(request: HttpRequest, topic_slug: str, roadmap_slug: str) -> HttpResponse:
    topic_obj = content.topic_detail(roadmap_slug=roadmap_slug, slug=topic_slug)
    user = request.user if request.user.is_authenticated else None
    row = (
        selectors.topic_progress_get(user=signed_in_user(request), topic=topic_obj)
        if user is not None
        else None
    )
    context = {
        "topic": topic_obj,
        "roadmap": topic_obj.roadmap,
        "resources": topic_obj.ranked_resources[:MAP_PANEL_RESOURCES],
        "signed_in": user is not None,
        "row": row,
        "effort": effort.effort_for_topic(topic=topic_obj),
        "k": EFFORT_MIN_LEARNERS,
        "next": reverse("roadmap:roadmap", args=[roadmap_slug]),
    }
    if user is not None:
        context.update(effort.time_prompt(user=signed_in_user(request), topic=topic_obj, row=row))
        context["changes"] = selectors.changes_since_done(row=row, topic=topic_obj)
    return render(request, "progress/_map_panel.html", context)


@require_GET
def topic_map_panel(request: HtmxHttpRequest, slug: str, topic: str) -> HttpResponse:
    """One topic in the map's side panel (an htmx fragment). Asked for as a page (a link
    followed, or no htmx), it is the topic page: the panel is no page of its own."""
    if not request.htmx:
        return redirect("roadmap:topic", slug=slug, topic=topic)
    return _map_panel(request, topic, slug)


@login_required
@require_POST
def topic_changes_dismiss(request: HtmxHttpRequest, slug: str, topic: str) -> HttpResponse:
    """Dismiss "updated since you finished" up to the revision the notice showed. With htmx the
    notice is swapped for what is left of it (nothing, or a change made meanwhile); without,
    back to the page, where a refusal is said at the top and the notice stays."""
    user = signed_in_user(request)
    topic_obj = selectors.topic_get(roadmap_slug=slug, slug=topic)
    form = DismissChangesForm(request.POST)
    saved = (
        call_for_form(
            form,
            services.topic_changes_dismiss,
            user=user,
            topic=topic_obj,
            revision=form.cleaned_data["revision"],
        )
        if form.is_valid()
        else None
    )
    if not request.htmx:
        if saved is None:
            said = [str(error) for errors in form.errors.values() for error in errors]
            messages.error(request, " ".join(said))
        return _back(request, reverse("roadmap:topic", args=[slug, topic]))
    row = saved or selectors.topic_progress_get(user=user, topic=topic_obj)
    context = {
        "changes": selectors.changes_since_done(row=row, topic=topic_obj),
        "topic": topic_obj,
        "dismiss_form": form if saved is None else None,
        "next": request.POST.get("next", ""),
    }
    return render(request, "progress/_topic_updates.html", context, status=form_status(form))


@login_required
@require_POST
def topic_done_next(request: HtmxHttpRequest, slug: str, topic: str) -> HttpResponse:
    """Mark the topic done and move on to the next one the learner has not finished: its
    panel with htmx, its page otherwise (the roadmap page when there is none)."""
    user = signed_in_user(request)
    topic_obj = selectors.topic_get(roadmap_slug=slug, slug=topic)
    services.topic_progress_put(user=user, topic=topic_obj, status="done")
    following = selectors.next_topic_after(user=user, topic=topic_obj)
    if request.htmx:
        if following is None:
            context = {"roadmap": topic_obj.roadmap, "finished": True}
            return render(request, "progress/_map_panel.html", context)
        return _map_panel(request, following.slug, slug)
    messages.success(request, f"{topic_obj.title}: done.")
    if following is None:
        return redirect("roadmap:roadmap", slug=slug)
    return redirect("roadmap:topic", slug=slug, topic=following.slug)
