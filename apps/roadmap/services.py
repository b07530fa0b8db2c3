"""Writes to roadmap content. Each function is one use case and runs in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from apps.roadmap.enrichment import Enrichment, EnrichmentError
from apps.roadmap.models import (
    FAQ,
    Outcome,
    Phase,
    PhaseGoal,
    Project,
    Resource,
    Roadmap,
    Section,
    Topic,
)
from apps.roadmap.readme_parser import ParsedRoadmap, ParsedTopic, parse_readme
from apps.roadmap.topic_matching import DEFAULT_PHASE_BY_SECTION, matching_topics
from apps.roadmap.url_normalization import normalize_url


def roadmap_touch(*, roadmap: Roadmap) -> None:
    """Bump `content_version`: call in the same transaction as any public content change."""
    now = timezone.now()
    Roadmap.objects.filter(pk=roadmap.pk).update(
        content_version=F("content_version") + 1, updated_at=now
    )
    roadmap.refresh_from_db(fields=["content_version", "updated_at"])


# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class KindCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class ImportReport:
    roadmap: Roadmap | None = None
    counts: dict[str, KindCount] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str) -> KindCount:
        return self.counts.setdefault(kind, KindCount())

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.retired or c.deleted for c in self.counts.values())


Progress = Callable[[str], None]


class _Merger:
    """Three-way merge of the file's values into the database, field by field.

    `imported` holds each field as of the last import (the base). If the file still says the
    base, the site's value stays, whatever it is. If the site still holds the base, the file's
    new value is taken. If both changed to different values, the site's value stays and the
    conflict is reported: the import never overwrites what a moderator wrote.
    """

    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def apply(self, obj: models.Model, values: dict[str, Any], label: str) -> list[str]:
        """Merge `values` into `obj` (not saved); return the names of the fields changed."""
        base: dict[str, Any] = dict(obj.imported or {})
        fresh = obj.pk is None
        changed: list[str] = []
        for name, theirs in values.items():
            ours = self._current(obj, name)
            if fresh or name not in base:
                take = True
            elif theirs == base[name]:
                take = False
            elif ours == base[name] or ours == theirs:
                take = True
            else:
                self.report.conflicts.append(
                    f"{label}: {name} was changed on the site since the last import; "
                    "the file's new value was not applied"
                )
                continue
            base[name] = theirs
            if take and ours != theirs:
                self._set(obj, name, theirs)
                changed.append(name)
        if base != obj.imported:
            obj.imported = base
            changed.append("imported")
        return changed

    @staticmethod
    def _current(obj: models.Model, name: str) -> Any:
        if isinstance(obj, Topic) and name == "section":
            return obj.section.slug if obj.section_id else None
        if isinstance(obj, Topic) and name == "phase":
            return obj.phase.number if obj.phase_id else None
        if isinstance(obj, Resource) and name == "topic":
            return obj.topic.slug if obj.topic_id else None
        if name == "topics":  # of a goal or a project
            return sorted(t.slug for t in obj.topics.all()) if obj.pk else []
        return getattr(obj, name)

    def _set(self, obj: models.Model, name: str, value: Any) -> None:
        if isinstance(obj, Topic) and name == "section":
            obj.section = self.sections[value]
        elif isinstance(obj, Topic) and name == "phase":
            obj.phase = self.phases[value] if value is not None else None
        elif isinstance(obj, Resource) and name == "topic":
            obj.topic = self.topics[value] if value is not None else None
        elif name == "topics":
            obj.pending_topics = value
        else:
            setattr(obj, name, value)

    sections: dict[str, Section]
    phases: dict[int, Phase]
    topics: dict[str, Topic]


def _save(
    obj: models.Model, changed: list[str], counter: KindCount, *, relinked: bool = False
) -> None:
    """Save only what changed, and count it: bookkeeping alone is not a content change."""
    if obj.pk is None:
        obj.save()
        counter.created += 1
        return
    if changed:
        obj.save(update_fields=changed)
    if relinked or [name for name in changed if name != "imported"]:
        counter.updated += 1
    else:
        counter.unchanged += 1


def topic_phase_numbers(parsed: ParsedRoadmap) -> dict[str, int]:
    """Each topic's phase: the first phase whose goals name it, else its section's default."""
    candidates = [(t.slug, t.title, t.body_md, t.key_points) for t in parsed.topics]
    phase_of: dict[str, int] = {}
    for phase in parsed.phases:
        for goal in phase.goals:
            for slug in matching_topics(goal, candidates):
                phase_of.setdefault(slug, phase.number)
    last = parsed.phases[-1].number
    for topic in parsed.topics:
        default = min(DEFAULT_PHASE_BY_SECTION.get(topic.section_number, last), last)
        phase_of.setdefault(topic.slug, default)
    return phase_of


def _topic_values(topic: ParsedTopic, section_slug: str, phase_number: int) -> dict[str, Any]:
    return {
        "title": topic.title,
        "section": section_slug,
        "phase": phase_number,
        "body_md": topic.body_md,
        "summary": topic.summary,
        "key_points": topic.key_points,
        "is_additional": topic.is_additional,
        "order": topic.order,
    }


@transaction.atomic
def roadmap_import(
    *, text: str, slug: str, source_url: str = "", progress: Progress | None = None
) -> ImportReport:
    """Import (or re-import) a roadmap README. All or nothing: a parse error writes nothing.

    Raises RoadmapParseError naming the line for input it cannot read.
    """
    say = progress or (lambda message: None)
    parsed = parse_readme(text)
    report = ImportReport()
    merger = _Merger(report)
    now = timezone.now()

    roadmap = Roadmap.objects.select_for_update().filter(slug=slug).first() or Roadmap(slug=slug)
    roadmap_values = {
        "title": parsed.title,
        "summary_md": parsed.summary_md,
        "pathway_md": parsed.pathway_md,
        "contributing_md": parsed.contributing_md,
        "closing_md": parsed.closing_md,
    }
    if source_url:
        roadmap_values["source_url"] = source_url
    _save(
        roadmap, merger.apply(roadmap, roadmap_values, f"roadmap {slug}"), report.count("roadmap")
    )
    report.roadmap = roadmap

    # Sections.
    sections = {s.slug: s for s in roadmap.sections.all()}
    counter = report.count("sections")
    for parsed_section in parsed.sections:
        section = sections.get(parsed_section.slug) or Section(
            roadmap=roadmap, slug=parsed_section.slug
        )
        values = {
            "number": parsed_section.number,
            "title": parsed_section.title,
            "summary_md": parsed_section.summary_md,
        }
        changed = merger.apply(section, values, f"section {parsed_section.slug}")
        if section.retired_at is not None:
            section.retired_at = None
            changed.append("retired_at")
        _save(section, changed, counter)
        sections[section.slug] = section
    say(f"sections: {len(parsed.sections)}")

    # Phases.
    phases = {p.number: p for p in roadmap.phases.all()}
    counter = report.count("phases")
    wanted_numbers = {p.number for p in parsed.phases}
    for parsed_phase in parsed.phases:
        phase = phases.get(parsed_phase.number) or Phase(
            roadmap=roadmap, number=parsed_phase.number
        )
        values = {
            "slug": parsed_phase.slug,
            "title": parsed_phase.title,
            "week_start": parsed_phase.week_start,
            "week_end": parsed_phase.week_end,
        }
        _save(phase, merger.apply(phase, values, f"phase {parsed_phase.number}"), counter)
        phases[phase.number] = phase
    say(f"phases: {len(parsed.phases)}")
    merger.sections = sections
    merger.phases = phases

    # Topics: update in place by slug, add the new, retire (never delete) the gone.
    phase_of = topic_phase_numbers(parsed)
    topics = {t.slug: t for t in roadmap.topics.select_related("section", "phase")}
    counter = report.count("topics")
    by_section = {s.number: s.slug for s in parsed.sections}
    for parsed_topic in parsed.topics:
        topic = topics.get(parsed_topic.slug) or Topic(roadmap=roadmap, slug=parsed_topic.slug)
        values = _topic_values(
            parsed_topic, by_section[parsed_topic.section_number], phase_of[parsed_topic.slug]
        )
        changed = merger.apply(topic, values, f"topic {parsed_topic.slug}")
        if topic.retired_at is not None:
            topic.retired_at = None
            changed.append("retired_at")
        _save(topic, changed, counter)
        topics[topic.slug] = topic
    merger.topics = topics
    present = {t.slug for t in parsed.topics}
    for topic in topics.values():
        if topic.slug not in present and topic.retired_at is None and topic.imported:
            topic.retired_at = now
            topic.save(update_fields=["retired_at"])
            counter.retired += 1
    additional = sum(t.is_additional for t in parsed.topics)
    say(f"topics: {len(parsed.topics) - additional} + {additional} additional")

    # Goals, with the topics each concerns.
    counter = report.count("goals")
    candidates = [(t.slug, t.title, t.body_md, t.key_points) for t in parsed.topics]
    goals = {
        (g.phase_id, g.order): g
        for g in PhaseGoal.objects.filter(phase__roadmap=roadmap).prefetch_related("topics")
    }
    kept_goals = set()
    for parsed_phase in parsed.phases:
        phase = phases[parsed_phase.number]
        for order, text_ in enumerate(parsed_phase.goals, start=1):
            goal = goals.get((phase.id, order)) or PhaseGoal(phase=phase, order=order)
            values = {"text": text_, "topics": sorted(matching_topics(text_, candidates))}
            changed = merger.apply(goal, values, f"goal {parsed_phase.number}.{order}")
            _save_with_topics(goal, changed, counter, topics)
            kept_goals.add(goal.pk)
    stale_goals = PhaseGoal.objects.filter(phase__roadmap=roadmap).exclude(pk__in=kept_goals)
    counter.deleted += stale_goals.count()
    stale_goals.delete()
    unlinked = [g for p in parsed.phases for g in p.goals if not matching_topics(g, candidates)]
    say(f"goals: {sum(len(p.goals) for p in parsed.phases)}")
    for goal_text in unlinked:
        report.notes.append(f"the goal {goal_text!r} names no topic by its words")

    for phase in list(phases.values()):
        if phase.number not in wanted_numbers:
            phase.delete()
            report.count("phases").deleted += 1

    # Outcomes and FAQ entries: positional, with no user data; extra rows are deleted.
    _positional(
        report.count("outcomes"),
        roadmap.outcomes.all(),
        [{"text": text_} for text_ in parsed.outcomes],
        lambda order: Outcome(roadmap=roadmap, order=order),
        merger,
        "outcome",
    )
    say(f"outcomes: {len(parsed.outcomes)}")

    counter = report.count("projects")
    projects = {p.slug: p for p in roadmap.projects.all()}
    for parsed_project in parsed.projects:
        project = projects.get(parsed_project.slug) or Project(
            roadmap=roadmap, slug=parsed_project.slug
        )
        values = {
            "title": parsed_project.title,
            "description_md": parsed_project.description_md,
            "order": parsed_project.order,
            "topics": sorted(matching_topics(parsed_project.description_md, candidates)),
        }
        changed = merger.apply(project, values, f"project {parsed_project.slug}")
        if project.retired_at is not None:
            project.retired_at = None
            changed.append("retired_at")
        _save_with_topics(project, changed, counter, topics)
        projects[project.slug] = project
    for project in projects.values():
        if project.slug not in {p.slug for p in parsed.projects} and project.retired_at is None:
            project.retired_at = now
            project.save(update_fields=["retired_at"])
            counter.retired += 1
    say(f"projects: {len(parsed.projects)}")

    _positional(
        report.count("faqs"),
        roadmap.faqs.all(),
        [{"question": f.question, "answer_md": f.answer_md} for f in parsed.faqs],
        lambda order: FAQ(roadmap=roadmap, order=order),
        merger,
        "FAQ",
    )
    say(f"faqs: {len(parsed.faqs)}")

    _import_resources(roadmap, parsed, merger, report)
    say(f"resources: {len(parsed.resources)}")

    if report.changed:
        roadmap_touch(roadmap=roadmap)
    return report


def _save_with_topics(
    obj: PhaseGoal | Project, changed: list[str], counter: KindCount, topics: dict[str, Topic]
) -> None:
    """Save a goal or project; its `topics` (a many-to-many) is set after the row exists."""
    relink = "topics" in changed
    if relink:
        changed.remove("topics")
    _save(obj, changed, counter, relinked=relink)
    if relink:
        obj.topics.set([topics[slug] for slug in obj.pending_topics])


def _positional(
    counter: KindCount,
    existing: models.QuerySet,
    rows: list[dict[str, Any]],
    make: Callable[[int], models.Model],
    merger: _Merger,
    label: str,
) -> None:
    by_order = {obj.order: obj for obj in existing}
    for order, values in enumerate(rows, start=1):
        obj = by_order.pop(order, None) or make(order)
        _save(obj, merger.apply(obj, values, f"{label} {order}"), counter)
    for obj in by_order.values():
        obj.delete()
        counter.deleted += 1


def _import_resources(
    roadmap: Roadmap, parsed: ParsedRoadmap, merger: _Merger, report: ImportReport
) -> None:
    counter = report.count("resources")
    existing = list(roadmap.resources.select_related("topic"))
    by_key = {r.source_key: r for r in existing if r.source_key}
    by_url = {r.normalized_url: r for r in existing if r.normalized_url}
    seen: set[int] = set()
    for item in parsed.resources:
        resource = by_key.get(item.source_key) or by_url.get(item.normalized_url or "-")
        if resource is not None and resource.origin != Resource.Origin.README:
            report.notes.append(
                f"{item.url or item.title!r} is already on the site as a {resource.origin} "
                "resource; it was left as it is"
            )
            seen.add(resource.pk)
            counter.unchanged += 1
            continue
        if resource is None:
            resource = Resource(
                roadmap=roadmap,
                origin=Resource.Origin.README,
                source_key=item.source_key,
            )
        values = {
            "title": item.title,
            "url": item.url,
            "kind": item.kind,
            "description_md": item.description_md,
            "topic": item.topic_slug,
            "status": Resource.Status.APPROVED,
        }
        changed = merger.apply(resource, values, f"resource {item.url or item.title}")
        if "url" in changed or resource.pk is None:
            resource.normalized_url = item.normalized_url if resource.url else ""
            if "url" in changed:
                changed.append("normalized_url")
        if changed and resource.pk is not None:
            resource.updated_at = timezone.now()
            changed.append("updated_at")
        _save(resource, changed, counter)
        seen.add(resource.pk)
    for resource in existing:
        if (
            resource.origin == Resource.Origin.README
            and resource.pk not in seen
            and resource.status != Resource.Status.RETIRED
        ):
            base = resource.imported or {}
            if resource.status == base.get("status"):
                resource.status = Resource.Status.RETIRED
                resource.imported = {**base, "status": Resource.Status.RETIRED}
                resource.save(update_fields=["status", "imported"])
                counter.retired += 1


# ---------------------------------------------------------------------------------------------
# Enrichment: what the site adds to the README (hours, phases, official links)

ENRICHMENT_STATE = "enrichment"  # the key, inside `imported`, of the enrichment's own base
_UNKNOWN = object()  # no base known: only an equal value counts as untouched


@dataclass
class EnrichmentReport:
    roadmap: Roadmap | None = None
    counts: dict[str, KindCount] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str) -> KindCount:
        return self.counts.setdefault(kind, KindCount())

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.retired for c in self.counts.values())


class _EnrichmentMerger:
    """The import's three-way merge, with the enrichment's own base.

    The enrichment's last values live in `imported["enrichment"]`, beside (never instead of)
    the README import's base. Before the enrichment first sets a field, its base is the
    field's untouched value: null hours, the phase the import chose, the README's blank URL.
    A value changed on the site since then is a person's decision and is kept.
    """

    def __init__(
        self, report: EnrichmentReport, phases: dict[int, Phase], topics: dict[str, Topic]
    ) -> None:
        self.report = report
        self.phases = phases
        self.topics = topics

    def apply(
        self, obj: models.Model, values: dict[str, Any], pristine: dict[str, Any], label: str
    ) -> list[str]:
        imported = dict(obj.imported or {})
        state = dict(imported.get(ENRICHMENT_STATE, {}))
        fresh = obj.pk is None
        changed: list[str] = []
        for name, theirs in values.items():
            ours = self._current(obj, name)
            base = state[name] if name in state else pristine.get(name, _UNKNOWN)
            if fresh or ours == theirs:
                take = True
            elif theirs == base:
                take = False
            elif ours == base:
                take = True
            else:
                self.report.conflicts.append(
                    f"{label}: {name} was changed on the site; the enrichment's value "
                    f"{theirs!r} was not applied"
                )
                continue
            state[name] = theirs
            if take and ours != theirs:
                self._set(obj, name, theirs)
                changed.append(name)
        if imported.get(ENRICHMENT_STATE) != state:
            obj.imported = {**imported, ENRICHMENT_STATE: state}
            changed.append("imported")
        return changed

    @staticmethod
    def _current(obj: models.Model, name: str) -> Any:
        if name == "phase":
            return obj.phase.number if obj.phase_id else None
        if name == "topic":
            return obj.topic.slug if obj.topic_id else None
        return getattr(obj, name)

    def _set(self, obj: models.Model, name: str, value: Any) -> None:
        if name == "phase":
            obj.phase = self.phases[value] if value is not None else None
        elif name == "topic":
            obj.topic = self.topics[value]
        else:
            setattr(obj, name, value)


@transaction.atomic
def roadmap_enrich(*, enrichment: Enrichment) -> EnrichmentReport:
    """Apply an enrichment (see apps.roadmap.enrichment) to its imported roadmap.

    Loading the same enrichment twice changes nothing. Values changed on the site (hours,
    phase, a retired or edited resource, a URL) are kept and reported as conflicts. A
    resource whose URL the site already holds from the README or the community is left alone.
    Raises EnrichmentError, writing nothing, when the file names what the roadmap lacks.
    """
    report = EnrichmentReport()
    roadmap = Roadmap.objects.select_for_update().filter(slug=enrichment.roadmap).first()
    if roadmap is None:
        raise EnrichmentError(
            f"roadmap {enrichment.roadmap!r} does not exist: import its README first"
        )
    report.roadmap = roadmap
    phases = {p.number: p for p in roadmap.phases.all()}
    topics = {t.slug: t for t in roadmap.topics.select_related("phase")}
    merger = _EnrichmentMerger(report, phases, topics)

    named = {t.slug for t in enrichment.topics} | {r.topic for r in enrichment.resources}
    missing = sorted(named - set(topics))
    if missing:
        raise EnrichmentError(f"the roadmap has no topic {', '.join(map(repr, missing))}")
    bad_phases = sorted({t.phase for t in enrichment.topics if t.phase is not None} - set(phases))
    if bad_phases:
        raise EnrichmentError(f"the roadmap has no phase {', '.join(map(str, bad_phases))}")

    counter = report.count("topics")
    for item in enrichment.topics:
        topic = topics[item.slug]
        values: dict[str, Any] = {"est_hours": item.est_hours}
        pristine: dict[str, Any] = {"est_hours": None}
        if item.phase is not None:
            values["phase"] = item.phase
            pristine["phase"] = (topic.imported or {}).get("phase", _UNKNOWN)
        _save(topic, merger.apply(topic, values, pristine, f"topic {item.slug}"), counter)
    unplanned = sorted(
        slug for slug, t in topics.items() if t.retired_at is None and t.est_hours is None
    )
    if unplanned:
        report.notes.append(f"topics without hours: {', '.join(unplanned)}")

    existing = list(roadmap.resources.select_related("topic"))
    by_key = {r.source_key: r for r in existing if r.source_key}
    by_url = {r.normalized_url: r for r in existing if r.normalized_url}

    counter = report.count("resources")
    seen: set[int] = set()
    for item in enrichment.resources:
        resource = by_key.get(item.source_key) or by_url.get(item.normalized_url)
        if resource is not None and resource.origin != Resource.Origin.ENRICHMENT:
            report.notes.append(
                f"{item.url} is already on the site as a {resource.origin} resource; "
                "it was left as it is"
            )
            counter.unchanged += 1
            continue
        if resource is None:
            resource = Resource(
                roadmap=roadmap, origin=Resource.Origin.ENRICHMENT, source_key=item.source_key
            )
        values = {
            "title": item.title,
            "url": item.url,
            "kind": item.kind,
            "description_md": item.description_md,
            "topic": item.topic,
            "status": Resource.Status.APPROVED,
        }
        changed = merger.apply(resource, values, {}, f"resource {item.url}")
        if "url" in changed:
            resource.normalized_url = normalize_url(resource.url)
            if resource.pk is not None:
                changed.append("normalized_url")
        if resource.pk is not None and [name for name in changed if name != "imported"]:
            resource.updated_at = timezone.now()
            changed.append("updated_at")
        _save(resource, changed, counter)
        by_key[resource.source_key] = resource
        by_url[resource.normalized_url] = resource
        seen.add(resource.pk)
    for resource in existing:
        state = (resource.imported or {}).get(ENRICHMENT_STATE, {})
        if (
            resource.origin == Resource.Origin.ENRICHMENT
            and resource.pk not in seen
            and resource.status != Resource.Status.RETIRED
            and resource.status == state.get("status")
        ):
            resource.status = Resource.Status.RETIRED
            resource.imported = {
                **resource.imported,
                ENRICHMENT_STATE: {**state, "status": Resource.Status.RETIRED},
            }
            resource.updated_at = timezone.now()
            resource.save(update_fields=["status", "imported", "updated_at"])
            counter.retired += 1

    counter = report.count("readme_resources")
    for link in enrichment.readme_resources:
        resource = by_key.get(link.source_key)
        if resource is None or resource.origin != Resource.Origin.README:
            raise EnrichmentError(
                f"README resource {link.source_key!r} is not on the site: check the key "
                "against the imported README"
            )
        holder = by_url.get(link.normalized_url)
        if holder is not None and holder.pk != resource.pk:
            report.conflicts.append(
                f"README resource {link.source_key}: {link.url} is already the URL of "
                f"{holder.title!r}; it was not applied"
            )
            counter.unchanged += 1
            continue
        pristine = {"url": (resource.imported or {}).get("url", _UNKNOWN)}
        changed = merger.apply(
            resource, {"url": link.url}, pristine, f"README resource {link.source_key}"
        )
        if "url" in changed:
            resource.normalized_url = normalize_url(resource.url)
            resource.updated_at = timezone.now()
            changed += ["normalized_url", "updated_at"]
            by_url[resource.normalized_url] = resource
        _save(resource, changed, counter)

    if report.changed:
        roadmap_touch(roadmap=roadmap)
    return report


# ---------------------------------------------------------------------------------------------
# Synthetic content, for query-count tests and benchmarks at sizes beyond the seed's

SEED_SHAPE = {"sections": 7, "topics": 38, "phases": 4, "goals_per_phase": 3, "outcomes": 4,
              "projects": 4, "faqs": 3, "resources_per_topic": 2}  # fmt: skip


@transaction.atomic
def roadmap_seed_synthetic(*, scale: int, slug: str = "synthetic") -> Roadmap:
    """Create (or re-create) a roadmap `scale` times the seed's size, with `.example` links.

    Sections, topics, phases (four weeks each), goals, outcomes, projects, FAQ entries and
    approved resources all grow `scale`-fold, so a page or endpoint that runs a fixed number
    of queries shows it at any size.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    Resource.objects.filter(roadmap__slug=slug).delete()
    Topic.objects.filter(roadmap__slug=slug).delete()
    Roadmap.objects.filter(slug=slug).delete()
    shape = {key: value * scale for key, value in SEED_SHAPE.items() if key not in {
        "goals_per_phase", "resources_per_topic"}}  # fmt: skip
    roadmap = Roadmap.objects.create(
        slug=slug,
        title=f"Synthetic roadmap ×{scale}",
        summary_md=f"A synthetic roadmap, {scale} times the seed's size, for tests and benchmarks.",
    )
    sections = Section.objects.bulk_create(
        Section(roadmap=roadmap, number=n, slug=f"section-{n}", title=f"Section {n}",
                summary_md=f"What section {n} covers, in **Markdown**.")
        for n in range(1, shape["sections"] + 1)
    )  # fmt: skip
    phases = Phase.objects.bulk_create(
        Phase(roadmap=roadmap, number=n, slug=f"phase-{n}", title=f"Phase {n}",
              week_start=4 * n - 3, week_end=4 * n)
        for n in range(1, shape["phases"] + 1)
    )  # fmt: skip
    count = shape["topics"]
    topics = Topic.objects.bulk_create(
        Topic(
            roadmap=roadmap,
            section=sections[i * len(sections) // count],
            phase=phases[i * len(phases) // count],
            slug=f"topic-{i + 1}",
            title=f"Topic {i + 1}",
            summary=f"What topic {i + 1} teaches.",
            body_md=f"What topic {i + 1} teaches. It has *emphasis* and a [link](https://t{i}.example/).",
            key_points=["one thing", "another thing"],
            est_hours=4,
            order=i + 1,
        )
        for i in range(count)
    )  # fmt: skip
    goals = PhaseGoal.objects.bulk_create(
        PhaseGoal(phase=phase, order=k, text=f"Goal {k} of {phase.title}.")
        for phase in phases
        for k in range(1, SEED_SHAPE["goals_per_phase"] + 1)
    )
    goal_links = [
        PhaseGoal.topics.through(phasegoal_id=goal.pk, topic_id=topics[(i * 3 + j) % count].pk)
        for i, goal in enumerate(goals)
        for j in range(2)
    ]
    PhaseGoal.topics.through.objects.bulk_create(goal_links, ignore_conflicts=True)
    Outcome.objects.bulk_create(
        Outcome(roadmap=roadmap, order=n, text=f"Outcome {n}.")
        for n in range(1, shape["outcomes"] + 1)
    )
    projects = Project.objects.bulk_create(
        Project(roadmap=roadmap, slug=f"project-{n}", title=f"Project {n}", order=n,
                description_md=f"Build project {n}.")
        for n in range(1, shape["projects"] + 1)
    )  # fmt: skip
    Project.topics.through.objects.bulk_create(
        [
            Project.topics.through(project_id=project.pk, topic_id=topics[(i * 5 + j) % count].pk)
            for i, project in enumerate(projects)
            for j in range(2)
        ],
        ignore_conflicts=True,
    )
    FAQ.objects.bulk_create(
        FAQ(roadmap=roadmap, order=n, question=f"Question {n}?", answer_md=f"Answer {n}.")
        for n in range(1, shape["faqs"] + 1)
    )
    kinds = [Resource.Kind.DOCS, Resource.Kind.TOOL, Resource.Kind.ARTICLE]
    resources = []
    for i, topic in enumerate(topics):
        for j in range(SEED_SHAPE["resources_per_topic"]):
            url = f"https://{slug}-{i}-{j}.example/docs"
            resources.append(
                Resource(roadmap=roadmap, topic=topic, url=url, normalized_url=normalize_url(url),
                         title=f"Resource {j + 1} of topic {i + 1}", kind=kinds[(i + j) % 3],
                         description_md="A synthetic resource.", status=Resource.Status.APPROVED,
                         origin=Resource.Origin.ENRICHMENT, source_key=f"url:{normalize_url(url)}",
                         upvotes=(i + j) % 7, score=((i * 7 + j) % 10) / 10)
            )  # fmt: skip
    Resource.objects.bulk_create(resources)
    return roadmap
