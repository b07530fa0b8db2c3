"""Community pages: submit, my submissions, vote and report. Thin: validate, call, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.community import selectors, services
from apps.community.forms import ReportForm, SubmissionForm
from apps.roadmap.models import Resource, Roadmap
from roadmap_site.form_errors import add_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap = get_object_or_404(Roadmap, slug=slug)
    duplicate = None
    if request.method == "POST":
        form = SubmissionForm(request.POST, roadmap=roadmap)
        if form.is_valid():
            try:
                resource = services.resource_submit(
                    user=request.user,
                    roadmap=roadmap,
                    topic=form.cleaned_data["topic"],
                    url=form.cleaned_data["url"],
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.DuplicateResource as found:
                duplicate = found.existing
            except services.PendingLimitReached as limit:
                form.add_error(None, limit.message)
            except services.DailyLimitReached as limit:
                form.add_error(None, limit.message)
                response = render(
                    request,
                    "community/submit.html",
                    {"roadmap": roadmap, "form": form},
                    status=429,
                )
                response["Retry-After"] = str(limit.retry_after)
                return response
            else:
                messages.success(
                    request,
                    f"Thank you: “{resource.title}” is waiting for a moderator. "
                    "You can follow it here.",
                )
                return redirect("community:my-submissions")
    else:
        initial = {}
        if topic_slug := request.GET.get("topic"):
            initial["topic"] = roadmap.topics.active().filter(slug=topic_slug).first()
        form = SubmissionForm(initial=initial, roadmap=roadmap)
    status = 409 if duplicate else (400 if form.errors else 200)
    return render(
        request,
        "community/submit.html",
        {"roadmap": roadmap, "form": form, "duplicate": duplicate},
        status=status,
    )


@login_required
@require_GET
def my_submissions(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.submissions_for_page(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "community/my_submissions.html", {"page": page})


def _back(request: HttpRequest, resource: Resource) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("roadmap:roadmap", args=[resource.roadmap.slug])
        if resource.topic:
            target = reverse("roadmap:topic", args=[resource.roadmap.slug, resource.topic.slug])
    return HttpResponseRedirect(target)


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(
        Resource.objects.approved().select_related("roadmap", "topic"), pk=pk
    )
    value = request.POST.get("value", "")
    try:
        if value == "0":
            resource = services.vote_withdraw(user=request.user, resource=resource)
            mine = None
        elif value in {"1", "-1"}:
            resource = services.vote_cast(user=request.user, resource=resource, value=int(value))
            mine = int(value)
        else:
            return HttpResponse("A vote is up, down or withdrawn.", status=400)
    except services.NotAllowed as refusal:
        if request.htmx:
            return HttpResponse(refusal.message, status=403)
        messages.error(request, refusal.message)
        return _back(request, resource)
    if request.htmx:
        return render(
            request,
            "community/_vote.html",
            {"resource": resource, "my_vote": mine, "next": request.POST.get("next", "")},
        )
    return _back(request, resource)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(
        Resource.objects.approved().select_related("roadmap", "topic"), pk=pk
    )
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                user=request.user,
                resource=resource,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except services.OpenReportExists as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, "Thank you: a moderator will look at your report.")
            return _back(request, resource)
    status = 400 if form.errors else 200
    return render(
        request, "community/report.html", {"resource": resource, "form": form}, status=status
    )
