"""Write a roadmap back as Markdown in the README's own shape.

`import_roadmap` reads what this writes into a roadmap equal, field by field, to the one it
came from (tests/roadmap/test_readme_roundtrip.py). Only the README's own content is written:
resources from the enrichment fixture or the community live on the site, not in the file.
"""

from __future__ import annotations

import re
from itertools import groupby

from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.readme_parser import RESOURCE_HEADINGS, join_list_phrase

RESOURCE_LEAD = "Here are some resources that expand on this:"
_STRUCTURAL = re.compile(r"^\s*(?:[-*+] |\d+\. |#|>|\||```)")
_HEADING_FOR_KIND = {
    "book": "Books",
    "course": "Courses",
    "community": "Communities",
    "article": "Articles",
    "video": "Videos",
    "paper": "Papers",
    "tool": "Tools",
    "notebook": "Notebooks",
    "docs": "Documentation",
}
assert set(_HEADING_FOR_KIND) == set(RESOURCE_HEADINGS.values())


def _indent(text: str) -> list[str]:
    return [f"  {line}" if line.strip() else "" for line in text.split("\n")]


def _resource_line(resource: Resource, *, nested: bool) -> str:
    description = resource.description_md.strip()
    if resource.url:
        line = f"- [{resource.title}]({resource.url})"
        return f"{line} - {description}" if description else line
    title = f"*{resource.title}*" if resource.kind == Resource.Kind.BOOK else resource.title
    return f"- {title} {description}." if description else f"- {title}."


def _topic_lines(topic: Topic, resources: list[Resource]) -> list[str]:
    body = topic.body_md.strip()
    first, _, rest = body.partition("\n")
    lines: list[str]
    if not body:
        lines = [f"- **{topic.title}:**"]
    elif _STRUCTURAL.match(first):
        lines = [f"- **{topic.title}:**", *_indent(body)]
    else:
        lines = (
            [f"- **{topic.title}:** {first}", *_indent(rest)]
            if rest
            else [f"- **{topic.title}:** {first}"]
        )
    if topic.key_points:
        lines.append(f"  Key things: {join_list_phrase(topic.key_points)}")
    if resources:
        lines += ["", f"  {RESOURCE_LEAD}"]
        lines += [f"  {_resource_line(r, nested=True)}" for r in resources]
    return [*lines, ""]


def _readme_resources(roadmap: Roadmap) -> dict[int | None, list[Resource]]:
    """The README's own resources still on the site, by topic id (None: the whole roadmap)."""
    readme_resources = (
        roadmap.resources.filter(origin=Resource.Origin.README)
        .exclude(status__in=[Resource.Status.REJECTED, Resource.Status.RETIRED])
        .order_by("id")
    )
    by_topic: dict[int | None, list[Resource]] = {}
    for resource in readme_resources:
        by_topic.setdefault(resource.topic_id, []).append(resource)
    return by_topic


def _sections(roadmap: Roadmap, by_topic: dict[int | None, list[Resource]]) -> list[str]:
    topics = list(
        roadmap.topics.active().select_related("section").order_by("section__number", "order")
    )
    out = ["#### What You’ll Learn", ""]
    for section in roadmap.sections.active().order_by("number"):
        out += [f"#### {section.number}. {section.title}:"]
        if section.summary_md:
            out += [section.summary_md]
        out += [""]
        mine = [t for t in topics if t.section_id == section.pk]
        for topic in (t for t in mine if not t.is_additional):
            out += _topic_lines(topic, by_topic.get(topic.pk, []))
        additional = [t for t in mine if t.is_additional]
        for body, _group in groupby(additional, key=lambda t: t.body_md.strip()):
            out += [body, ""]
    return out


def _pathway(roadmap: Roadmap) -> list[str]:
    out = ["#### 🌱 Progression Pathway:"]
    if roadmap.pathway_md:
        out += [roadmap.pathway_md]
    out += [""]
    for phase in roadmap.phases.order_by("number").prefetch_related("goals"):
        out += [
            f"#### Phase {phase.number}: {phase.title} (Weeks {phase.week_start}-{phase.week_end})"
        ]
        out += [f"- {goal.text}" for goal in phase.goals.order_by("order")]
        out += [""]
    return out


def _outcomes_and_projects(roadmap: Roadmap) -> list[str]:
    out: list[str] = []
    outcomes = list(roadmap.outcomes.order_by("order"))
    if outcomes:
        out += ["#### ✨ Outcome", "", "By completing this roadmap, you will:", ""]
        out += [f"- {outcome.text}" for outcome in outcomes]
        out += [""]
    projects = list(roadmap.projects.active().order_by("order"))
    if projects:
        out += ["#### 🚀 Projects to Build", ""]
        out += [f"- **{p.title}:** {p.description_md}".rstrip() for p in projects]
        out += [""]
    return out


def _general_resources(general: list[Resource]) -> list[str]:
    if not general:
        return []
    out = ["#### 📚 Resources", ""]
    for kind, heading in _HEADING_FOR_KIND.items():
        of_kind = [r for r in general if r.kind == kind]
        if of_kind:
            out += [f"#### {heading}:"]
            out += [_resource_line(r, nested=False) for r in of_kind]
            out += [""]
    return out


def _closing(roadmap: Roadmap) -> list[str]:
    out: list[str] = []
    if roadmap.contributing_md:
        out += ["#### 🌍 Contributions Welcome!", "", roadmap.contributing_md, ""]
    faqs = list(roadmap.faqs.order_by("order"))
    if faqs:
        out += ["#### ❓ FAQ", ""]
        for faq in faqs:
            out += [f"#### Q: {faq.question}", f"A: {faq.answer_md}", ""]
        if roadmap.closing_md:
            out += [roadmap.closing_md, ""]
    return out


def roadmap_to_markdown(roadmap: Roadmap) -> str:
    by_topic = _readme_resources(roadmap)
    out = [f"### {roadmap.title}", ""]
    if roadmap.summary_md:
        out += [roadmap.summary_md, ""]
    out += _sections(roadmap, by_topic)
    out += _pathway(roadmap)
    out += _outcomes_and_projects(roadmap)
    out += _general_resources(by_topic.get(None, []))
    out += _closing(roadmap)
    return "\n".join(out).rstrip("\n") + "\n"
