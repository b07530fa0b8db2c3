"""The search index's writes: one `SearchDocument` per visible thing, kept current by the
services that write content, in their transaction (never by signals).

Each `index_*` reads the thing as it is now and writes its row, or deletes the row when the
thing is not (or no longer) public: a retired topic or project, a resource that is not
approved, a solution that is withdrawn or hidden. `index_roadmap` rewrites a whole roadmap's
rows in bulk (the importer, the enrichment loader, the synthetic generator, `reindex_search`),
in a number of queries that does not grow with the content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.expressions import CombinedExpression
from django.urls import reverse

from apps.roadmap.models import FAQ, Phase, PhaseGoal, Project, Resource, Roadmap, Topic
from apps.search.models import TITLE_LENGTH, SearchDocument
from apps.solutions.models import Solution
from roadmap_site.limits import PAGE_ROWS, SEARCH_SNIPPET_SOURCE

if TYPE_CHECKING:
    from apps.accounts.models import User

Kind = SearchDocument.Kind

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"[*_`#>|~]+")
_HTML_TAG = re.compile(r"<[^>]{0,200}>")


def plain_text(markdown: str) -> str:
    """Markdown as the reader sees its words: links' text kept, their targets, the emphasis
    and heading marks and any HTML tags dropped, spaces single."""
    text = _MD_LINK.sub(r"\1", markdown)
    text = _HTML_TAG.sub(" ", text)
    text = _MD_MARKS.sub(" ", text)
    return " ".join(text.split())


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    # The whole host and its labels: PostgreSQL's parser reads "docs.feast.dev" as one token.
    return f"{host} {host.replace('.', ' ')}" if host else ""


@lru_cache(maxsize=64)
def _pattern(name: str, arity: int) -> str:
    """The route's path with numbered holes, reversed once: a roadmap's thousands of rows
    would otherwise each resolve their route again. Slugs and keys need no quoting."""
    return reverse(name, args=[_HOLE + n for n in range(arity)])


# A number that fits both a slug and an int route, found again in the reversed path.
_HOLE = 9_876_543_210


def _url(name: str, *args: str | int) -> str:
    path = _pattern(name, len(args))
    for n, value in enumerate(args):
        path = path.replace(str(_HOLE + n), str(value))
    return path


def _document(
    *,
    kind: str,
    object_id: int,
    roadmap_id: int,
    title: str,
    url: str,
    summary: str = "",
    body: str = "",
    extra: str = "",
    phase: Phase | None = None,
    topic_id: int | None = None,
    order: int = 0,
) -> SearchDocument:
    return SearchDocument(
        kind=kind,
        object_id=object_id,
        roadmap_id=roadmap_id,
        title=_cut(title, TITLE_LENGTH),
        summary=summary,
        body=_cut(body, SEARCH_SNIPPET_SOURCE),
        extra=extra,
        url=url,
        phase_title=_cut(phase.title, TITLE_LENGTH) if phase is not None else "",
        topic_id=topic_id,
        order=order,
    )


# What each kind's document says, from a row read with what it needs (see the querysets).


def _topic_document(topic: Topic, slug: str) -> SearchDocument | None:
    if topic.retired_at is not None:
        return None
    key_points = " ".join(str(point) for point in topic.key_points or [])
    return _document(
        kind=Kind.TOPIC,
        object_id=topic.pk,
        roadmap_id=topic.roadmap_id,
        title=topic.title,
        url=_url("roadmap:topic", slug, topic.slug),
        summary=" ".join(part for part in (topic.summary, key_points) if part),
        body=plain_text(topic.body_md),
        phase=topic.phase,
        topic_id=topic.pk,
        order=topic.order,
    )


def _resource_document(resource: Resource, slug: str) -> SearchDocument | None:
    topic = resource.topic
    if resource.status != Resource.Status.APPROVED:
        return None
    if topic is not None and topic.retired_at is not None:
        return None
    if topic is not None:
        url = _url("roadmap:topic", slug, topic.slug)
    else:
        url = _url("roadmap:roadmap", slug)
    return _document(
        kind=Kind.RESOURCE,
        object_id=resource.pk,
        roadmap_id=resource.roadmap_id,
        title=resource.title,
        url=f"{url}#resource-{resource.pk}",
        body=plain_text(resource.description_md),
        extra=" ".join(part for part in (_host(resource.url), resource.kind) if part),
        phase=topic.phase if topic is not None else None,
        topic_id=topic.pk if topic is not None else None,
        order=topic.order if topic is not None else 0,
    )


def _project_document(project: Project, slug: str) -> SearchDocument | None:
    if project.retired_at is not None:
        return None
    return _document(
        kind=Kind.PROJECT,
        object_id=project.pk,
        roadmap_id=project.roadmap_id,
        title=project.title,
        url=_url("solutions:project", slug, project.slug),
        body=plain_text(project.description_md),
        order=project.order,
    )


def _solution_document(solution: Solution, slug: str) -> SearchDocument | None:
    project = solution.project
    if not solution.is_visible or project.retired_at is not None:
        return None
    return _document(
        kind=Kind.SOLUTION,
        object_id=solution.pk,
        roadmap_id=project.roadmap_id,
        title=solution.repository_path,
        url=_url("solutions:detail", solution.pk),
        body=plain_text(solution.write_up_md),
        extra=project.title,
        order=project.order,
    )


def _faq_document(faq: FAQ, slug: str, position: int) -> SearchDocument:
    """`position`: the entry's place (from 0) in the FAQ page's order, which says its page."""
    page = position // PAGE_ROWS + 1
    query = f"?page={page}" if page > 1 else ""
    return _document(
        kind=Kind.FAQ,
        object_id=faq.pk,
        roadmap_id=faq.roadmap_id,
        title=faq.question,
        url=f"{_url('roadmap:faq', slug)}{query}#faq-{faq.order}",
        body=plain_text(faq.answer_md),
        order=faq.order,
    )


def _phase_document(phase: Phase, slug: str) -> SearchDocument:
    goals = " ".join(plain_text(goal.text) for goal in phase.goals.all())
    return _document(
        kind=Kind.PHASE,
        object_id=phase.pk,
        roadmap_id=phase.roadmap_id,
        title=phase.title,
        url=_url("roadmap:phase", slug, phase.slug),
        summary=goals,
        phase=phase,
        order=phase.number,
    )


def _topics() -> QuerySet[Topic]:
    return Topic.objects.select_related("phase", "roadmap")


def _resources() -> QuerySet[Resource]:
    return Resource.objects.select_related("topic__phase", "roadmap")


def _solutions() -> QuerySet[Solution]:
    return Solution.objects.select_related("project__roadmap")


def _phases() -> QuerySet[Phase]:
    goals = Prefetch("goals", queryset=PhaseGoal.objects.order_by("order"))
    return Phase.objects.select_related("roadmap").prefetch_related(goals)


# The writes.


def _vector() -> CombinedExpression:
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
        + SearchVector("extra", weight="D", config="english")
    )


def _write(
    *,
    kind: str,
    object_ids: Iterable[int],
    documents: list[SearchDocument],
    scope: Q | None = None,
) -> None:
    """Replace the rows of `kind` for `object_ids` (or every row in `scope`) by `documents`."""
    if scope is not None:
        SearchDocument.objects.filter(scope).delete()
    else:
        SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids)).delete()
    if not documents:
        return
    made = SearchDocument.objects.bulk_create(documents, batch_size=2000)
    if connection.vendor == "postgresql":
        if scope is not None:
            rows = SearchDocument.objects.filter(scope)
        else:
            rows = SearchDocument.objects.filter(pk__in=[row.pk for row in made])
        rows.update(vector=_vector())


def _one(kind: str, object_id: int, document: SearchDocument | None) -> None:
    _write(kind=kind, object_ids=[object_id], documents=[document] if document else [])


def _each(
    kind: str, things: Iterable[Any], document: Callable[[Any], SearchDocument | None]
) -> None:
    """Rewrite the rows of these things of one kind (a thing no longer public loses its row)."""
    things = list(things)
    _write(
        kind=kind,
        object_ids=[thing.pk for thing in things],
        documents=[d for thing in things if (d := document(thing)) is not None],
    )


def index_topic(topic: Topic) -> None:
    """The topic's row and its resources' rows (they show its phase and follow its retiring)."""
    topic = _topics().get(pk=topic.pk)
    slug = topic.roadmap.slug
    _one(Kind.TOPIC, topic.pk, _topic_document(topic, slug))
    _each(
        Kind.RESOURCE, _resources().filter(topic_id=topic.pk), lambda r: _resource_document(r, slug)
    )


def index_resource(resource: Resource) -> None:
    resource = _resources().get(pk=resource.pk)
    _one(Kind.RESOURCE, resource.pk, _resource_document(resource, resource.roadmap.slug))


def index_project(project: Project) -> None:
    """The project's row and its solutions' rows (they follow its retiring)."""
    project = Project.objects.select_related("roadmap").get(pk=project.pk)
    slug = project.roadmap.slug
    _one(Kind.PROJECT, project.pk, _project_document(project, slug))
    _each(
        Kind.SOLUTION,
        _solutions().filter(project_id=project.pk),
        lambda s: _solution_document(s, slug),
    )


def index_solution(solution: Solution) -> None:
    solution = _solutions().get(pk=solution.pk)
    slug = solution.project.roadmap.slug
    _one(Kind.SOLUTION, solution.pk, _solution_document(solution, slug))


def index_faq(faq: FAQ) -> None:
    faq = FAQ.objects.select_related("roadmap").get(pk=faq.pk)
    before = FAQ.objects.filter(roadmap=faq.roadmap_id).filter(
        Q(order__lt=faq.order) | Q(order=faq.order, pk__lt=faq.pk)
    )
    _one(Kind.FAQ, faq.pk, _faq_document(faq, faq.roadmap.slug, before.count()))


def index_phase(phase: Phase) -> None:
    """The phase's row (its goals are its text) and its topics' and their resources' rows."""
    phase = _phases().get(pk=phase.pk)
    slug = phase.roadmap.slug
    _one(Kind.PHASE, phase.pk, _phase_document(phase, slug))
    _each(Kind.TOPIC, _topics().filter(phase_id=phase.pk), lambda t: _topic_document(t, slug))
    _each(
        Kind.RESOURCE,
        _resources().filter(topic__phase_id=phase.pk),
        lambda r: _resource_document(r, slug),
    )


def index_forget(kind: str, object_id: int) -> None:
    """Drop a row whose thing is being deleted (call before the delete)."""
    _write(kind=kind, object_ids=[object_id], documents=[])


def index_roadmap(roadmap: Roadmap) -> int:
    """Rewrite every row of the roadmap in bulk; the number of rows written."""
    slug = roadmap.slug
    documents: list[SearchDocument] = []
    documents += [d for t in _topics().filter(roadmap=roadmap) if (d := _topic_document(t, slug))]
    documents += [
        d for r in _resources().filter(roadmap=roadmap) if (d := _resource_document(r, slug))
    ]
    documents += [
        d
        for p in Project.objects.filter(roadmap=roadmap)
        if (d := _project_document(p, slug)) is not None
    ]
    documents += [
        d
        for s in _solutions().filter(project__roadmap=roadmap)
        if (d := _solution_document(s, slug)) is not None
    ]
    faqs = FAQ.objects.filter(roadmap=roadmap).order_by("order", "pk")  # the FAQ page's order
    documents += [_faq_document(f, slug, n) for n, f in enumerate(faqs)]
    documents += [_phase_document(p, slug) for p in _phases().filter(roadmap=roadmap)]
    _write(kind="", object_ids=[], documents=documents, scope=Q(roadmap_id=roadmap.pk))
    return len(documents)


def index_solutions_forget(solutions: QuerySet[Solution]) -> None:
    """Drop the rows of solutions that are being hidden or deleted (call before the write)."""
    rows = SearchDocument.objects.filter(kind=Kind.SOLUTION)
    rows.filter(object_id__in=solutions.values("pk")).delete()


def index_of_user_forget(user: User) -> None:
    """The account-deletion hook: the user's solutions are deleted with the account."""
    index_solutions_forget(Solution.objects.filter(learner_id=user.pk))


def index_forget_roadmaps(roadmaps: QuerySet[Roadmap]) -> None:
    """Drop the rows of roadmaps that are being deleted (call before the delete)."""
    SearchDocument.objects.filter(roadmap_id__in=roadmaps.values("pk")).delete()


def reindex_all() -> int:
    """Rewrite the whole index (`manage.py reindex_search`); the number of rows written."""
    SearchDocument.objects.exclude(roadmap_id__in=Roadmap.objects.values("pk")).delete()
    return sum(index_roadmap(roadmap) for roadmap in Roadmap.objects.order_by("pk"))
