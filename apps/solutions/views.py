"""Solution pages: a project with its checklist and solutions, submit, a solution with its
evidence, edit, link a requirement, withdraw. Thin: validate, call, redirect.

A service's refusal lands on the form that asked (`call_for_form`), which keeps what was typed,
and the page answers with its status (`form_status`): a stale edit is a 412 with the stored
solution beside the learner's own text."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.selectors import signed_in_user
from apps.solutions import selectors, services
from apps.solutions.forms import RequirementLinkForm, SolutionForm
from apps.solutions.requirements import requirements_of
from roadmap_site.errors import Invalid
from roadmap_site.form_errors import call_for_form, form_status, refusal_of


def _viewer(request: HttpRequest) -> Any:
    return signed_in_user(request) if request.user.is_authenticated else None


@require_GET
def project_detail(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    project_obj = selectors.project_get(roadmap_slug=slug, slug=project)
    viewer = _viewer(request)
    return render(
        request,
        "solutions/project.html",
        {
            "roadmap": project_obj.roadmap,
            "project": project_obj,
            "requirements": requirements_of(project_obj.description_md),
            "own": selectors.own_solution(learner=viewer, project=project_obj),
            "solutions": list(selectors.solutions_list(viewer=None, project=project_obj)[:50]),
        },
    )


def _form_page(request: HttpRequest, template: str, form: BaseForm, **context: Any) -> HttpResponse:
    refusal = refusal_of(form)
    return render(
        request,
        template,
        {**context, "form": form, "refusal": refusal},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    project_obj = selectors.project_get(roadmap_slug=slug, slug=project)
    learner = signed_in_user(request)
    existing = selectors.own_solution(learner=learner, project=project_obj)
    if existing is not None and request.method == "GET":
        return redirect("solutions:edit", existing.pk)
    if request.method == "POST":
        form = SolutionForm(request.POST, project=project_obj)
        if form.is_valid():
            solution = call_for_form(
                form,
                services.solution_submit,
                learner=learner,
                project=project_obj,
                data=form.to_input(),
            )
            if solution is not None:
                messages.success(
                    request,
                    "Your solution is up. Its repository is being read for evidence; "
                    "this page shows what was found.",
                )
                return redirect("solutions:detail", solution.pk)
    else:
        form = SolutionForm(project=project_obj)
    return _form_page(
        request,
        "solutions/form.html",
        form,
        roadmap=project_obj.roadmap,
        project=project_obj,
        editing=None,
    )


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    solution = selectors.solution_get(pk=pk, viewer=viewer)
    return _detail_page(request, solution, viewer)


def _detail_page(
    request: HttpRequest,
    solution: Any,
    viewer: Any,
    *,
    link_form: BaseForm | None = None,
    link_key: str = "",
) -> HttpResponse:
    is_owner = viewer is not None and viewer.pk == solution.learner_id
    return render(
        request,
        "solutions/detail.html",
        {
            "solution": solution,
            "project": solution.project,
            "roadmap": solution.project.roadmap,
            "evidence": selectors.evidence_by_kind(solution),
            "evidence_kinds": solution.evidence.model.Kind.choices,
            "rows": selectors.requirement_rows(solution),
            "is_owner": is_owner,
            "link_form": link_form,
            "link_key": link_key,
        },
        status=form_status(link_form) if link_form is not None else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    learner = signed_in_user(request)
    solution = selectors.solution_for_edit(pk=pk, learner=learner)
    project = solution.project
    if request.method == "POST":
        form = SolutionForm(request.POST, project=project)
        if form.is_valid():
            version = form.cleaned_data["version"]
            if version is None:
                call_for_form(form, _no_version)
            else:
                saved = call_for_form(
                    form,
                    services.solution_edit,
                    solution=solution,
                    learner=learner,
                    data=form.to_input(),
                    if_version=version,
                )
                if saved is not None:
                    messages.success(request, "Your solution is saved; its evidence is read again.")
                    return redirect("solutions:detail", saved.pk)
    else:
        form = SolutionForm(
            project=project,
            initial={
                "repository_url": solution.repository_url,
                "demo_url": solution.demo_url or "",
                "write_up": solution.write_up_md,
                "topics": [topic.slug for topic in solution.topics.all()],
                "version": solution.version,
            },
        )
    return _form_page(
        request,
        "solutions/form.html",
        form,
        roadmap=project.roadmap,
        project=project,
        editing=solution,
    )


def _no_version() -> None:
    raise Invalid("The form lost its version; open the edit page again.")


@login_required
@require_POST
def requirement_link(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    learner = signed_in_user(request)
    solution = selectors.solution_for_edit(pk=pk, learner=learner)
    form = RequirementLinkForm(request.POST)
    if form.is_valid():
        done = call_for_form(
            form,
            _link,
            solution=solution,
            learner=learner,
            key=key,
            data=form.cleaned_data,
        )
        if done:
            messages.success(request, "The requirement's link is saved.")
            return redirect(reverse("solutions:detail", args=[solution.pk]) + "#requirements")
    solution = selectors.solution_for_edit(pk=pk, learner=learner)
    return _detail_page(request, solution, learner, link_form=form, link_key=key)


def _link(*, solution: Any, learner: Any, key: str, data: dict[str, Any]) -> bool:
    services.requirement_link_put(
        solution=solution,
        learner=learner,
        requirement_key=key,
        target=data["target"],
        evidence_kind=data["evidence"],
        note=data["note"],
    )
    return True


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    learner = signed_in_user(request)
    solution = selectors.solution_for_edit(pk=pk, learner=learner)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        raise Invalid("The form lost its version; open the page again.") from None
    services.solution_withdraw(solution=solution, learner=learner, if_version=version)
    messages.success(request, "Your solution is withdrawn. You can submit a new one.")
    return redirect("solutions:project", solution.project.roadmap.slug, solution.project.slug)
