"""A project page with solutions and a solution with its evidence in Chromium: nothing scrolls
sideways at 1366 px or on a 390 px phone, light and dark. Screenshots go to test-artifacts/e2e/
and, when SHOTS_DIR is set, there too."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.roadmap.models import Project
from apps.solutions import services
from apps.solutions.models import Solution
from apps.solutions.services import SolutionInput
from tests.factories import EvidenceFactory
from tests.support.browser import make_user, sign_in

pytestmark = pytest.mark.e2e

SLUG = "ml-engineer"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FOUND = {
    "readme_setup": "Setup",
    "readme_results": "Results on the holdout set",
    "tests": "tests/test_scoring_service.py",
    "container": "deploy/Dockerfile",
    "ci": ".github/workflows/continuous-integration.yml",
}


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def solutions(project: Project, scheme: str) -> Solution:
    author = make_user(f"ada{scheme}")
    other = make_user(f"olive{scheme}")
    mine = services.solution_submit(
        learner=author,
        project=project,
        data=SolutionInput(
            "https://github.com/ada-lovelace-example/real-time-fraud-detection-with-fastapi",
            "https://fraud-demo.example/",
            "## What I built\n\nA FastAPI service scoring card transactions, with Redis as a "
            "feature cache.\n\n```\nmake up && curl localhost:8000/score\n```",
            [t.slug for t in project.topics.all()[:3]],
        ),
    )
    now = timezone.now()
    for kind in ("readme_setup", "readme_results", "tests", "container", "ci", "licence"):
        EvidenceFactory(
            solution=mine,
            kind=kind,
            present=kind in FOUND,
            path=FOUND.get(kind, ""),
            detail="" if kind in FOUND else "no licence file",
            checked_at=now,
        )
    Solution.objects.filter(pk=mine.pk).update(
        evidence_status="checked",
        evidence_checked_at=now,
        demo_ok=True,
        demo_checked_at=now - timedelta(hours=2),
    )
    services.requirement_link_put(
        solution=mine,
        learner=author,
        requirement_key="docker",
        target="",
        evidence_kind="container",
        note="multi-stage build, 180 MB",
    )
    services.requirement_link_put(
        solution=mine,
        learner=author,
        requirement_key="deploy-a-model-with-fastapi",
        target="https://github.com/ada-lovelace-example/real-time-fraud-detection-with-fastapi/blob/main/app/service.py",
        evidence_kind="",
        note="",
    )
    theirs = services.solution_submit(
        learner=other,
        project=project,
        data=SolutionInput("https://gitlab.com/olive/fraud", None, "", []),
    )
    EvidenceFactory(solution=theirs, kind="tests", present=True, path="tests/test_a.py")
    EvidenceFactory(solution=theirs, kind="licence", present=False, detail="no licence file")
    return mine


def save(tab, name: str) -> None:
    path = tab.shot(name)
    target = os.environ.get("SHOTS_DIR")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(path, os.path.join(target, f"{name.replace(' ', '-')}.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_project_and_solution_pages_fit_the_screen(seed, open_tab, scheme) -> None:
    project = Project.objects.get(roadmap=seed, slug="real-time-fraud-detection")
    mine = solutions(project, scheme)
    for size, viewport in SIZES.items():
        tab = open_tab(f"{scheme}-{size}", viewport=viewport, color_scheme=scheme)
        sign_in(tab, mine.learner.username)
        tab.go(f"/roadmaps/{SLUG}/projects/{project.slug}/")
        page = tab.page
        assert page.get_by_role("heading", name="Checklist").count() == 1
        assert page.get_by_text("Edit your solution").count() == 1
        save(tab, f"project {scheme} {size}")
        assert page_width(page) <= viewport["width"], (size, page_width(page))
        tab.go(f"/solutions/{mine.pk}/")
        assert page.get_by_text("deploy/Dockerfile").count() >= 1
        assert page.get_by_text("multi-stage build, 180 MB").count() == 1
        save(tab, f"solution {scheme} {size}")
        assert page_width(page) <= viewport["width"], (size, page_width(page))
