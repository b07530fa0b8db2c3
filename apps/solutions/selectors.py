"""Solution reads. Selectors that find nothing raise NotFound."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from apps.accounts.models import User
from apps.roadmap.models import Project, Topic
from apps.solutions.models import Evidence, RequirementLink, Solution
from apps.solutions.requirements import Requirement, requirements_of
from roadmap_site.errors import NotFound
from roadmap_site.fingerprints import rows_fingerprint

_NO_SOLUTION = "No solution has this id."
_NO_PROJECT = "This roadmap has no such project."


def project_get(*, roadmap_slug: str, slug: str) -> Project:
    project = (
        Project.objects.active()
        .select_related("roadmap")
        .filter(roadmap__slug=roadmap_slug, slug=slug)
        .first()
    )
    if project is None:
        raise NotFound(_NO_PROJECT)
    return project


def _visible_to(viewer: User | None) -> Q:
    public = Q(state=Solution.State.ACTIVE, visibility=Solution.Visibility.PUBLIC)
    if viewer is not None and viewer.is_authenticated:
        return public | Q(learner_id=viewer.pk, state=Solution.State.ACTIVE)
    return public


def _with_details(queryset: QuerySet[Solution]) -> QuerySet[Solution]:
    return queryset.select_related("learner", "project", "project__roadmap").prefetch_related(
        Prefetch("topics", queryset=Topic.objects.only("id", "slug", "title", "roadmap_id")),
        Prefetch("evidence", queryset=Evidence.objects.order_by("id")),
        Prefetch("requirement_links", queryset=RequirementLink.objects.select_related("evidence")),
    )


def solution_get(*, pk: int, viewer: User | None) -> Solution:
    """A solution the viewer may see: a public one, or their own (hidden or not)."""
    solution = _with_details(Solution.objects.filter(_visible_to(viewer))).filter(pk=pk).first()
    if solution is None:
        raise NotFound(_NO_SOLUTION)
    return solution


def solution_for_edit(*, pk: int, learner: User) -> Solution:
    solution = (
        _with_details(Solution.objects.filter(state=Solution.State.ACTIVE, learner_id=learner.pk))
        .filter(pk=pk)
        .first()
    )
    if solution is None:
        raise NotFound(_NO_SOLUTION)
    return solution


def own_solution(*, learner: User | None, project: Project) -> Solution | None:
    """The learner's active solution to the project, or None (one query)."""
    if learner is None or not learner.is_authenticated:
        return None
    return Solution.objects.filter(
        learner_id=learner.pk, project=project, state=Solution.State.ACTIVE
    ).first()


def goal_solution_fingerprint() -> Subquery:
    """A fingerprint of what `own_solution` finds for an enrolment's goal project, to annotate
    on it (roadmap_site/fingerprints.py; the dashboard shows it). Each field the dashboard
    shows is aggregated itself: the demo checks hide a solution without bumping its version."""
    return rows_fingerprint(
        Solution.objects.filter(
            learner_id=OuterRef("user_id"),
            project_id=OuterRef("goal_project_id"),
            state=Solution.State.ACTIVE,
        ),
        group="learner_id",
        aggregates=[
            Count("id"),
            Max("id"),
            Sum("version"),
            Max("updated_at"),
            Max("repository_url"),
            Max("visibility"),
            Max("demo_fix_by"),
            Max("evidence_status"),
            Max("evidence_checked_at"),
        ],
    )


def own_solutions(*, learner: User | None, projects: list[Project]) -> dict[int, Solution]:
    """The learner's active solutions to these projects, by project id (one query)."""
    if learner is None or not learner.is_authenticated or not projects:
        return {}
    rows = Solution.objects.filter(
        learner_id=learner.pk, project__in=projects, state=Solution.State.ACTIVE
    ).prefetch_related("evidence")
    return {row.project_id: row for row in rows}


def solutions_of_learner(*, learner: User) -> QuerySet[Solution]:
    return _with_details(Solution.objects.filter(learner_id=learner.pk)).order_by("-created_at")


def solutions_list(*, viewer: User | None, project: Project | None = None) -> QuerySet[Solution]:
    """Visible solutions, newest first (the showcase ranks them its own way)."""
    queryset = Solution.objects.filter(_visible_to(viewer))
    if project is not None:
        queryset = queryset.filter(project=project)
    return _with_details(queryset).order_by("-created_at", "-id")


@dataclass(frozen=True)
class RequirementRow:
    requirement: Requirement
    link: RequirementLink | None


def requirement_rows(solution: Solution) -> list[RequirementRow]:
    """The project's checklist with the solution's link for each (prefetched: no query)."""
    links = {link.requirement_key: link for link in solution.requirement_links.all()}
    return [
        RequirementRow(requirement, links.get(requirement.key))
        for requirement in requirements_of(solution.project.description_md)
    ]


def evidence_by_kind(solution: Solution) -> dict[str, Evidence]:
    return {item.kind: item for item in solution.evidence.all()}


def export_section(user: User) -> list[dict[str, Any]]:
    """The user's solutions, with their evidence and requirement links."""
    return [
        {
            "id": s.pk,
            "project": s.project.slug,
            "roadmap": s.project.roadmap.slug,
            "repository_url": s.repository_url,
            "demo_url": s.demo_url,
            "write_up": s.write_up_md,
            "topics": [t.slug for t in s.topics.all()],
            "state": s.state,
            "visibility": s.visibility,
            "demo_fix_by": s.demo_fix_by.isoformat() if s.demo_fix_by else None,
            "created_at": s.created_at.isoformat(),
            "updated_at": s.updated_at.isoformat(),
            "evidence": [
                {"kind": e.kind, "present": e.present, "path": e.path, "detail": e.detail}
                for e in s.evidence.all()
            ],
            "requirement_links": [
                {
                    "requirement": link.requirement_text,
                    "target": link.target,
                    "evidence": link.evidence.kind if link.evidence else None,
                    "note": link.note,
                }
                for link in s.requirement_links.all()
            ],
        }
        for s in solutions_of_learner(learner=user)
    ]
