"""Solution pages, the dashboard's goal project, export and account deletion."""

from __future__ import annotations

import pytest

from apps.accounts import services as account_services
from apps.solutions import services
from apps.solutions.models import Evidence, RequirementLink, Solution
from apps.solutions.services import SolutionInput
from tests.factories import PASSWORD, EnrollmentFactory, EvidenceFactory
from tests.support.clients import client_for, page_client_for
from tests.support.concurrency import hammer

pytestmark = pytest.mark.django_db

REPO = "https://github.com/ada/fraud-api"


def submit(project, learner, **changes) -> Solution:
    values = {"repository_url": REPO, "demo_url": None, "write_up_md": "", "topics": []}
    return services.solution_submit(
        learner=learner, project=project, data=SolutionInput(**{**values, **changes})
    )


def test_the_project_page_lists_the_checklist_and_the_submit_link(project, learner) -> None:
    page = page_client_for(learner).get("/roadmaps/ml-engineer/projects/real-time-fraud-detection/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Redis for streaming data" in text
    assert "/roadmaps/ml-engineer/projects/real-time-fraud-detection/submit/" in text
    anonymous = page_client_for(None).get(
        "/roadmaps/ml-engineer/projects/real-time-fraud-detection/"
    )
    assert "Sign in" in anonymous.content.decode()


def test_the_project_page_shows_ones_own_solution_and_others_with_badges(
    project, learner, outsider
) -> None:
    mine = submit(project, learner)
    theirs = submit(project, outsider, repository_url="https://gitlab.com/olive/fraud")
    EvidenceFactory(solution=theirs, kind="tests", present=True)
    text = (
        page_client_for(learner)
        .get("/roadmaps/ml-engineer/projects/real-time-fraud-detection/")
        .content.decode()
    )
    assert f"/solutions/{mine.pk}/edit/" in text
    assert f"/solutions/{theirs.pk}/" in text and "Tests" in text


def test_the_projects_list_links_each_project_and_ones_solution(project, learner) -> None:
    mine = submit(project, learner)
    text = page_client_for(learner).get("/roadmaps/ml-engineer/projects/").content.decode()
    assert f"/solutions/{mine.pk}/" in text
    assert "/roadmaps/ml-engineer/projects/real-time-fraud-detection/" in text


def test_submitting_on_the_page_and_a_refusal_keeps_what_was_typed(project, learner) -> None:
    web = page_client_for(learner)
    url = "/roadmaps/ml-engineer/projects/real-time-fraud-detection/submit/"
    refused = web.post(
        url, {"repository_url": "https://bitbucket.org/ada/x", "write_up": "My notes"}
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert (
        "GitHub or GitLab" in text and "My notes" in text and "https://bitbucket.org/ada/x" in text
    )
    done = web.post(url, {"repository_url": REPO, "write_up": "My notes", "topics": ["testing"]})
    assert done.status_code == 302
    solution = Solution.objects.get()
    assert done["Location"] == f"/solutions/{solution.pk}/"
    again = web.post(url, {"repository_url": REPO})
    assert again.status_code == 409 and f"/solutions/{solution.pk}/edit/" in again.content.decode()


def test_a_stale_edit_on_the_page_says_why_and_keeps_the_text(project, learner) -> None:
    solution = submit(project, learner, write_up_md="first")
    web = page_client_for(learner)
    services.solution_edit(
        solution=solution,
        learner=learner,
        if_version=1,
        data=SolutionInput(REPO, None, "from another tab", []),
    )
    stale = web.post(
        f"/solutions/{solution.pk}/edit/",
        {"repository_url": REPO, "write_up": "my long careful text", "version": 1},
    )
    assert stale.status_code == 412
    text = stale.content.decode()
    assert "my long careful text" in text and "from another tab" in text
    assert "Nothing was written" in text
    assert 'name="version" value="2"' in text  # sending again keeps the learner's version
    solution.refresh_from_db()
    assert solution.write_up_md == "from another tab"


def test_the_solution_page_shows_evidence_and_requirement_links(project, learner, outsider) -> None:
    solution = submit(project, learner, write_up_md="<script>x()</script>**done**")
    EvidenceFactory(solution=solution, kind="container", present=True, path="Dockerfile")
    EvidenceFactory(solution=solution, kind="tests", present=False, path="", detail="no test files")
    services.requirement_link_put(
        solution=solution,
        learner=learner,
        requirement_key="docker",
        target="",
        evidence_kind="container",
        note="multi-stage",
    )
    page = page_client_for(outsider).get(f"/solutions/{solution.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<script>x()" not in text and "<strong>done</strong>" in text
    assert "Dockerfile" in text and "no test files" in text and "multi-stage" in text
    assert "Link this requirement" not in text  # only the author links
    own = page_client_for(learner).get(f"/solutions/{solution.pk}/").content.decode()
    assert "Link this requirement" in own


def test_linking_a_requirement_on_the_page(project, learner) -> None:
    solution = submit(project, learner)
    web = page_client_for(learner)
    bad = web.post(f"/solutions/{solution.pk}/requirements/docker/", {"target": "/etc/passwd"})
    assert bad.status_code == 400 and "inside the repository" in bad.content.decode()
    ok = web.post(f"/solutions/{solution.pk}/requirements/docker/", {"target": "Dockerfile"})
    assert ok.status_code == 302
    assert RequirementLink.objects.get().target == "Dockerfile"


def test_the_dashboard_shows_the_goal_projects_solution(project, learner) -> None:
    EnrollmentFactory(user=learner, roadmap=project.roadmap, goal_project=project)
    web = page_client_for(learner)
    before = web.get("/roadmaps/ml-engineer/dashboard/").content.decode()
    assert "Your goal project: Real-Time Fraud Detection" in before
    assert "Submit your solution" in before
    solution = submit(project, learner)
    after = web.get("/roadmaps/ml-engineer/dashboard/").content.decode()
    assert f"/solutions/{solution.pk}/" in after and "waiting to be read" in after


def test_the_export_has_solutions_with_evidence_and_links(project, learner) -> None:
    solution = submit(project, learner, write_up_md="notes")
    EvidenceFactory(solution=solution, kind="ci", path=".gitlab-ci.yml")
    services.requirement_link_put(
        solution=solution,
        learner=learner,
        requirement_key="docker",
        target="Dockerfile",
        evidence_kind="",
        note="",
    )
    exported = client_for(learner).get("/api/v1/me/export/").json()["solutions"]
    assert exported[0]["repository_url"] == REPO and exported[0]["write_up"] == "notes"
    assert exported[0]["evidence"][0]["kind"] == "ci"
    assert exported[0]["requirement_links"][0]["target"] == "Dockerfile"


def test_deleting_the_account_deletes_its_solutions_evidence_and_links(
    project, learner, outsider
) -> None:
    solution = submit(project, learner)
    EvidenceFactory(solution=solution)
    services.requirement_link_put(
        solution=solution,
        learner=learner,
        requirement_key="docker",
        target="Dockerfile",
        evidence_kind="",
        note="",
    )
    kept = submit(project, outsider)
    account_services.user_delete(user=learner, password=PASSWORD)
    assert list(Solution.objects.all()) == [kept]
    assert not Evidence.objects.exists() and not RequirementLink.objects.exists()


@pytest.fixture
def tasks_in_process():
    """The evidence read each submission queues runs in-process (against the `.invalid` forge),
    not on the real broker: this test needs Postgres, not a worker."""
    from roadmap_site.celery import app

    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_ten_parallel_first_submissions_make_one_solution(
    postgres_only, tasks_in_process, project, learner
) -> None:
    body = {"roadmap": "ml-engineer", "project": project.slug, "repository_url": REPO}

    def post() -> int:
        return client_for(learner).post("/api/v1/solutions/", body, format="json").status_code

    codes = hammer(10, post)
    assert sorted(codes) == [201] + [409] * 9
    assert Solution.objects.count() == 1
