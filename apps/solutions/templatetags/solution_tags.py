"""Solution pieces other apps' pages compose in, without importing this app's models.

The dashboard calls `{% goal_solution enrollment %}` (the goal project's solution status, one
query); the projects page calls `{% own_solutions roadmap.projects.all as own %}` once and
`{% project_solution_link project own %}` per project.
"""

from __future__ import annotations

from typing import Any

from django import template

from apps.solutions import selectors

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("solutions/_goal_status.html", takes_context=True)
def goal_solution(context: template.Context, enrollment: Any) -> dict[str, Any]:
    project = getattr(enrollment, "goal_project", None)
    user = _user(context)
    solution = None
    if project is not None and user is not None and project.retired_at is None:
        solution = selectors.own_solution(learner=user, project=project)
    return {"project": project, "solution": solution, "roadmap_slug": enrollment.roadmap.slug}


@register.simple_tag(takes_context=True)
def own_solutions(context: template.Context, projects: Any) -> dict[int, Any]:
    return selectors.own_solutions(learner=_user(context), projects=list(projects))


@register.inclusion_tag("solutions/_project_link.html", takes_context=True)
def project_solution_link(
    context: template.Context, project: Any, own: dict[int, Any]
) -> dict[str, Any]:
    return {
        "project": project,
        "solution": own.get(project.pk),
        "signed_in": _user(context) is not None,
    }


@register.filter
def evidence_of(evidence: dict[str, Any], kind: str) -> Any:
    """`{{ evidence|evidence_of:kind }}`: the evidence item of that kind, or None."""
    return evidence.get(kind)
