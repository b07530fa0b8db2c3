"""The README import: the file's content into the site, never over a moderator's edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

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
    TopicChange,
)
from apps.roadmap.readme_parser import ParsedRoadmap, ParsedTopic, parse_readme
from apps.roadmap.services.merge import (
    LINKED_TOPICS,
    KindCount,
    MergeReport,
    ThreeWayMerge,
    save_merged,
)
from apps.roadmap.services.revisions import (
    merged_resource_revise,
    resource_revise,
    topic_text_revise,
)
from apps.roadmap.services.touch import roadmap_touch
from apps.roadmap.topic_matching import DEFAULT_PHASE_BY_SECTION, matching_topics
from apps.search.services import index_roadmap

Progress = Callable[[str], None]
Candidates = list[tuple[str, str, str, list[str]]]


def topic_phase_numbers(parsed: ParsedRoadmap) -> dict[str, int]:
    """Each topic's phase: the first phase whose goals name it, else its section's default."""
    candidates = _candidates(parsed)
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


def _candidates(parsed: ParsedRoadmap) -> Candidates:
    return [(t.slug, t.title, t.body_md, t.key_points) for t in parsed.topics]


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


@dataclass
class _Import:
    """One run of the import: the parsed file, the roadmap it writes, and what it did."""

    parsed: ParsedRoadmap
    roadmap: Roadmap
    merge: ThreeWayMerge
    report: MergeReport
    say: Progress
    now: datetime

    def revive(self, obj: Section | Topic | Project, changed: list[str]) -> None:
        """A row the file names again is no longer retired."""
        if obj.retired_at is not None:
            obj.retired_at = None
            changed.append("retired_at")

    def sections(self) -> None:
        sections = {s.slug: s for s in self.roadmap.sections.all()}
        counter = self.report.count("sections")
        for parsed_section in self.parsed.sections:
            section = sections.get(parsed_section.slug) or Section(
                roadmap=self.roadmap, slug=parsed_section.slug
            )
            values = {
                "number": parsed_section.number,
                "title": parsed_section.title,
                "summary_md": parsed_section.summary_md,
            }
            changed = self.merge.apply(section, values, f"section {parsed_section.slug}")
            self.revive(section, changed)
            save_merged(section, changed, counter)
            sections[section.slug] = section
        self.merge.sections = sections
        self.say(f"sections: {len(self.parsed.sections)}")

    def phases(self) -> None:
        phases = {p.number: p for p in self.roadmap.phases.all()}
        counter = self.report.count("phases")
        for parsed_phase in self.parsed.phases:
            phase = phases.get(parsed_phase.number) or Phase(
                roadmap=self.roadmap, number=parsed_phase.number
            )
            values = {
                "slug": parsed_phase.slug,
                "title": parsed_phase.title,
                "week_start": parsed_phase.week_start,
                "week_end": parsed_phase.week_end,
            }
            changed = self.merge.apply(phase, values, f"phase {parsed_phase.number}")
            save_merged(phase, changed, counter)
            phases[phase.number] = phase
        self.merge.phases = phases
        self.say(f"phases: {len(self.parsed.phases)}")

    def delete_gone_phases(self) -> None:
        """After the goals moved: a phase the file no longer has is deleted."""
        wanted = {p.number for p in self.parsed.phases}
        for phase in list(self.merge.phases.values()):
            if phase.number not in wanted:
                phase.delete()
                self.report.count("phases").deleted += 1

    def topics(self) -> None:
        """Update in place by slug, add the new, retire (never delete) the gone."""
        phase_of = topic_phase_numbers(self.parsed)
        topics = {t.slug: t for t in self.roadmap.topics.select_related("section", "phase")}
        counter = self.report.count("topics")
        by_section = {s.number: s.slug for s in self.parsed.sections}
        for parsed_topic in self.parsed.topics:
            topic = topics.get(parsed_topic.slug) or Topic(
                roadmap=self.roadmap, slug=parsed_topic.slug
            )
            values = _topic_values(
                parsed_topic, by_section[parsed_topic.section_number], phase_of[parsed_topic.slug]
            )
            changed = self.merge.apply(topic, values, f"topic {parsed_topic.slug}")
            self.revive(topic, changed)
            created = topic.pk is None
            save_merged(topic, changed, counter)
            if not created:
                topic_text_revise(topic=topic, changed=changed)
            topics[topic.slug] = topic
        self.merge.topics = topics
        present = {t.slug for t in self.parsed.topics}
        for topic in topics.values():
            if topic.slug not in present and topic.retired_at is None and topic.imported:
                topic.retired_at = self.now
                topic.save(update_fields=["retired_at"])
                counter.retired += 1
        additional = sum(t.is_additional for t in self.parsed.topics)
        self.say(f"topics: {len(self.parsed.topics) - additional} + {additional} additional")

    def save_linked(
        self, obj: PhaseGoal | Project, changed: list[str], counter: KindCount, slugs: list[str]
    ) -> None:
        """Save a goal or project; its topics (a many-to-many) are set once the row exists."""
        relink = LINKED_TOPICS in changed
        if relink:
            changed.remove(LINKED_TOPICS)
        save_merged(obj, changed, counter, relinked=relink)
        if relink:
            obj.topics.set([self.merge.topics[slug] for slug in slugs])

    def goals(self) -> None:
        """Goals, with the topics each concerns; goals the file no longer has are deleted."""
        counter = self.report.count("goals")
        candidates = _candidates(self.parsed)
        goals = {
            (g.phase_id, g.order): g
            for g in PhaseGoal.objects.filter(phase__roadmap=self.roadmap).prefetch_related(
                "topics"
            )
        }
        kept: set[int] = set()
        for parsed_phase in self.parsed.phases:
            phase = self.merge.phases[parsed_phase.number]
            for order, text in enumerate(parsed_phase.goals, start=1):
                goal = goals.get((phase.pk, order)) or PhaseGoal(phase=phase, order=order)
                slugs = sorted(matching_topics(text, candidates))
                values = {"text": text, LINKED_TOPICS: slugs}
                changed = self.merge.apply(goal, values, f"goal {parsed_phase.number}.{order}")
                self.save_linked(goal, changed, counter, slugs)
                kept.add(goal.pk)
        stale = PhaseGoal.objects.filter(phase__roadmap=self.roadmap).exclude(pk__in=kept)
        counter.deleted += stale.count()
        stale.delete()
        self.say(f"goals: {sum(len(p.goals) for p in self.parsed.phases)}")
        for phase_ in self.parsed.phases:
            for text in phase_.goals:
                if not matching_topics(text, candidates):
                    self.report.notes.append(f"the goal {text!r} names no topic by its words")

    def projects(self) -> None:
        counter = self.report.count("projects")
        candidates = _candidates(self.parsed)
        projects = {p.slug: p for p in self.roadmap.projects.all()}
        for parsed_project in self.parsed.projects:
            project = projects.get(parsed_project.slug) or Project(
                roadmap=self.roadmap, slug=parsed_project.slug
            )
            slugs = sorted(matching_topics(parsed_project.description_md, candidates))
            values = {
                "title": parsed_project.title,
                "description_md": parsed_project.description_md,
                "order": parsed_project.order,
                LINKED_TOPICS: slugs,
            }
            changed = self.merge.apply(project, values, f"project {parsed_project.slug}")
            self.revive(project, changed)
            self.save_linked(project, changed, counter, slugs)
            projects[project.slug] = project
        present = {p.slug for p in self.parsed.projects}
        for project in projects.values():
            if project.slug not in present and project.retired_at is None:
                project.retired_at = self.now
                project.save(update_fields=["retired_at"])
                counter.retired += 1
        self.say(f"projects: {len(self.parsed.projects)}")

    def positional(
        self,
        kind: str,
        existing: models.QuerySet[Outcome] | models.QuerySet[FAQ],
        rows: list[dict[str, Any]],
        make: Callable[[int], Outcome | FAQ],
        label: str,
    ) -> None:
        """Outcomes and FAQ entries: by position, with no user data; extra rows are deleted."""
        counter = self.report.count(kind)
        by_order: dict[int, Outcome | FAQ] = {obj.order: obj for obj in existing}
        for order, values in enumerate(rows, start=1):
            obj = by_order.pop(order, None) or make(order)
            save_merged(obj, self.merge.apply(obj, values, f"{label} {order}"), counter)
        for obj in by_order.values():
            obj.delete()
            counter.deleted += 1
        self.say(f"{kind}: {len(rows)}")

    def resources(self) -> None:
        counter = self.report.count("resources")
        existing = list(self.roadmap.resources.select_related("topic"))
        by_key = {r.source_key: r for r in existing if r.source_key}
        by_url = {r.normalized_url: r for r in existing if r.normalized_url}
        seen: set[int] = set()
        for item in self.parsed.resources:
            resource = by_key.get(item.source_key) or by_url.get(item.normalized_url or "-")
            if resource is not None and resource.origin != Resource.Origin.README:
                self.report.notes.append(
                    f"{item.url or item.title!r} is already on the site as a "
                    f"{resource.origin} resource; it was left as it is"
                )
                seen.add(resource.pk)
                counter.unchanged += 1
                continue
            if resource is None:
                resource = Resource(
                    roadmap=self.roadmap, origin=Resource.Origin.README, source_key=item.source_key
                )
            values = {
                "title": item.title,
                "url": item.url,
                "kind": item.kind,
                "description_md": item.description_md,
                "topic": item.topic_slug,
                "status": Resource.Status.APPROVED,
            }
            topic_before, created = resource.topic_id, resource.pk is None
            changed = self.merge.apply(resource, values, f"resource {item.url or item.title}")
            if "url" in changed or resource.pk is None:
                resource.normalized_url = item.normalized_url if resource.url else ""
                if "url" in changed:
                    changed.append("normalized_url")
            if changed and resource.pk is not None:
                resource.updated_at = timezone.now()
                changed.append("updated_at")
            save_merged(resource, changed, counter)
            merged_resource_revise(
                resource=resource, changed=changed, created=created, topic_before=topic_before
            )
            seen.add(resource.pk)
        self.retire_gone_resources(existing, seen, counter)
        self.say(f"resources: {len(self.parsed.resources)}")

    @staticmethod
    def retire_gone_resources(existing: list[Resource], seen: set[int], counter: KindCount) -> None:
        """A README resource the file no longer lists is retired, unless a moderator changed
        its status since the last import."""
        for resource in existing:
            if (
                resource.origin != Resource.Origin.README
                or resource.pk in seen
                or resource.status == Resource.Status.RETIRED
            ):
                continue
            base = resource.imported or {}
            if resource.status == base.get("status"):
                resource.status = Resource.Status.RETIRED
                resource.imported = {**base, "status": Resource.Status.RETIRED}
                resource.save(update_fields=["status", "imported"])
                resource_revise(resource=resource, kind=TopicChange.Kind.RESOURCE_REMOVED)
                counter.retired += 1


def _roadmap_row(*, slug: str, parsed: ParsedRoadmap, source_url: str) -> tuple[Roadmap, dict]:
    roadmap = Roadmap.objects.select_for_update().filter(slug=slug).first() or Roadmap(slug=slug)
    values: dict[str, Any] = {
        "title": parsed.title,
        "summary_md": parsed.summary_md,
        "pathway_md": parsed.pathway_md,
        "contributing_md": parsed.contributing_md,
        "closing_md": parsed.closing_md,
    }
    if source_url:
        values["source_url"] = source_url
    return roadmap, values


@transaction.atomic
def roadmap_import(
    *, text: str, slug: str, source_url: str = "", progress: Progress | None = None
) -> MergeReport:
    """Import (or re-import) a roadmap README. All or nothing: a parse error writes nothing.

    Raises RoadmapParseError naming the line for input it cannot read.
    """
    parsed = parse_readme(text)
    report = MergeReport()
    merge = ThreeWayMerge(report=report, source="import")
    roadmap, values = _roadmap_row(slug=slug, parsed=parsed, source_url=source_url)
    save_merged(roadmap, merge.apply(roadmap, values, f"roadmap {slug}"), report.count("roadmap"))
    report.roadmap = roadmap
    run = _Import(
        parsed=parsed,
        roadmap=roadmap,
        merge=merge,
        report=report,
        say=progress or (lambda message: None),
        now=timezone.now(),
    )
    run.sections()
    run.phases()
    run.topics()
    run.goals()
    run.delete_gone_phases()

    def outcome(order: int) -> Outcome:
        return Outcome(roadmap=roadmap, order=order)

    def faq(order: int) -> FAQ:
        return FAQ(roadmap=roadmap, order=order)

    outcomes = [{"text": text_} for text_ in parsed.outcomes]
    run.positional("outcomes", roadmap.outcomes.all(), outcomes, outcome, "outcome")
    run.projects()
    faqs = [{"question": f.question, "answer_md": f.answer_md} for f in parsed.faqs]
    run.positional("faqs", roadmap.faqs.all(), faqs, faq, "FAQ")
    run.resources()

    if report.changed:
        roadmap_touch(roadmap=roadmap)
    # Always, not only on a change: a re-import also fills an index that missed the content.
    index_roadmap(roadmap)
    return report
