"""The search page: one box over topics, resources, projects, solutions, FAQ entries and phase
goals (the engine: apps.search.selectors), the hits grouped by kind with the matching words
marked, each topic's phase, and a signed-in learner's status on each hit's topic.

Not in the page cache (roadmap_site/page_cache.py): a solution's publication does not move
the pages' version, so a cached answer could miss it for an hour; and every different query
would be one more copy in the shared cache, pushing out the pages that are read most. A
visitor's answer is the engine's queries and no more; a learner's adds one for the statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from apps.progress.models import TopicProgress
from apps.progress.selectors import statuses_by_topic_id
from apps.search import selectors
from apps.search.forms import KIND_BADGES, SearchForm
from apps.search.highlight import Part, parts, terms_of
from apps.search.query import KIND_LABELS, KINDS, parse
from roadmap_site.errors import NotFound

EXAMPLES = ("transformers", '"feature store"', "docker -video", "evaluation metrics")


@dataclass(frozen=True)
class Row:
    """A hit as the page shows it: its title and snippet cut into marked and plain parts."""

    hit: selectors.Hit
    title: list[Part]
    snippet: list[Part]
    kind_label: str
    status: str  # the learner's TopicProgress status on the hit's topic; "" without one
    status_label: str


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    count: int
    rows: list[Row]


@dataclass(frozen=True)
class Tab:
    kind: str  # "" for everything
    label: str
    count: int
    current: bool
    url: str


@dataclass(frozen=True)
class Suggestion:
    text: str
    url: str


def _url(text: str, kind: str = "", page: int = 1) -> str:
    """The results page's address for a search: only what differs from the defaults, so that
    each search has one address."""
    params: dict[str, str | int] = {"q": text}
    if kind:
        params["kind"] = kind
    if page > 1:
        params["page"] = page
    return f"{reverse('search:results')}?{urlencode(params)}"


def _rows(request: HttpRequest, hits: list[selectors.Hit], terms: tuple[str, ...]) -> list[Row]:
    user = request.user
    statuses: dict[int, str] = {}
    if user.is_authenticated:  # one query for every hit on the page
        ids = [hit.topic_id for hit in hits if hit.topic_id is not None]
        statuses = statuses_by_topic_id(user=user, topic_ids=ids)
    rows = []
    for hit in hits:
        status = statuses.get(hit.topic_id, "") if hit.topic_id is not None else ""
        rows.append(
            Row(
                hit=hit,
                title=parts(hit.title, terms),
                snippet=parts(hit.snippet, terms),
                kind_label=KIND_BADGES[hit.kind],
                status=status,
                status_label=TopicProgress.Status(status).label if status else "",
            )
        )
    return rows


def _groups(rows: list[Row], counts: dict[str, int]) -> list[Group]:
    """The page's hits by kind, in the order of KINDS, each kind in the engine's order."""
    groups = []
    for kind in KINDS:
        mine = [row for row in rows if row.hit.kind == kind]
        if mine:
            groups.append(Group(kind, KIND_LABELS[kind], counts.get(kind, len(mine)), mine))
    return groups


def _tabs(text: str, counts: dict[str, int], kind: str) -> list[Tab]:
    tabs = [Tab("", "Everything", sum(counts.values()), kind == "", _url(text))]
    tabs += [Tab(k, KIND_LABELS[k], counts.get(k, 0), kind == k, _url(text, k)) for k in KINDS]
    return tabs


@require_safe
def results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "examples": EXAMPLES, "kinds": KIND_LABELS}
    if not form.is_valid():
        return render(request, "search/results.html", context, status=400)
    text: str = form.cleaned_data["q"]
    kind: str = form.cleaned_data["kind"]
    context.update(text=text, kind=kind, kind_label=KIND_LABELS[kind].lower() if kind else "")
    if not text:
        return render(request, "search/results.html", context)
    page: int = form.cleaned_data["page"]
    try:
        found = selectors.search(text, kind=kind or None, page=page)
    except NotFound:
        # A page past the last (the results changed, or the address was edited): say so and
        # lead to the first page.
        context.update(past_end=page, first_url=_url(text, kind))
        return render(request, "search/results.html", context, status=404)
    query = parse(text)
    rows = _rows(request, list(found.hits), terms_of(query))
    context.update(
        results=found,
        only_excluded=query.is_empty,
        groups=_groups(rows, found.counts),
        tabs=_tabs(text, found.counts, kind),
        previous_url=_url(text, kind, found.page - 1) if found.page > 1 else "",
        next_url=_url(text, kind, found.page + 1) if found.page < found.pages else "",
        everything_url=_url(text),
        everything=sum(found.counts.values()),
        other_count=sum(found.counts.values()) - found.total if kind else 0,
        suggestions=[Suggestion(s, _url(s, kind)) for s in found.suggestions],
    )
    return render(request, "search/results.html", context)
