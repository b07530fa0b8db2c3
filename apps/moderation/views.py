"""Moderation pages and the public log. Thin: check the role, validate, call one service,
redirect. Anonymous visitors are sent to sign in; signed-in non-moderators get 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.roles import moderator_required
from apps.community.models import Report
from apps.moderation import forms, selectors, services
from apps.roadmap.models import Resource
from roadmap_site.form_errors import add_service_errors

MODLOG_PAGE_SIZE = 50
REVISIONS_PAGE_SIZE = 25
TABS = ("submissions", "reports", "broken")


def _apply(form: Form, call: Callable[..., Any], **kwargs: Any) -> tuple[Any, int]:
    """Call a service; put its refusal on the form. Returns (result or None, status)."""
    try:
        return call(**kwargs), 200
    except ValidationError as error:
        add_service_errors(form, error)
        return None, 400
    except services.ModerationConflict as conflict:
        form.add_error(None, conflict.message)
        return None, 409


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    return render(request, f"moderation/{template}", context, status=status)


# ---------------------------------------------------------------------------------------------
# The queue and submissions


@moderator_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "submissions")
    if tab not in TABS:
        tab = "submissions"
    context: dict[str, Any] = {"tab": tab, "counts": selectors.queue_counts()}
    if tab == "submissions":
        context["submissions"] = selectors.queue_submissions()
        context["bulk_form"] = forms.BulkForm(ids=[])
    elif tab == "reports":
        context["report_groups"] = selectors.queue_reports()
    else:
        context["broken_links"] = selectors.queue_broken_links()
    return _page(request, "queue.html", context)


def _submission(pk: int) -> Resource:
    resource = selectors.moderation_pending_submission(pk=pk)
    if resource is None:
        raise Http404("No submission has this id.")
    return resource


@moderator_required
@require_http_methods(["GET", "POST"])
def submission_approve(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _submission(pk)
    form = forms.ApproveForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        done, status = _apply(
            form,
            services.submission_approve,
            actor=request.user,
            resource=resource,
            note=form.cleaned_data["note"],
        )
        if done is not None:
            messages.success(request, f"Approved “{done.title}”.")
            return redirect("moderation:queue")
    elif form.errors:
        status = 400
    return _page(
        request, "decide.html", {"resource": resource, "form": form, "approve": True}, status
    )


@moderator_required
@require_http_methods(["GET", "POST"])
def submission_reject(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _submission(pk)
    form = forms.RejectForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        done, status = _apply(
            form,
            services.submission_reject,
            actor=request.user,
            resource=resource,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, f"Rejected “{done.title}”.")
            return redirect("moderation:queue")
    elif form.errors:
        status = 400
    return _page(
        request, "decide.html", {"resource": resource, "form": form, "approve": False}, status
    )


@moderator_required
@require_POST
def submissions_bulk(request: HttpRequest) -> HttpResponse:
    raw = [value for value in request.POST.getlist("ids") if value.isdigit()]
    form = forms.BulkForm(request.POST, ids=[int(value) for value in raw])
    if form.is_valid():
        done, _ = _apply(
            form,
            services.submissions_bulk_decide,
            actor=request.user,
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
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("moderation:queue")


# ---------------------------------------------------------------------------------------------
# Resources


def _resource(pk: int) -> Resource:
    return get_object_or_404(Resource.objects.select_related("roadmap", "topic"), pk=pk)


@moderator_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    initial = {
        "title": resource.title,
        "kind": resource.kind,
        "topic": resource.topic,
        "description": resource.description_md,
    }
    form = forms.ResourceEditForm(request.POST or None, initial=initial, resource=resource)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done, status = _apply(
            form,
            services.resource_edit,
            actor=request.user,
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
    elif form.errors:
        status = 400
    context = {
        "resource": resource,
        "form": form,
        "retire_form": forms.RetireForm(),
        "pick_form": forms.PickForm(initial={"editors_pick": not resource.editors_pick}),
        "merge_form": forms.MergeForm(),
    }
    return _page(request, "resource_edit.html", context, status)


def _resource_action(
    request: HttpRequest,
    pk: int,
    form_class: type[Form],
    call: Callable[..., Any],
    done_message: str,
    **extra: Callable[[dict[str, Any]], Any],
) -> HttpResponse:
    resource = _resource(pk)
    form = form_class(request.POST)
    if form.is_valid():
        kwargs = {name: make(form.cleaned_data) for name, make in extra.items()}
        done, _ = _apply(
            form,
            call,
            actor=request.user,
            resource=resource,
            reason=form.cleaned_data["reason"],
            **kwargs,
        )
        if done is not None:
            messages.success(request, done_message.format(title=resource.title))
            return redirect("moderation:resource-edit", pk=resource.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("moderation:resource-edit", pk=resource.pk)


@moderator_required
@require_POST
def resource_retire(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_action(
        request, pk, forms.RetireForm, services.resource_retire, "Retired “{title}”."
    )


@moderator_required
@require_POST
def resource_pick(request: HttpRequest, pk: int) -> HttpResponse:
    return _resource_action(
        request,
        pk,
        forms.PickForm,
        services.resource_pick,
        "Changed the editor's pick of “{title}”.",
        editors_pick=lambda data: data["editors_pick"],
    )


@moderator_required
@require_POST
def resource_merge(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(pk)
    form = forms.MergeForm(request.POST)
    if form.is_valid():
        into = Resource.objects.filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            form.add_error("into", "No resource has that id.")
        else:
            done, _ = _apply(
                form,
                services.resource_merge,
                actor=request.user,
                resource=resource,
                into=into,
                reason=form.cleaned_data["reason"],
            )
            if done is not None:
                messages.success(request, f"Merged “{resource.title}” into “{done.title}”.")
                return redirect("moderation:resource-edit", pk=done.pk)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("moderation:resource-edit", pk=resource.pk)


# ---------------------------------------------------------------------------------------------
# Reports


@moderator_required
@require_http_methods(["GET", "POST"])
def report_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.select_related("resource__roadmap", "resource__topic", "user"), pk=pk
    )
    form = forms.ResolveForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        done, status = _apply(
            form,
            services.report_resolve,
            actor=request.user,
            report=report,
            note=form.cleaned_data["note"],
        )
        if done is not None:
            messages.success(request, f"Resolved the report on “{report.resource.title}”.")
            return redirect(reverse("moderation:queue") + "?tab=reports")
    elif form.errors:
        status = 400
    return _page(request, "report_resolve.html", {"report": report, "form": form}, status)


# ---------------------------------------------------------------------------------------------
# Topics


def _topic(slug: str, topic: str):
    found = selectors.topic_for_moderation(roadmap_slug=slug, slug=topic)
    if found is None:
        raise Http404("No such topic.")
    return found


@moderator_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    found = _topic(slug, topic)
    initial = {
        "title": found.title,
        "body": found.body_md,
        "key_points": "\n".join(found.key_points or []),
        "est_hours": found.est_hours,
        "phase": found.phase,
        "order": found.order,
    }
    form = forms.TopicEditForm(request.POST or None, initial=initial, topic=found)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done, status = _apply(
            form,
            services.topic_edit,
            actor=request.user,
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
    elif form.errors:
        status = 400
    return _page(request, "topic_edit.html", {"topic": found, "form": form}, status)


@moderator_required
@require_GET
def topic_revisions(request: HttpRequest, slug: str, topic: str) -> HttpResponse:
    found = _topic(slug, topic)
    page = Paginator(selectors.topic_revision_records(topic=found), REVISIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    revisions = selectors.topic_revisions(topic=found, records=list(page.object_list))
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
    found = _topic(slug, topic)
    form = forms.RevertForm(request.POST)
    if form.is_valid():
        done, _ = _apply(
            form,
            services.topic_revert,
            actor=request.user,
            topic=found,
            revision_id=rev,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, f"Reverted “{done.title}” to revision {rev}.")
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return redirect("moderation:topic-revisions", slug=slug, topic=topic)


# ---------------------------------------------------------------------------------------------
# The public log


@require_GET
def modlog(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.modlog(), MODLOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/modlog.html", {"page": page})


@moderator_required
@require_POST
def resource_apply_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(Resource, pk=pk)
    try:
        resource = services.resource_redirect_apply(actor=request.user, resource=resource)
    except (services.ModerationConflict, ValidationError) as refusal:
        text = (
            refusal.message
            if isinstance(refusal, services.ModerationConflict)
            else refusal.messages[0]
        )
        messages.error(request, text)
        return redirect(reverse("moderation:queue") + "?tab=broken")
    messages.success(request, f"“{resource.title}” now links to {resource.url}.")
    return redirect(reverse("moderation:queue") + "?tab=broken")
