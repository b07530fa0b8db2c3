"""Pages of a learner's own progress. Thin: check access, validate, call a service, redirect.

Every form works without JavaScript (POST, then redirect back); with htmx the same POST answers
the updated fragment in place.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.progress import selectors, services
from apps.progress.calendar import plan_calendar
from apps.progress.forms import CheckInForm, EnrollmentForm, NoteForm, StatusForm
from apps.progress.models import Enrollment, TopicProgress
from apps.progress.plan import week_number
from apps.roadmap.models import Resource, Roadmap, Topic
from roadmap_site.form_errors import add_service_errors


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The plan as .ics. The unguessable token is the only key: calendar apps send no cookie."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("user", "roadmap"), calendar_token=token
    )
    body = plan_calendar(enrollment=enrollment, plan=selectors.plan_for(enrollment=enrollment))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


def _enrolled(request: HttpRequest, slug: str) -> tuple[Roadmap, Enrollment | None]:
    roadmap = get_object_or_404(Roadmap, slug=slug)
    return roadmap, selectors.enrollment_get(user=request.user, roadmap=roadmap)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap = get_object_or_404(Roadmap, slug=slug)
    enrollment = selectors.enrollment_get(user=request.user, roadmap=roadmap)
    if request.method == "POST":
        form = EnrollmentForm(request.POST, roadmap=roadmap)
        if form.is_valid():
            try:
                services.enrollment_put(
                    user=request.user,
                    roadmap=roadmap,
                    start_date=form.cleaned_data["start_date"],
                    hours_per_week=form.cleaned_data["hours_per_week"],
                    background=form.cleaned_data["background"],
                    goal_project=form.cleaned_data["goal_project"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                verb = "updated" if enrollment else "enrolled"
                messages.success(request, f"You are {verb}: your plan is below.")
                return redirect("progress:dashboard", slug=roadmap.slug)
    else:
        initial = {
            "start_date": services.local_today(request.user),
            "hours_per_week": 10,
            "background": Enrollment.Background.NEW_TO_ML,
        }
        if enrollment:
            initial = {
                "start_date": enrollment.start_date,
                "hours_per_week": enrollment.hours_per_week,
                "background": enrollment.background,
                "goal_project": enrollment.goal_project,
            }
        form = EnrollmentForm(initial=initial, roadmap=roadmap)
    return render(
        request,
        "progress/enrol.html",
        {"roadmap": roadmap, "form": form, "enrollment": enrollment},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap = get_object_or_404(Roadmap, slug=slug)
    enrollment = selectors.enrollment_get(user=request.user, roadmap=roadmap)
    if enrollment is None:
        return redirect("progress:enrol", slug=roadmap.slug)
    data = selectors.dashboard(enrollment=enrollment)
    check_in_form = CheckInForm(
        initial={"hours": data.check_in.hours, "note": data.check_in.note_md}
        if data.check_in
        else None
    )
    return render(
        request,
        "progress/dashboard.html",
        {"roadmap": roadmap, "d": data, "check_in_form": check_in_form},
    )


def _topic(slug: str, topic: str) -> Topic:
    return get_object_or_404(
        Topic.objects.active().select_related("roadmap"), roadmap__slug=slug, slug=topic
    )


@login_required
@require_POST
def topic_status(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    topic_obj = _topic(slug, topic)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose one of the four statuses.", status=400)
    row = services.topic_progress_put(
        user=request.user, topic=topic_obj, status=form.cleaned_data["status"]
    )
    if request.htmx:
        return render(
            request,
            "progress/_status_control.html",
            {"topic": topic_obj, "row": row, "next": request.POST.get("next", "")},
        )
    messages.success(request, f"{topic_obj.title}: {row.get_status_display().lower()}.")
    return _back(request, reverse("roadmap:topic", args=[slug, topic]))


@login_required
@require_POST
def topic_note(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    topic_obj = _topic(slug, topic)
    form = NoteForm(request.POST)
    row = TopicProgress.objects.filter(user=request.user, topic=topic_obj).first()
    context = {"topic": topic_obj, "row": row, "note_form": form, "conflict": False}
    if form.is_valid():
        current = row.status if row else TopicProgress.Status.NOT_STARTED
        try:
            row = services.topic_progress_put(
                user=request.user,
                topic=topic_obj,
                status=current,
                note_md=form.cleaned_data["note"],
                if_match=form.cleaned_data["version"],
            )
        except services.StaleWrite as stale:
            # Saved elsewhere meanwhile: show both, keep the typed text, write nothing.
            context.update(row=stale.current, conflict=True)
            return render(request, "progress/note_conflict.html", context, status=409)
        if request.htmx:
            context.update(row=row, note_form=None, saved=True)
            return render(request, "progress/_note_form.html", context)
        messages.success(request, "Your note is saved.")
        return _back(request, reverse("roadmap:topic", args=[slug, topic]))
    return render(request, "progress/note_conflict.html", context, status=400)


@login_required
@require_POST
def replan(request: HttpRequest, slug: str) -> HttpResponse:
    _, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=slug)
    services.plan_replan(enrollment=enrollment)
    messages.success(request, "Your plan now starts from this week.")
    return redirect("progress:dashboard", slug=slug)


@login_required
@require_POST
def check_in(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=slug)
    form = CheckInForm(request.POST)
    week = week_number(start_date=enrollment.start_date, day=services.local_today(request.user))
    if form.is_valid():
        try:
            services.check_in_put(
                user=request.user,
                enrollment=enrollment,
                week=week,
                hours=form.cleaned_data["hours"],
                note_md=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Week {week} checked in.")
            return redirect("progress:dashboard", slug=slug)
    data = selectors.dashboard(enrollment=enrollment)
    return render(
        request,
        "progress/dashboard.html",
        {"roadmap": roadmap, "d": data, "check_in_form": form},
        status=400,
    )


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest, slug: str) -> HttpResponse:
    _, enrollment = _enrolled(request, slug)
    if enrollment is None:
        return redirect("progress:enrol", slug=slug)
    services.calendar_token_regenerate(enrollment=enrollment)
    messages.success(request, "Your calendar link is new; the old one no longer works.")
    return redirect("progress:dashboard", slug=slug)


@login_required
@require_POST
def tick(request: HttpRequest, slug: str, resource_id: int) -> HttpResponse:
    resource = get_object_or_404(
        Resource.objects.approved().select_related("topic"), pk=resource_id, roadmap__slug=slug
    )
    if request.POST.get("ticked") == "1":
        services.resource_tick(user=request.user, resource=resource)
    else:
        services.resource_untick(user=request.user, resource=resource)
    ticked = request.POST.get("ticked") == "1"
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
