"""Moderation pages and the public log. Thin: check the role, validate, call one service,
redirect. Anonymous visitors are sent to sign in; signed-in non-moderators get 403.

A service's refusal lands on the form that asked (`call_for_form`) and the page answers with
its status (`form_status`); a button without a page of its own (retire, pick, merge, revert,
bulk, apply a redirect) shows the form's messages on the page it returns to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from apps.accounts.roles import moderator_required
from apps.community.selectors import probable_duplicates
from apps.moderation import forms, selectors
from apps.moderation.selectors import acting_moderator
from apps.moderation.services import reports, resources, showcase, submissions, topics
from apps.progress import effort
from roadmap_site.form_errors import call_for_form, form_status
from roadmap_site.limits import EFFORT_FAR_HIGH, EFFORT_FAR_LOW, EFFORT_MIN_LEARNERS

if TYPE_CHECKING:
    from apps.roadmap.models import Resource

MODLOG_PAGE_SIZE = 50
REVISIONS_PAGE_SIZE = 25
TABS = ("submissions", "reports", "broken", "flags")


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, f"moderation/{template}", context, status=status)


def _flash_errors(request: HttpRequest, form: Form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))


# ---------------------------------------------------------------------------------------------
# The queue and submissions


@moderator_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "submissions")
    if tab not in TABS:
        tab = "submissions"
    counts = selectors.queue_counts()
    context: dict[str, Any] = {"tab": tab, "counts": counts}
    if tab == "submissions":
        pending = selectors.queue_submissions()
        twins = probable_duplicates(pending)  # one query for the whole tab
        context["submissions"] = pending
        context["submission_rows"] = [(resource, twins[resource.pk]) for resource in pending]
        context["bulk_form"] = forms.BulkForm(ids=[])
    elif tab == "reports":
        context["report_groups"] = selectors.queue_reports()
    elif tab == "flags":
        context["flags"] = selectors.queue_flags()
    else:
        context["broken_links"] = selectors.queue_broken_links()
    return _page(request, "queue.html", context)


def _decide_page(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    resource = selectors.moderation_pending_submission(pk=pk)
    form: Form = (forms.ApproveForm if approve else forms.RejectForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if approve:
            done = call_for_form(
                form,
                submissions.submission_approve,
                actor=acting_moderator(request),
                resource=resource,
                note=form.cleaned_data["note"],
            )
        else:
            done = call_for_form(
                form,
                submissions.submission_reject,
                actor=acting_moderator(request),
                resource=resource,
                reason=form.cleaned_data["reason"],
            )
        if done is not None:
            messages.success(request, f"{'Approved' if approve else 'Rejected'} “{done.title}”.")
            return redirect("moderation:queue")
    twins = probable_duplicates([resource])[resource.pk]
    context = {"resource": resource, "form": form, "approve": approve, "twins": twins}
    return _page(request, "decide.html", context, form_status(form))


@moderator_required
@require_http_methods(["GET", "POST"])
def submission_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_page(request, pk, approve=True)


@moderator_required
@require_http_methods(["GET", "POST"])
def submission_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide_page(request, pk, approve=False)


@moderator_required
@require_POST
def submissions_bulk(request: HttpRequest) -> HttpResponse:
    raw = [value for value in request.POST.getlist("ids") if value.isdigit()]
    form = forms.BulkForm(request.POST, ids=[int(value) for value in raw])
    if form.is_valid():
        done = call_for_form(
            form,
            submissions.submissions_bulk_decide,
            actor=acting_moderator(request),
            ids=form.cleaned_data["ids"],
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            verb = "Approved" if form.cleaned_data["action"] == "approve" else "Rejected"
            messages.success(
                request, f"{verb} {len(done)} submission{'s' if len(done) != 1 else ''}."
            )
            return redirect("moderation:queue")
    _flash_errors(request, form)
    return redirect("moderation:queue")


# ---------------------------------------------------------------------------------------------
# Resources


def _resource_page(
    request: HttpRequest,
    resource: Resource,
    *,
    form: Form | None = None,
    merge_form: forms.MergeForm | None = None,
) -> HttpResponse:
    """The resource's moderation page. A refused form (the edit or the merge) is shown with
    what was typed and gives the page its status; the merge picker lists the candidates of
    the search in the address (a plain GET form) or of the refused merge."""
    if form is None:
        initial = {
            "title": resource.title,
            "kind": resource.kind,
            "topic": resource.topic,
            "description": resource.description_md,
        }
        form = forms.ResourceEditForm(initial=initial, resource=resource)
    status = form_status(form)
    if merge_form is not None:
        status = max(status, form_status(merge_form))
    context = {
        "resource": resource,
        "form": form,
        "retire_form": forms.RetireForm(),
        "pick_form": forms.PickForm(initial={"editors_pick": not resource.editors_pick}),
        **_merge_picker(request, resource, merge_form),
    }
    return _page(request, "resource_edit.html", context, status)


def _merge_picker(
    request: HttpRequest, resource: Resource, merge_form: forms.MergeForm | None
) -> dict[str, Any]:
    """The merge picker's context: the search, its candidates and the merge form."""
    if merge_form is None:
        search = forms.MergeSearchForm(request.GET or None)
        query = search.query()
        merge_form = forms.MergeForm(initial={"q": query})
        chosen = None
    else:
        raw = merge_form.data.get("q", "")
        search = forms.MergeSearchForm({"q": raw})
        query = search.query()
        chosen = (
            merge_form.cleaned_data.get("into") if hasattr(merge_form, "cleaned_data") else None
        )
    candidates = selectors.merge_candidates(resource=resource, q=query)
    if chosen is not None and chosen not in {c.pk for c in candidates}:
        # The refused choice stays on the form, listed first, even when the search lost it.
        target = selectors.merge_target(pk=chosen)
        candidates = ([target] if target is not None else []) + candidates
    return {
        "merge_search": search,
        "merge_query": query,
        "merge_candidates": candidates,
        "merge_chosen": chosen,
        "merge_form": merge_form,
    }


@moderator_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for_moderation(pk=pk)
    if request.method != "POST":
        return _resource_page(request, resource)
    form = forms.ResourceEditForm(request.POST, resource=resource)
    if form.is_valid():
        data = form.cleaned_data
        done = call_for_form(
            form,
            resources.resource_edit,
            actor=acting_moderator(request),
            resource=resource,
            title=data["title"],
            kind=data["kind"],
            topic=data["topic"],
            description=data["description"],
            reason=data["reason"],
        )
        if done is not None:
            messages.success(request, f"Saved “{done.title}”.")
            return redirect("moderation:resource-edit", pk=done.pk)
    return _resource_page(request, resource, form=form)


@moderator_required
@require_GET
def resource_merge_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The merge picker's list for htmx, as the search is typed; without htmx, the page."""
    resource = selectors.resource_for_moderation(pk=pk)
    if not request.headers.get("HX-Request"):
        query = request.GET.urlencode()
        target = reverse("moderation:resource-edit", args=[resource.pk])
        return redirect(f"{target}{'?' + query if query else ''}#merge")
    return _page(
        request,
        "_merge_candidates.html",
        _merge_picker(request, resource, None) | {"resource": resource},
    )


def _resource_button(
    request: HttpRequest,
    form: Form,
    act: Callable[[Resource, dict[str, Any]], Resource | None],
    done_message: str,
    *,
    pk: int,
) -> HttpResponse:
    """A button on the resource's page: act, say what happened, go back to the page."""
    resource = selectors.resource_for_moderation(pk=pk)
    if form.is_valid():
        done = act(resource, form.cleaned_data)
        if done is not None:
            messages.success(request, done_message.format(title=resource.title, into=done.title))
            return redirect("moderation:resource-edit", pk=done.pk)
    _flash_errors(request, form)
    return redirect("moderation:resource-edit", pk=resource.pk)


@moderator_required
@require_POST
def resource_retire(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.RetireForm(request.POST)

    def act(resource: Resource, data: dict[str, Any]) -> Resource | None:
        return call_for_form(
            form,
            resources.resource_retire,
            actor=acting_moderator(request),
            resource=resource,
            reason=data["reason"],
        )

    return _resource_button(request, form, act, "Retired “{title}”.", pk=pk)


@moderator_required
@require_POST
def resource_pick(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.PickForm(request.POST)

    def act(resource: Resource, data: dict[str, Any]) -> Resource | None:
        return call_for_form(
            form,
            resources.resource_pick,
            actor=acting_moderator(request),
            resource=resource,
            editors_pick=data["editors_pick"],
            reason=data["reason"],
        )

    return _resource_button(request, form, act, "Changed the editor's pick of “{title}”.", pk=pk)


@moderator_required
@require_POST
def resource_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge into the resource picked in the search's list. A missing or refused choice is
    shown on the page's merge form, with the search and its list as they were."""
    resource = selectors.resource_for_moderation(pk=pk)
    form = forms.MergeForm(request.POST)
    if form.is_valid():
        into = call_for_form(
            form,
            resources.resource_merge,
            actor=acting_moderator(request),
            resource=resource,
            into_id=form.cleaned_data["into"],
            reason=form.cleaned_data["reason"],
        )
        if into is not None:
            messages.success(request, f"Merged “{resource.title}” into “{into.title}”.")
            return redirect("moderation:resource-edit", pk=into.pk)
    return _resource_page(request, resource, merge_form=form)


@moderator_required
@require_POST
def resource_apply_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_for_moderation(pk=pk)
    form = forms.ApplyRedirectForm(request.POST)
    done = call_for_form(
        form, resources.resource_redirect_apply, actor=acting_moderator(request), resource=resource
    )
    if done is not None:
        messages.success(request, f"“{done.title}” now links to {done.url}.")
    _flash_errors(request, form)
    return redirect(reverse("moderation:queue") + "?tab=broken")


# ---------------------------------------------------------------------------------------------
# Reports


@moderator_required
@require_http_methods(["GET", "POST"])
def report_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_for_moderation(pk=pk)
    form = forms.ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_for_form(
            form,
            reports.report_resolve,
            actor=acting_moderator(request),
            report=report,
            note=form.cleaned_data["note"],
        )
        if done is not None:
            messages.success(request, f"Resolved the report on “{report.resource.title}”.")
            return redirect(reverse("moderation:queue") + "?tab=reports")
    return _page(
        request, "report_resolve.html", {"report": report, "form": form}, form_status(form)
    )


# ---------------------------------------------------------------------------------------------
# Flags on the showcase's solutions and reviews


@moderator_required
@require_http_methods(["GET", "POST"])
def flag_decide(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.flag_for_moderation(pk=pk)
    form = forms.FlagDecisionForm(request.POST or None, actions=showcase.flag_actions(flag))
    if request.method == "POST" and form.is_valid():
        done = call_for_form(
            form,
            showcase.flag_decide,
            actor=acting_moderator(request),
            flag=flag,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, "Decided; the public log has it.")
            return redirect(reverse("moderation:queue") + "?tab=flags")
    return _page(request, "flag_decide.html", {"flag": flag, "form": form}, form_status(form))


@moderator_required
@require_http_methods(["GET", "POST"])
def solution_restore(request: HttpRequest, pk: int) -> HttpResponse:
    solution = selectors.solution_for_moderation(pk=pk)
    form = forms.RestoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_for_form(
            form,
            showcase.solution_restore,
            actor=acting_moderator(request),
            solution=solution,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, "The solution is back on the showcase.")
            return redirect(reverse("showcase:reviews", args=[solution.pk]))
    context = {"solution": solution, "form": form}
    return _page(request, "solution_restore.html", context, form_status(form))


# ---------------------------------------------------------------------------------------------
# Topics


@moderator_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
    initial = {
        "title": found.title,
        "body": found.body_md,
        "key_points": "\n".join(found.key_points or []),
        "est_hours": found.est_hours,
        "phase": found.phase,
        "order": found.order,
    }
    form = forms.TopicEditForm(request.POST or None, initial=initial, topic=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_for_form(
            form,
            topics.topic_edit,
            actor=acting_moderator(request),
            topic=found,
            title=data["title"],
            body=data["body"],
            key_points=data["key_points"],
            est_hours=data["est_hours"],
            phase=data["phase"],
            order=data["order"],
            reason=data["reason"],
        )
        if done is not None:
            messages.success(request, f"Saved the topic “{done.title}”.")
            return redirect("moderation:topic-revisions", slug=slug, topic=topic)
    return _page(request, "topic_edit.html", {"topic": found, "form": form}, form_status(form))


@moderator_required
@require_GET
def topic_revisions(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
    page = Paginator(selectors.topic_revision_records(topic=found), REVISIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    revisions = selectors.topic_revisions_shown(topic=found, records=list(page.object_list))
    context = {
        "topic": found,
        "page": page,
        "revisions": revisions,
        "latest_id": revisions[0].id if revisions and page.number == 1 else None,
        "revert_form": forms.RevertForm(),
    }
    return _page(request, "topic_revisions.html", context)


@moderator_required
@require_POST
def topic_revert(request: HttpRequest, slug: str, topic: str, rev: int) -> HttpResponse:
    found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
    form = forms.RevertForm(request.POST)
    if form.is_valid():
        done = call_for_form(
            form,
            topics.topic_revert,
            actor=acting_moderator(request),
            topic=found,
            revision_id=rev,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, f"Reverted “{done.title}” to revision {rev}.")
    _flash_errors(request, form)
    return redirect("moderation:topic-revisions", slug=slug, topic=topic)


# ---------------------------------------------------------------------------------------------
# Learners' effort far from the editorial hours


@moderator_required
@require_GET
def effort_far(request: HttpRequest) -> HttpResponse:
    """Topics whose learners' median is far from the editorial hours (one rule:
    `apps.progress.effort.is_far`), each with "adopt the median"."""
    context = {
        "far": effort.far_from_editorial(),
        "low": EFFORT_FAR_LOW,
        "high": EFFORT_FAR_HIGH,
        "k": EFFORT_MIN_LEARNERS,
        "adopt_form": forms.RevertForm(),
    }
    return _page(request, "effort_far.html", context)


@moderator_required
@require_POST
def topic_adopt_effort(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
    form = forms.RevertForm(request.POST)
    if form.is_valid():
        done = call_for_form(
            form,
            topics.topic_adopt_learner_hours,
            actor=acting_moderator(request),
            topic=found,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, f"“{done.title}” is now estimated at {done.est_hours} hours.")
    _flash_errors(request, form)
    return redirect("moderation:effort-far")


# ---------------------------------------------------------------------------------------------
# The public log


@require_safe
def modlog(request: HttpRequest) -> HttpResponse:
    """The public log, filtered by the GET form; a filter that cannot be read answers 400 with
    the form's message and lists nothing."""
    form = forms.ModlogFilterForm(request.GET, moderators=selectors.modlog_moderators())
    if not form.is_valid():
        context: dict[str, Any] = {"form": form, "page": None, "rows": []}
        return render(request, "moderation/modlog.html", context, status=400)
    entries = selectors.modlog(
        action=form.cleaned_data["action"], moderator=form.cleaned_data["moderator"]
    )
    page = Paginator(entries, MODLOG_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    targets = selectors.modlog_targets(shown)
    context = {
        "form": form,
        "page": page,
        "rows": [(entry, targets[entry.pk]) for entry in shown],
        "filtered": bool(form.cleaned_data["action"] or form.cleaned_data["moderator"]),
    }
    return render(request, "moderation/modlog.html", context)
