"""Evidence from a repository, read through the fake forge on loopback: one test per item, both
forges, and the guard and politeness the link checker's fetches follow. Nothing is run."""

from __future__ import annotations

import pytest

from apps.solutions import services
from apps.solutions.models import Evidence, Solution
from apps.solutions.repository import read_repository_url
from apps.solutions.services import SolutionInput
from bench.linkcheck_server import Reply
from tests.factories import SolutionFactory

FULL = {
    "README.md": "# Fraud API\n\n## Setup\n\n`make up`\n\n## Results\n\nF1 0.91 on the holdout.\n",
    "app/main.py": "import os\nos.system('rm -rf /')  # never run\n",
    "tests/test_api.py": "def test_ok(): pass\n",
    "Dockerfile": "FROM python:3.12\n",
    ".github/workflows/ci.yml": "on: push\n",
    "LICENSE": "MIT\n",
}


def solution_for(project, learner, url: str) -> Solution:
    ref = read_repository_url(url)
    return SolutionFactory(
        project=project,
        learner=learner,
        repository_url=ref.url,
        forge=ref.forge,
        repository_path=ref.path,
    )


def run(solution: Solution) -> dict[str, Evidence]:
    services.evidence_check(solution_id=solution.pk)
    solution.refresh_from_db()
    return {item.kind: item for item in solution.evidence.all()}


def with_only(name: str, text: str = "x\n") -> dict[str, str]:
    return {"README.md": "# Just a title\n", name: text}


@pytest.mark.django_db
def test_a_complete_github_repository_shows_every_item(forge, project, learner) -> None:
    forge.github("ada/fraud-api", FULL)
    solution = solution_for(project, learner, "https://github.com/ada/fraud-api")
    found = run(solution)
    assert solution.evidence_status == Solution.EvidenceStatus.CHECKED
    assert {kind: (e.present, e.path) for kind, e in found.items()} == {
        "readme_setup": (True, "Setup"),
        "readme_results": (True, "Results"),
        "tests": (True, "tests/test_api.py"),
        "container": (True, "Dockerfile"),
        "ci": (True, ".github/workflows/ci.yml"),
        "licence": (True, "LICENSE"),
    }
    # Only the repository's description, its file list and its README were fetched: no other
    # file's content, so nothing of app/main.py was read, let alone run.
    assert sorted(forge.requested()) == sorted(
        [
            "/repos/ada/fraud-api",
            "/repos/ada/fraud-api/git/trees/main?recursive=1",
            "/raw/ada/fraud-api/main/README.md",
        ]
    )
    ua = forge.site.stats.requests[0].headers["user-agent"]
    assert "link checker" in ua


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("files", "kind", "path"),
    [
        ({"README.md": "# App\n\n## Installation\n"}, "readme_setup", "Installation"),
        ({"README.md": "# App\n\nEvaluation\n----------\n"}, "readme_results", "Evaluation"),
        (with_only("src/model_test.py"), "tests", "src/model_test.py"),
        (with_only("deploy/Containerfile"), "container", "deploy/Containerfile"),
        (with_only(".github/workflows/test.yaml"), "ci", ".github/workflows/test.yaml"),
        (with_only("LICENCE.txt"), "licence", "LICENCE.txt"),
    ],
)
def test_each_item_alone_is_found_and_nothing_else_is(
    forge, project, learner, files, kind, path
) -> None:
    forge.github("ada/one-thing", files)
    found = run(solution_for(project, learner, "https://github.com/ada/one-thing"))
    present = {k: e.path for k, e in found.items() if e.present}
    assert present == {kind: path}
    assert len(found) == 6  # every item is recorded, present or not


@pytest.mark.django_db
def test_a_gitlab_repository_in_a_subgroup_is_read_page_by_page(forge, project, learner) -> None:
    files = {f"data/part-{n:03}.csv": "" for n in range(150)}
    files |= {
        ".gitlab-ci.yml": "test: {}\n",
        "README.md": "## Quick start\n",
        "tests/conftest.py": "",
    }
    forge.gitlab("team/ml/fraud-api", files)
    found = run(solution_for(project, learner, "https://gitlab.com/team/ml/fraud-api"))
    assert found["ci"].present and found["ci"].path == ".gitlab-ci.yml"
    assert found["tests"].present and found["readme_setup"].path == "Quick start"
    assert not found["licence"].present and found["licence"].detail == "no licence file"
    tree_pages = [p for p in forge.requested() if "/repository/tree" in p]
    assert len(tree_pages) == 2


@pytest.mark.django_db
def test_a_repository_without_a_readme_says_so(forge, project, learner) -> None:
    forge.github("ada/bare", {"main.py": ""})
    found = run(solution_for(project, learner, "https://github.com/ada/bare"))
    assert found["readme_setup"].present is False
    assert found["readme_setup"].detail == "no README"


@pytest.mark.django_db
def test_a_missing_repository_fails_with_words_and_keeps_the_last_evidence(
    forge, project, learner
) -> None:
    forge.github("ada/fraud-api", FULL)
    solution = solution_for(project, learner, "https://github.com/ada/fraud-api")
    run(solution)
    forge.site.scripts.pop("/repos/ada/fraud-api")  # the repository went private, say
    found = run(solution)
    assert solution.evidence_status == Solution.EvidenceStatus.FAILED
    assert "not found, or it is not public" in solution.evidence_error
    assert found["tests"].present  # a failed read says nothing new about the repository


@pytest.mark.django_db
def test_a_rate_limit_with_retry_after_is_waited_out(forge, project, learner) -> None:
    forge.github("ada/fraud-api", FULL)
    ok = forge.site.scripts["/repos/ada/fraud-api"]
    forge.site.scripts["/repos/ada/fraud-api"] = lambda request: (
        Reply(429, {"Retry-After": "1"}, b"") if request.number == 1 else ok
    )
    solution = solution_for(project, learner, "https://github.com/ada/fraud-api")
    found = run(solution)
    assert solution.evidence_status == Solution.EvidenceStatus.CHECKED
    assert found["container"].present
    assert forge.site.stats.early() == []  # no request came during the pause


@pytest.mark.django_db
def test_an_oversized_readme_is_refused_not_read_whole(forge, project, learner) -> None:
    forge.github("ada/huge", {"README.md": "# x\n" + "a" * (600 * 1024)})
    solution = solution_for(project, learner, "https://github.com/ada/huge")
    run(solution)
    assert solution.evidence_status == Solution.EvidenceStatus.FAILED
    assert "larger than 512 KB" in solution.evidence_error


@pytest.mark.django_db
def test_every_fetch_goes_through_the_ssrf_guard(forge, settings, project, learner) -> None:
    forge.github("ada/fraud-api", FULL)
    settings.LINKCHECK_ALLOW_PRIVATE = False  # the fake is on loopback: the guard refuses it
    solution = solution_for(project, learner, "https://github.com/ada/fraud-api")
    found = run(solution)
    assert solution.evidence_status == Solution.EvidenceStatus.FAILED
    assert found == {}
    assert forge.requested() == []


@pytest.mark.django_db
def test_a_repository_changed_during_the_read_records_nothing(forge, project, learner) -> None:
    forge.github("ada/fraud-api", FULL)
    solution = solution_for(project, learner, "https://github.com/ada/fraud-api")
    assert (
        services.evidence_record(
            solution_id=solution.pk,
            repository_url="https://github.com/ada/old",
            snapshot=None,
            error="x",
        )
        is None
    )
    solution.refresh_from_db()
    assert solution.evidence_status == Solution.EvidenceStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_submitting_queues_the_read_through_the_outbox_and_it_runs(forge, project, learner) -> None:
    from apps.outbox.models import OutboxMessage

    forge.github("ada/fraud-api", FULL)
    solution = services.solution_submit(
        learner=learner,
        project=project,
        data=SolutionInput("https://github.com/ada/fraud-api", None, "", []),
    )
    message = OutboxMessage.objects.get(task=services.EVIDENCE_TASK)
    assert message.args == [solution.pk]
    assert message.sent_at is not None  # eager: published and run after the commit
    solution.refresh_from_db()
    assert solution.evidence_status == Solution.EvidenceStatus.CHECKED
    assert solution.evidence.filter(present=True).count() == 6


@pytest.mark.django_db
def test_the_schedule_rereads_only_stale_repositories(
    project, learner, django_capture_on_commit_callbacks
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from apps.outbox.models import OutboxMessage

    fresh = SolutionFactory(project=project, evidence_checked_at=timezone.now())
    stale = SolutionFactory(project=project, evidence_checked_at=timezone.now() - timedelta(days=8))
    never = SolutionFactory(project=project)
    with django_capture_on_commit_callbacks():
        due = services.evidence_sweep()
    assert sorted(due) == sorted([stale.pk, never.pk])
    assert fresh.pk not in due
    assert OutboxMessage.objects.filter(task=services.EVIDENCE_TASK).count() == 2
