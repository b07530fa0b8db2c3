"""Reads of roadmap content, shaped for pages and the API with a fixed number of queries.

Each selector's query count is pinned by tests at the seed's size and at ten times it. A
selector that finds nothing raises `roadmap_site.errors.NotFound`: the API answers it as JSON
404 and the pages with the styled 404 page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar, cast

from django.db import connection
from django.db.models import (
    Count,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django_stubs_ext import WithAnnotations

from apps.roadmap.models import (
    FAQ,
    Outcome,
    Phase,
    PhaseGoal,
    Project,
    Resource,
    ResourceQuerySet,
    Roadmap,
    Section,
    Topic,
    TopicChange,
)
from apps.roadmap.schedule import REFERENCE_HOURS_PER_WEEK, pack_into_weeks
from apps.roadmap.version_feed import feed
from roadmap_site import limits
from roadmap_site.errors import NotFound
from roadmap_site.limits import TOPIC_CHANGES_SHOWN
from roadmap_site.prepared import one_row

M = TypeVar("M", bound=Model)


class RankedResources(TypedDict):
    ranked_resources: list[Resource]  # approved, best first


class PlannedTopics(TypedDict):
    planned_topics: list[Topic]  # active, in order


_APPROVED = Q(resources__status=Resource.Status.APPROVED)
_NO_ROADMAP = "No roadmap has this slug."
_NO_TOPIC = "No topic of this roadmap has this slug."
_NO_SECTION = "No section of this roadmap has this number."


def _one(queryset: QuerySet[M], message: str, **filters: Any) -> M:
    """The one row matching `filters`, or NotFound with `message`."""
    found = queryset.filter(**filters).first()
    if found is None:
        raise NotFound(message)
    return found


def roadmap_list() -> QuerySet[Roadmap]:
    """Roadmaps with the number of their active topics (one query)."""
    return Roadmap.objects.annotate(
        topic_count=Count("topics", filter=Q(topics__retired_at__isnull=True), distinct=True)
    ).order_by("title")


def roadmap_featured() -> Roadmap | None:
    """The roadmap the home page shows, with its phases (two queries)."""
    return (
        Roadmap.objects.prefetch_related(
            Prefetch("phases", queryset=Phase.objects.order_by("number"))
        )
        .order_by("id")
        .first()
    )


def roadmap_get(*, slug: str) -> Roadmap:
    return _one(Roadmap.objects.all(), _NO_ROADMAP, slug=slug)


def roadmap_version_or_none(*, slug: str) -> int | None:
    """The roadmap's content_version alone (what keys its cached tree and its ETag), or None.

    As pushed to this process (no query); or else one indexed lookup, written as plain SQL:
    building it through the ORM costs several times the query itself on this, the API's
    hottest path.
    """
    pushed = feed.roadmap(slug)
    if pushed is not None:
        return pushed
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('content_version')} FROM {quote(Roadmap._meta.db_table)} "  # noqa: S608
        f"WHERE {quote('slug')} = %s"
    )
    row = one_row(sql, [slug])
    return row[0] if row else None


def _active_topics() -> QuerySet[Topic]:
    return Topic.objects.active().order_by("order")


# The fields (the topic's and its phase's) that a list of topics never shows: the roadmap
# page's, the plan's. Decoding each row's `imported` and `key_points` JSON was most of the
# roadmap page's rendering at 100x content (issue 18).
_LISTED_UNREAD = ("imported", "body_md", "key_points", "phase__imported")


def roadmap_tree(*, slug: str) -> Roadmap:
    """A roadmap with everything its API tree shows, in nine queries (the page reads the
    bounded `roadmap_page`).

    Phases (with goals and the goals' topics), sections (with active topics, each annotated
    with its count of approved resources and its phase), outcomes, active projects (with
    topics) and FAQ entries.
    """
    topic_slugs = _active_topics().only("id", "slug", "title", "order")
    queryset = Roadmap.objects.prefetch_related(
        Prefetch(
            "phases",
            queryset=Phase.objects.order_by("number").prefetch_related(
                Prefetch(
                    "goals",
                    queryset=PhaseGoal.objects.order_by("order").prefetch_related(
                        Prefetch("topics", queryset=topic_slugs)
                    ),
                )
            ),
        ),
        Prefetch(
            "sections",
            queryset=Section.objects.active()
            .order_by("number")
            .prefetch_related(
                Prefetch(
                    "topics",
                    queryset=_active_topics()
                    .select_related("phase")
                    .annotate(resource_count=Count("resources", filter=_APPROVED)),
                )
            ),
        ),
        Prefetch("outcomes", queryset=Outcome.objects.order_by("order")),
        Prefetch(
            "projects",
            queryset=Project.objects.active()
            .order_by("order")
            .prefetch_related(Prefetch("topics", queryset=topic_slugs)),
        ),
        Prefetch("faqs", queryset=FAQ.objects.order_by("order")),
    )
    return _one(queryset, _NO_ROADMAP, slug=slug)


def _per_row(queryset: QuerySet[Any], *, by: str, value: Any) -> Coalesce:
    """`value` aggregated over `queryset`'s rows (filtered by an `OuterRef` on `by`), as a
    subquery of one number: 0 when there are none."""
    grouped = queryset.order_by().values(by).annotate(_value=value).values("_value")
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def roadmap_page(*, slug: str) -> Roadmap:
    """A roadmap with what its page shows and no more (issue 18), in a number of queries
    that never grows with its size: the counts its lists are cut against (`section_count`,
    `topic_count`, `phase_count`, `week_count`), the first `ROADMAP_PAGE_PHASES` + 1 phases
    with their goals, the first `ROADMAP_PAGE_SECTIONS` + 1 active sections (`page_phases`,
    `page_sections`), each with its `topic_count` and `hours` and its first
    `ROADMAP_PAGE_TOPICS_PER_SECTION` active topics (`page_topics`), and
    `map_topic_list`: every active topic of its active sections, lane by lane, when there are
    at most `ROADMAP_PAGE_MAP_TOPICS` (else None, without a query: too many to draw, see
    `roadmap_map`)."""
    active_topics = _active_topics().filter(section__retired_at__isnull=True)
    sections = Section.objects.active().filter(roadmap=OuterRef("pk"))
    phases = Phase.objects.filter(roadmap=OuterRef("pk"))
    section_topics = _active_topics().filter(section=OuterRef("pk"))
    queryset = Roadmap.objects.annotate(
        section_count=_per_row(sections, by="roadmap", value=Count("pk")),
        topic_count=_per_row(
            active_topics.filter(roadmap=OuterRef("pk")), by="roadmap", value=Count("pk")
        ),
        phase_count=_per_row(phases, by="roadmap", value=Count("pk")),
        week_count=_per_row(phases, by="roadmap", value=Max("week_end")),
    )
    roadmap = _one(queryset, _NO_ROADMAP, slug=slug)
    # Plain queries with a LIMIT, not sliced prefetches: those number every row in a window
    # first, and the sections' counts would be reckoned for all of them.
    roadmap.page_phases = list(  # type: ignore[attr-defined]
        Phase.objects.filter(roadmap=roadmap)
        .order_by("number")
        .prefetch_related(Prefetch("goals", queryset=PhaseGoal.objects.order_by("order")))[
            : limits.ROADMAP_PAGE_PHASES + 1
        ]
    )
    roadmap.page_sections = list(  # type: ignore[attr-defined]
        Section.objects.active()
        .filter(roadmap=roadmap)
        .order_by("number")
        .annotate(
            topic_count=_per_row(section_topics, by="section", value=Count("pk")),
            hours=_per_row(section_topics, by="section", value=Sum("est_hours")),
        )
        .prefetch_related(
            Prefetch(
                "topics",
                queryset=_active_topics()
                .select_related("phase")
                .defer(*_LISTED_UNREAD)[: limits.ROADMAP_PAGE_TOPICS_PER_SECTION],
                to_attr="page_topics",
            )
        )[: limits.ROADMAP_PAGE_SECTIONS + 1]
    )
    cap = limits.ROADMAP_PAGE_MAP_TOPICS
    # The map's topics are read only when it is drawn: `topic_count` counts the same rows.
    roadmap.map_topic_list = (  # type: ignore[attr-defined]
        list(
            active_topics.filter(roadmap=roadmap)
            .select_related("phase")
            .defer(*_LISTED_UNREAD)
            .order_by("section__number", "order")
        )
        if roadmap.topic_count <= cap  # type: ignore[attr-defined]
        else None
    )
    return roadmap


def page_phases(roadmap: Roadmap) -> list[Phase]:
    """A `roadmap_page`'s first phases, in order, and the next one if any (no query)."""
    phases: list[Phase] = getattr(roadmap, "page_phases", [])
    return phases


def page_sections(roadmap: Roadmap) -> list[Section]:
    """A `roadmap_page`'s first active sections, in order, and the next one if any (no query);
    each has its `page_topics`, `topic_count` and `hours`."""
    sections: list[Section] = getattr(roadmap, "page_sections", [])
    return sections


# The topic fields (and their phase's and section's) that a plan and progress never read: at
# 100x content, decoding each row's JSON was most of the dashboard's time (issue 18).
_PLAN_UNREAD = (*_LISTED_UNREAD, "section__imported", "section__summary_md")


class PlanTopics(list[Topic]):
    """`roadmap_plan_topics`' list, with a `memo` for what its readers derive from the list
    alone (apps.progress.selectors), worked out once for as long as the list is kept
    (roadmap_site/page_layer.plan_topics)."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        super().__init__(topics)
        self.memo: dict[str, Any] = {}


def roadmap_plan_topics(*, roadmap_id: int) -> PlanTopics:
    """Every active topic of a roadmap's active sections, lane by lane, with phase and section
    (one query): what a learner's plan and progress are reckoned over, at any size."""
    return PlanTopics(
        _active_topics()
        .filter(roadmap_id=roadmap_id, section__retired_at__isnull=True)
        .select_related("phase", "section")
        .defer(*_PLAN_UNREAD)
        .order_by("section__number", "order")
    )


def section_get(*, roadmap_slug: str, number: int) -> Section:
    """An active section of a roadmap by its number, with its roadmap (one query); NotFound
    for a number out of the column's range or no such section."""
    if not limits.SECTION_NUMBER.contains(number):
        raise NotFound(_NO_SECTION)
    sections = Section.objects.active().select_related("roadmap").order_by("id")
    return _one(sections, _NO_SECTION, roadmap__slug=roadmap_slug, number=number)


def section_next(*, section: Section) -> Section | None:
    """The active section after `section` in its roadmap, by number (one query)."""
    return (
        Section.objects.active()
        .filter(roadmap_id=section.roadmap_id, number__gt=section.number)
        .order_by("number", "id")
        .first()
    )


def section_topics(*, section: Section) -> QuerySet[Topic]:
    """A section's active topics in order, as the roadmap page lists them (to paginate)."""
    return (
        _active_topics()
        .filter(section=section)
        .select_related("phase")
        .annotate(resource_count=Count("resources", filter=_APPROVED))
    )


def roadmap_general_resources(*, roadmap: Roadmap) -> QuerySet[Resource]:
    """Approved resources that belong to the whole roadmap: books, courses, communities."""
    return (
        Resource.objects.approved()
        .filter(roadmap=roadmap, topic__isnull=True)
        .select_related("submitted_by")  # the credit line
        .order_by("kind", "title")
    )


def topic_get(*, roadmap: Roadmap, slug: str) -> Topic:
    return _one(
        Topic.objects.select_related("section", "phase"), _NO_TOPIC, roadmap=roadmap, slug=slug
    )


def _ranked(queryset: ResourceQuerySet) -> QuerySet[Resource]:
    return queryset.ranked()


def topic_resources(*, topic: Topic) -> QuerySet[Resource]:
    return _ranked(topic.resources.approved())


def topic_detail(*, roadmap_slug: str, slug: str) -> WithAnnotations[Topic, RankedResources]:
    """An active topic with its roadmap, section, phase and ranked resources (two queries)."""
    resources = _ranked(
        Resource.objects.approved().select_related("roadmap", "topic", "submitted_by")
    )
    queryset = (
        Topic.objects.active()
        .select_related("roadmap", "section", "phase")
        .prefetch_related(Prefetch("resources", queryset=resources, to_attr="ranked_resources"))
    )
    return _one(queryset, _NO_TOPIC, roadmap__slug=roadmap_slug, slug=slug)


def phase_detail(*, roadmap_slug: str, slug: str) -> WithAnnotations[Phase, PlannedTopics]:
    """A phase with its roadmap, goals (with their topics) and its own topics (four queries)."""
    topics = _active_topics().only("id", "slug", "title", "order", "est_hours", "phase_id")
    queryset = Phase.objects.select_related("roadmap").prefetch_related(
        Prefetch(
            "goals",
            queryset=PhaseGoal.objects.order_by("order").prefetch_related(
                Prefetch("topics", queryset=topics)
            ),
        ),
        Prefetch("topics", queryset=topics, to_attr="planned_topics"),
    )
    # The plugin reads the prefetched topics as the abstract base's; they are Topics.
    found = _one(
        queryset, "No phase of this roadmap has this slug.", roadmap__slug=roadmap_slug, slug=slug
    )
    return cast("WithAnnotations[Phase, PlannedTopics]", found)


def resource_list(
    *,
    roadmap: str = "",
    topic: str = "",
    kind: str = "",
    health: str = "",
    q: str = "",
    ordering: str = "-score",
    free: bool = False,
) -> QuerySet[Resource]:
    """Approved resources, filtered and ordered; roadmap and topic are named by slug."""
    queryset = Resource.objects.approved().select_related("roadmap", "topic", "submitted_by")
    if roadmap:
        queryset = queryset.filter(roadmap__slug=roadmap)
    if topic:
        queryset = queryset.filter(topic__slug=topic)
    if kind:
        queryset = queryset.filter(kind=kind)
    if health:
        queryset = queryset.filter(health=health)
    if free:  # the rule is Resource.is_free's
        queryset = queryset.exclude(access=Resource.Access.PAYWALLED)
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(description_md__icontains=q))
    tiebreak = "title" if ordering != "title" else "id"
    return queryset.order_by(ordering, tiebreak, "id")


def resource_get(*, pk: int) -> Resource:
    """One approved resource: anything else is not public, so it is not found."""
    queryset = Resource.objects.approved().select_related("roadmap", "topic", "submitted_by")
    return _one(queryset, "No resource has this id.", pk=pk)


def roadmap_projects(*, roadmap: Roadmap) -> QuerySet[Project]:
    """The roadmap's active projects in order, each with the topics it uses (to paginate: a
    page costs its count, its rows and their topics)."""
    topics = _active_topics().only("id", "slug", "title", "order")
    return (
        Project.objects.active()
        .filter(roadmap=roadmap)
        .select_related("roadmap")  # each project's links name it
        .order_by("order", "pk")
        .prefetch_related(Prefetch("topics", queryset=topics))
    )


def roadmap_faqs(*, roadmap: Roadmap) -> QuerySet[FAQ]:
    """The roadmap's FAQ entries in order (to paginate)."""
    return FAQ.objects.filter(roadmap=roadmap).order_by("order", "pk")


def roadmap_outcomes(*, slug: str) -> Roadmap:
    """A roadmap with its outcomes (two queries)."""
    outcomes = Outcome.objects.order_by("order")
    queryset = Roadmap.objects.prefetch_related(Prefetch("outcomes", queryset=outcomes))
    return _one(queryset, _NO_ROADMAP, slug=slug)


def topic_changes_since(*, topic: Topic, revision: int) -> list[TopicChange]:
    """The topic's public changes after `revision`, newest first, at most
    `TOPIC_CHANGES_SHOWN` (one query; none when nothing changed since)."""
    if revision >= topic.revision:
        return []
    return list(
        TopicChange.objects.filter(topic=topic, revision__gt=revision).order_by("-revision")[
            :TOPIC_CHANGES_SHOWN
        ]
    )


# -- the roadmap page's map: weeks across, sections as lanes, a node per topic


@dataclass
class MapNode:
    """One topic on the map. `weeks` is its first and last week (None: in no week);
    `status`, `overdue` and `updated` (done, and changed since) are a learner's (empty and
    False for everyone else)."""

    topic: Topic
    hours: int
    weeks: tuple[int, int] | None = None
    status: str = ""
    status_label: str = ""
    overdue: bool = False
    updated: bool = False

    @property
    def state(self) -> str:
        """What the node's colour and icon say: overdue wins over the status it is late in."""
        return "overdue" if self.overdue else self.status

    @property
    def weeks_label(self) -> str:
        if self.weeks is None:
            return ""
        first, last = self.weeks
        return f"week {first}" if first == last else f"weeks {first}\u2013{last}"


@dataclass(frozen=True)
class MapEntry:
    """A node in one week: its first week (a link) or a week it continues in (no link)."""

    node: MapNode
    hours: int
    first: bool


@dataclass
class MapWeek:
    """A column: a week number, or None for the topics in no week."""

    number: int | None
    label: str
    current: bool = False
    entries: list[MapEntry] = field(default_factory=list)


@dataclass
class MapLane:
    section: Section
    cells: list[list[MapEntry]]  # one per column, in the order of RoadmapMap.weeks


@dataclass
class RoadmapMap:
    """`personal`: the nodes carry a reader's statuses; `planned`: the weeks are their plan's."""

    weeks: list[MapWeek]
    lanes: list[MapLane]
    nodes: list[MapNode]
    personal: bool = False
    planned: bool = False

    @property
    def week_count(self) -> int:
        return sum(week.number is not None for week in self.weeks)


def map_layout(
    *,
    roadmap: Roadmap,
    nodes: Sequence[MapNode],
    hours_by_week: Mapping[str, Sequence[tuple[int, int]]],
    unplaced_label: str,
    current_week: int | None = None,
    planned: bool = False,
) -> RoadmapMap:
    """Lay `nodes` out: a column per week from the first to the last week any topic is in
    (`hours_by_week`: each topic's (week, hours) in week order), a lane per section of
    `roadmap_page`'s prefetched sections (the first ones), and a first column `unplaced_label`
    for the topics in no week. Each node sits once, in its first week; the weeks it continues
    in show it again without a link. No query: the nodes carry their topics."""
    numbers = [week for parts in hours_by_week.values() for week, _ in parts]
    columns: list[int | None] = list(range(min(numbers), max(numbers) + 1)) if numbers else []
    for node in nodes:
        placed = hours_by_week.get(node.topic.slug, ())
        node.weeks = (placed[0][0], placed[-1][0]) if placed else None
    if any(node.weeks is None for node in nodes):
        columns.insert(0, None)
    index = {number: i for i, number in enumerate(columns)}
    weeks = [
        MapWeek(
            number,
            f"Week {number}" if number is not None else unplaced_label,
            current=number is not None and number == current_week,
        )
        for number in columns
    ]
    lanes = {
        section.pk: MapLane(section, [[] for _ in columns]) for section in page_sections(roadmap)
    }
    for node in nodes:
        parts: Sequence[tuple[int | None, int]] = hours_by_week.get(node.topic.slug) or [
            (None, node.hours)
        ]
        for position, (number, hours) in enumerate(parts):
            entry = MapEntry(node, hours, first=position == 0)
            lane = lanes.get(node.topic.section_id)
            if lane is not None:  # a section past the page's first ones: the list by week only
                lane.cells[index[number]].append(entry)
            weeks[index[number]].entries.append(entry)
    for week in weeks:  # the phone's list by week reads in plan order
        week.entries.sort(key=lambda entry: topic_plan_order(entry.node.topic))
    return RoadmapMap(weeks, list(lanes.values()), list(nodes), personal=planned, planned=planned)


def topic_plan_order(topic: Topic) -> tuple[int, int]:
    """Where a topic comes in a plan: phase, then topic order (a topic in no phase first)."""
    return (topic.phase.number if topic.phase else 0, topic.order)


def map_topics(*, roadmap: Roadmap) -> list[Topic] | None:
    """The active topics of a `roadmap_page` that the map lays out, lane by lane (no query);
    None when there are too many to draw (`ROADMAP_PAGE_MAP_TOPICS`)."""
    topics: list[Topic] | None = getattr(roadmap, "map_topic_list", None)
    return topics


def roadmap_map(*, roadmap: Roadmap) -> RoadmapMap | None:
    """The map as anyone sees it, for a `roadmap_page` (no query): each phase's topics packed
    at the reference pace from the phase's first week, by the one week-packing rule. None
    when the roadmap has too many topics to draw (the page then shows a summary)."""
    lanes = map_topics(roadmap=roadmap)
    if lanes is None:
        return None
    topics = sorted(lanes, key=lambda t: t.order)
    by_phase: dict[int, tuple[Phase, list[Topic]]] = {}
    for topic in topics:
        if topic.phase is not None:
            by_phase.setdefault(topic.phase.pk, (topic.phase, []))[1].append(topic)
    hours_by_week: dict[str, list[tuple[int, int]]] = {}
    for phase, members in by_phase.values():
        packed = pack_into_weeks(
            members, [t.est_hours or 1 for t in members], REFERENCE_HOURS_PER_WEEK
        )
        for offset, week in enumerate(packed):
            for part in week.parts:
                hours_by_week.setdefault(part.item.slug, []).append(
                    (phase.week_start + offset, part.hours)
                )
    nodes = [MapNode(topic, topic.est_hours or 0) for topic in lanes]
    return map_layout(
        roadmap=roadmap, nodes=nodes, hours_by_week=hours_by_week, unplaced_label="Any week"
    )
