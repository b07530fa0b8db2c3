"""Submitting and editing solutions: the rules, each refusal in words, nothing written on one."""

from __future__ import annotations

import pytest

from apps.solutions import services
from apps.solutions.models import RequirementLink, Solution
from apps.solutions.services import SolutionInput
from roadmap_site.errors import Conflict, Invalid, NotAllowed, NotFound, Stale
from tests.factories import EvidenceFactory, ProjectFactory, RoadmapFactory, TopicFactory

pytestmark = pytest.mark.django_db

REPO = "https://github.com/ada/fraud-api"


def data(**changes) -> SolutionInput:
    values = {"repository_url": REPO, "demo_url": None, "write_up_md": "", "topics": []}
    return SolutionInput(**{**values, **changes})


def test_a_solution_is_submitted_with_its_repository_demo_write_up_and_topics(
    project, learner, topic
) -> None:
    solution = services.solution_submit(
        learner=learner,
        project=project,
        data=data(
            repository_url=REPO + ".git/",
            demo_url="https://fraud.example/",
            write_up_md="# Hi",
            topics=["testing"],
        ),
    )
    assert (solution.repository_url, solution.forge, solution.repository_path) == (
        REPO,
        "github",
        "ada/fraud-api",
    )
    assert solution.demo_url == "https://fraud.example/"
    assert list(solution.topics.all()) == [topic]
    assert solution.version == 1 and solution.is_visible


def test_one_active_solution_per_learner_and_project(project, learner) -> None:
    first = services.solution_submit(learner=learner, project=project, data=data())
    with pytest.raises(Conflict) as refused:
        services.solution_submit(
            learner=learner, project=project, data=data(repository_url=REPO + "2")
        )
    assert refused.value.code == "solution_exists"
    assert refused.value.extra["existing"] == {"id": first.pk, "version": 1}
    assert Solution.objects.count() == 1


def test_a_withdrawn_solution_makes_room_for_a_new_one(project, learner) -> None:
    first = services.solution_submit(learner=learner, project=project, data=data())
    services.solution_withdraw(solution=first, learner=learner, if_version=1)
    second = services.solution_submit(learner=learner, project=project, data=data())
    assert Solution.objects.filter(state="active").get() == second
    first.refresh_from_db()
    assert first.state == "withdrawn"  # kept, not deleted


def test_the_database_holds_one_active_per_learner_and_project(project, learner) -> None:
    from django.db import IntegrityError, transaction

    services.solution_submit(learner=learner, project=project, data=data())
    with pytest.raises(IntegrityError), transaction.atomic():
        Solution.objects.create(
            learner=learner,
            project=project,
            repository_url=REPO,
            forge="github",
            repository_path="ada/fraud-api",
        )


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"repository_url": "https://bitbucket.org/ada/x"}, "repository_url", "GitHub or GitLab"),
        ({"repository_url": ""}, "repository_url", "Enter the repository"),
        (
            {"repository_url": "https://github.com/" + "a" * 2000},
            "repository_url",
            "1 to 2,000 characters",
        ),
        ({"demo_url": "http://127.0.0.1/"}, "demo_url", "public address"),
        ({"demo_url": "javascript:alert(1)"}, "demo_url", "http"),
        ({"demo_url": "https://localhost/x"}, "demo_url", "public domain name"),
        ({"write_up_md": "x" * 20_001}, "write_up_md", "20,000"),
        ({"topics": ["nope"]}, "topics", "nope"),
        ({"topics": [f"t{n}" for n in range(51)]}, "topics", "from 0 to 50"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(
    project, learner, changes, field, says
) -> None:
    with pytest.raises(Invalid) as refused:
        services.solution_submit(learner=learner, project=project, data=data(**changes))
    assert field in refused.value.fields
    assert says in " ".join(refused.value.fields[field])
    assert Solution.objects.count() == 0


def test_topics_come_from_the_projects_roadmap_only(project, learner) -> None:
    other = TopicFactory(roadmap=RoadmapFactory(slug="other"), slug="elsewhere")
    with pytest.raises(Invalid):
        services.solution_submit(learner=learner, project=project, data=data(topics=[other.slug]))


def test_a_retired_project_takes_no_solutions(project, learner) -> None:
    from django.utils import timezone

    project.retired_at = timezone.now()
    project.save()
    with pytest.raises(NotFound):
        services.solution_submit(learner=learner, project=project, data=data())


def test_an_edit_bumps_the_version_and_a_stale_one_is_refused_with_the_stored_text(
    project, learner
) -> None:
    solution = services.solution_submit(
        learner=learner, project=project, data=data(write_up_md="one")
    )
    edited = services.solution_edit(
        solution=solution, learner=learner, data=data(write_up_md="two"), if_version=1
    )
    assert edited.version == 2
    with pytest.raises(Stale) as refused:
        services.solution_edit(
            solution=solution, learner=learner, data=data(write_up_md="three"), if_version=1
        )
    assert refused.value.extra["current"]["write_up_md"] == "two"
    assert refused.value.extra["current"]["version"] == 2
    assert "nothing was written" in str(refused.value)
    solution.refresh_from_db()
    assert solution.write_up_md == "two"


def test_only_the_author_edits(project, learner, outsider) -> None:
    solution = services.solution_submit(learner=learner, project=project, data=data())
    with pytest.raises(NotAllowed):
        services.solution_edit(solution=solution, learner=outsider, data=data(), if_version=1)


def test_a_new_demo_url_clears_the_fix_by_date_and_shows_the_solution_again(
    project, learner
) -> None:
    from datetime import date

    solution = services.solution_submit(
        learner=learner, project=project, data=data(demo_url="https://old.example/")
    )
    Solution.objects.filter(pk=solution.pk).update(
        demo_fix_by=date(2026, 1, 1), demo_failures=3, demo_ok=False, visibility="hidden_demo"
    )
    solution.refresh_from_db()
    edited = services.solution_edit(
        solution=solution, learner=learner, data=data(demo_url="https://new.example/"), if_version=1
    )
    assert (edited.demo_fix_by, edited.demo_failures, edited.demo_ok) == (None, 0, None)
    assert edited.visibility == "public"


def test_requirements_link_to_a_path_a_url_or_an_evidence_item(project, learner) -> None:
    solution = services.solution_submit(learner=learner, project=project, data=data())
    EvidenceFactory(solution=solution, kind="container", path="Dockerfile")
    services.requirement_link_put(
        solution=solution,
        learner=learner,
        requirement_key="docker",
        target="",
        evidence_kind="container",
        note="",
    )
    services.requirement_link_put(
        solution=solution,
        learner=learner,
        requirement_key="deploy-a-model-with-fastapi",
        target="app/main.py",
        evidence_kind="",
        note="the service",
    )
    services.requirement_link_put(
        solution=solution,
        learner=learner,
        requirement_key="redis-for-streaming-data",
        target="https://github.com/ada/fraud-api/blob/main/cache.py",
        evidence_kind="",
        note="",
    )
    links = {link.requirement_key: link for link in RequirementLink.objects.all()}
    assert links["docker"].evidence.path == "Dockerfile"
    assert links["deploy-a-model-with-fastapi"].requirement_text == "Deploy a model with FastAPI"
    assert len(links) == 3
    # Neither a target nor an evidence item: the link is removed.
    services.requirement_link_put(
        solution=solution,
        learner=learner,
        requirement_key="docker",
        target="",
        evidence_kind="",
        note="",
    )
    assert not RequirementLink.objects.filter(requirement_key="docker").exists()


@pytest.mark.parametrize(
    ("key", "target", "kind", "field"),
    [
        ("no-such-requirement", "a.py", "", "requirement"),
        ("docker", "/etc/passwd", "", "target"),
        ("docker", "../up.py", "", "target"),
        ("docker", "a\tb.py", "", "target"),
        ("docker", "http://10.0.0.1/x", "", "target"),
        ("docker", "", "tests", "evidence"),  # not checked yet
        ("docker", "", "magic", "evidence"),
    ],
)
def test_bad_requirement_links_are_refused(project, learner, key, target, kind, field) -> None:
    solution = services.solution_submit(learner=learner, project=project, data=data())
    with pytest.raises(Invalid) as refused:
        services.requirement_link_put(
            solution=solution,
            learner=learner,
            requirement_key=key,
            target=target,
            evidence_kind=kind,
            note="",
        )
    assert field in refused.value.fields
    assert not RequirementLink.objects.exists()


def test_another_projects_solution_is_separate(project, learner) -> None:
    other = ProjectFactory(roadmap=project.roadmap, slug="chatbot")
    services.solution_submit(learner=learner, project=project, data=data())
    services.solution_submit(learner=learner, project=other, data=data())
    assert Solution.objects.filter(learner=learner).count() == 2
