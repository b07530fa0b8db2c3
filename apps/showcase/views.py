"""Showcase pages: a project's showcase, a solution's reviews, likes, flags, the review queue.
Thin: validate, call the service (refusals land on the form through `call_for_form`, or on
the error middleware outside a form), redirect."""

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
from apps.showcase import selectors, services
from apps.showcase.forms import FilterForm, FlagForm, ReplyForm, ReviewForm
from roadmap_site import limits
from roadmap_site.errors import Invalid
from roadmap_site.form_errors import call_for_form, form_status, refusal_of

if TYPE_CHECKING:
    from apps.solutions.models import Solution


def _render_form(
    request: HttpRequest, template: str, form: BaseForm, context: dict[str, Any]
) -> HttpResponse:
    response = render(request, template, {**context, "form": form}, status=form_status(form))
    refusal = refusal_of(form)
    retry_after = getattr(refusal, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


def _reviews_url(solution: Solution) -> str:
    return reverse("showcase:reviews", args=[solution.pk])


@require_GET
def showcase(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    found = selectors.project_get(roadmap_slug=slug, slug=project)
    filters = FilterForm(request.GET)
    chosen = filters.chosen()
    page = Paginator(
        selectors.showcase(project=found, viewer=request.user, filters=chosen),
        limits.SHOWCASE_ROWS,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "showcase/showcase.html",
        {"project": found, "roadmap": found.roadmap, "page": page, "filters": filters},
    )


@require_http_methods(["GET", "POST"])
def solution_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """A solution with its evidence, likes and reviews; a peer reviews it here (POST)."""
    solution = selectors.solution_get(pk=pk, viewer=request.user)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={_reviews_url(solution)}")
        if form.is_valid():
            review = call_for_form(
                form,
                services.review_create,
                user=signed_in_user(request),
                solution=solution,
                body=form.cleaned_data["body"],
            )
            if review is not None:
                messages.success(request, "Thank you: your review is on the solution's page.")
                return redirect(f"{_reviews_url(solution)}#review-{review.pk}")
    viewer = request.user
    signed_in = viewer.is_authenticated
    likes, liked = selectors.solution_likes(solution=solution, viewer=viewer)
    context = {
        "solution": solution,
        "evidence": list(solution.evidence.all()),
        "reviews": selectors.reviews_of(solution=solution),
        "likes": likes,
        "liked": liked,
        "is_author": signed_in and solution.learner_id == viewer.pk,
        "may_review": signed_in
        and solution.learner_id != viewer.pk
        and services.review_allowed(user=signed_in_user(request), solution=solution),
        "open_request": selectors.open_request(solution=solution),
        "reply_form": ReplyForm(),
    }
    return _render_form(request, "showcase/reviews.html", form, context)


LIKES = {"1": True, "0": False}


@login_required
@require_POST
def like(request: HttpRequest, pk: int) -> HttpResponse:
    solution = selectors.solution_get(pk=pk)
    value = request.POST.get("value", "")
    if value not in LIKES:
        raise Invalid("A like is given (1) or taken back (0).", field="value")
    user = signed_in_user(request)
    if LIKES[value]:
        tally = services.like_add(user=user, solution=solution)
    else:
        tally = services.like_remove(user=user, solution=solution)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "showcase/_like.html",
            {
                "solution": solution,
                "likes": tally.likes,
                "liked": LIKES[value],
                "next": request.POST.get("next", ""),
            },
        )
    return _back(request, _reviews_url(solution))


@login_required
@require_POST
def review_request(request: HttpRequest, pk: int) -> HttpResponse:
    solution = selectors.solution_get(pk=pk, viewer=request.user)
    services.review_request(user=signed_in_user(request), solution=solution)
    messages.success(request, "Your solution is in the review queue.")
    return redirect(_reviews_url(solution))


@login_required
@require_POST
def review_reply(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        done = call_for_form(
            form,
            services.review_reply,
            user=signed_in_user(request),
            review=review,
            body=form.cleaned_data["body"],
        )
        if done is not None:
            messages.success(request, "Your reply is under the review.")
            return redirect(f"{_reviews_url(review.solution)}#review-{review.pk}")
    return _render_form(request, "showcase/reply.html", form, {"review": review})


def _flag_page(request: HttpRequest, *, solution: Solution, review: Any = None) -> HttpResponse:
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        flagged = call_for_form(
            form,
            services.flag_create,
            user=signed_in_user(request),
            solution=None if review is not None else solution,
            review=review,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        if flagged is not None:
            messages.success(request, "Thank you: a moderator will look at your flag.")
            return redirect(_reviews_url(solution))
    context = {"solution": solution, "review": review}
    return _render_form(request, "showcase/flag.html", form, context)


@login_required
@require_http_methods(["GET", "POST"])
def solution_flag(request: HttpRequest, pk: int) -> HttpResponse:
    return _flag_page(request, solution=selectors.solution_get(pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def review_flag(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(pk=pk)
    return _flag_page(request, solution=review.solution, review=review)


@require_GET
def review_queue(request: HttpRequest, slug: str, project: str) -> HttpResponse:
    found = selectors.project_get(roadmap_slug=slug, slug=project)
    return render(
        request,
        "showcase/review_queue.html",
        {"project": found, "roadmap": found.roadmap, "rows": selectors.review_queue(project=found)},
    )
