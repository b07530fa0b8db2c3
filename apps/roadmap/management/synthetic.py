"""Synthetic content, for query-count tests and benchmarks at sizes beyond the seed's.

Only the `seed_synthetic` command (which bench/api.py runs) and tests use it: it is not a
production service, and services never import it.
"""

from __future__ import annotations

from django.db import transaction

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
from apps.roadmap.url_normalization import normalize_url
from apps.search.services import index_forget_roadmaps, index_roadmap

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
    index_forget_roadmaps(Roadmap.objects.filter(slug=slug))
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
    index_roadmap(roadmap)
    return roadmap
