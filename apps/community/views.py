"""Community pages: submit, my submissions, vote and report. Thin: validate, call, redirect.

A service's refusal lands on the form that asked (`call_for_form`) and the page answers with
its status (`form_status`); a refusal with no form (a vote on one's own resource) is answered
by roadmap_site.error_views.ApplicationErrorMiddleware."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.selectors import signed_in_user
from apps.community import selectors, services
from apps.community.forms import ReportForm, SubmissionForm
from apps.roadmap.selectors import roadmap_get
from roadmap_site import limits
from roadmap_site.errors import Invalid
from roadmap_site.form_errors import call_for_form, form_status, refusal_of

if TYPE_CHECKING:
    from apps.roadmap.models import Resource


def _render_form(
    request: HttpRequest, template: str, form: BaseForm, context: dict[str, Any]
) -> HttpResponse:
    """The form's page with the form's status; a refusal's Retry-After goes with it."""
    response = render(request, template, {**context, "form": form}, status=form_status(form))
    refusal = refusal_of(form)
    retry_after = getattr(refusal, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _duplicate_of(form: BaseForm) -> Resource | None:
    """The approved resource a refused submission duplicates, to link it from the page (the
    refusal names no other resource)."""
    refusal = refusal_of(form)
    existing = refusal.extra.get("existing") if refusal is not None else None
    if not existing or "id" not in existing:
        return None
    return selectors.resource_with_place(pk=existing["id"])


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    roadmap = roadmap_get(slug=slug)
    if request.method == "POST":
        form = SubmissionForm(request.POST, roadmap=roadmap)
        resource = None
        if form.is_valid():
            resource = call_for_form(
                form,
                services.resource_submit,
                user=signed_in_user(request),
                roadmap=roadmap,
                topic=form.cleaned_data["topic"],
                url=form.cleaned_data["url"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        if resource is not None:
            messages.success(
                request,
                f"Thank you: “{resource.title}” is waiting for a moderator. "
                "You can follow it here.",
            )
            twins = selectors.probable_duplicates([resource], approved_only=True)[resource.pk]
            for twin in twins:
                messages.warning(
                    request,
                    f"It looks like “{twin.title}”, already on the roadmap at {twin.url} "
                    "(the same page at http/https or with/without www.). A moderator will "
                    "compare the two.",
                )
            return redirect("community:my-submissions")
    else:
        initial = {}
        if topic_slug := request.GET.get("topic"):
            initial["topic"] = roadmap.topics.active().filter(slug=topic_slug).first()
        form = SubmissionForm(initial=initial, roadmap=roadmap)
    context = {"roadmap": roadmap, "duplicate": _duplicate_of(form)}
    return _render_form(request, "community/submit.html", form, context)


@login_required
@require_GET
def my_submissions(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        selectors.submissions_for_page(user=signed_in_user(request)), limits.PAGE_ROWS
    ).get_page(request.GET.get("page"))
    return render(request, "community/my_submissions.html", {"page": page})


@require_GET
def contributor(request: HttpRequest, username: str) -> HttpResponse:
    """A contributor's public page; NotFound (404) for an unknown name or one who opted out."""
    user = selectors.contributor_get(username=username)
    page = Paginator(selectors.contributor_resources(user=user), limits.PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    totals = selectors.contributor_totals(user=user)
    totals["net"] = totals["upvotes"] - totals["downvotes"]
    return render(
        request,
        "community/contributor.html",
        {"contributor": user, "page": page, "totals": totals},
    )


def _back(request: HttpRequest, resource: Resource) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("roadmap:roadmap", args=[resource.roadmap.slug])
        if resource.topic:
            target = reverse("roadmap:topic", args=[resource.roadmap.slug, resource.topic.slug])
    return HttpResponseRedirect(target)


VOTES = {"1": 1, "-1": -1, "0": None}


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.approved_resource(pk=pk)
    value = request.POST.get("value", "")
    if value not in VOTES:
        raise Invalid("A vote is up, down or withdrawn.", field="value")
    user, mine = signed_in_user(request), VOTES[value]
    if mine is None:
        resource = services.vote_withdraw(user=user, resource=resource)
    else:
        resource = services.vote_cast(user=user, resource=resource, value=mine)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "community/_vote.html",
            {"resource": resource, "my_vote": mine, "next": request.POST.get("next", "")},
        )
    return _back(request, resource)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.approved_resource(pk=pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reported = call_for_form(
            form,
            services.report_create,
            user=signed_in_user(request),
            resource=resource,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        if reported is not None:
            messages.success(request, "Thank you: a moderator will look at your report.")
            return _back(request, resource)
    return _render_form(request, "community/report.html", form, {"resource": resource})
