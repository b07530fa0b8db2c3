"""The pure readers: repository URLs, a project's checklist, a repository's evidence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.solutions import evidence
from apps.solutions.evidence import findings, headings
from apps.solutions.repository import (
    GITHUB,
    GITLAB,
    RepositoryRef,
    RepositoryURLProblem,
    read_repository_url,
)
from apps.solutions.requirements import MAX_REQUIREMENTS, requirements_of

# -- repository URLs


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("https://github.com/ada/fraud-api", RepositoryRef(GITHUB, "ada/fraud-api")),
        ("https://github.com/ada/fraud-api/", RepositoryRef(GITHUB, "ada/fraud-api")),
        ("https://github.com/ada/fraud-api.git", RepositoryRef(GITHUB, "ada/fraud-api")),
        (
            "  https://www.github.com/Ada-L/fraud_api.v2 ",
            RepositoryRef(GITHUB, "Ada-L/fraud_api.v2"),
        ),
        ("https://gitlab.com/ada/fraud-api", RepositoryRef(GITLAB, "ada/fraud-api")),
        (
            "https://gitlab.com/team/ml/sub/fraud-api",
            RepositoryRef(GITLAB, "team/ml/sub/fraud-api"),
        ),
    ],
)
def test_public_repository_pages_are_read(url: str, ref: RepositoryRef) -> None:
    assert read_repository_url(url) == ref
    assert read_repository_url(ref.url) == ref  # the stored form reads back the same


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "Enter the repository"),
        ("http://github.com/ada/fraud-api", "https://"),
        ("https://bitbucket.org/ada/fraud-api", "GitHub or GitLab"),
        ("https://github.com.evil.example/ada/fraud-api", "GitHub or GitLab"),
        ("https://github.com/ada", "nothing after"),
        ("https://github.com/ada/fraud-api/tree/main", "nothing after"),
        ("https://github.com/ada/fraud-api?tab=readme", "without ? or #"),
        ("https://github.com/ada/fraud-api#readme", "without ? or #"),
        ("https://user:pw@github.com/ada/fraud-api", "user name, password or port"),
        ("https://github.com:8443/ada/fraud-api", "user name, password or port"),
        ("https://github.com/-ada/fraud-api", "not a GitHub user"),
        ("https://github.com/settings/profile", "not a GitHub user"),
        ("https://github.com/ada/fr aud", "spaces"),
        ("https://github.com/ada/..", "not a GitHub repository name"),
        ("https://gitlab.com/ada", "gitlab.com/<group>"),
        ("https://gitlab.com/ada/fraud-api/-/tree/main", "/-/"),
        ("https://gitlab.com/ada/.hidden", "not a GitLab group"),
        ("https://github.com:99999/ada/x", "GitHub or GitLab"),
    ],
)
def test_anything_but_a_public_repository_page_is_refused_with_words(url: str, says: str) -> None:
    with pytest.raises(RepositoryURLProblem, match=None) as refused:
        read_repository_url(url)
    assert says in str(refused.value)


@given(st.text(max_size=300))
def test_any_text_is_read_or_refused_never_a_crash(text: str) -> None:
    try:
        ref = read_repository_url(text)
    except RepositoryURLProblem as problem:
        assert str(problem)
    else:
        assert ref.forge in (GITHUB, GITLAB)
        assert read_repository_url(ref.url) == ref


@given(
    st.from_regex(
        r"https://(github|gitlab)\.com/[A-Za-z0-9][A-Za-z0-9_.\-/?#%:@]{0,80}", fullmatch=True
    )
)
def test_forge_like_text_is_read_or_refused_never_a_crash(text: str) -> None:
    try:
        ref = read_repository_url(text)
    except RepositoryURLProblem as problem:
        assert str(problem)
    else:
        assert ref.url.startswith(("https://github.com/", "https://gitlab.com/"))


# -- a project's checklist


@pytest.mark.parametrize(
    ("description", "texts"),
    [
        (
            "Deploy a model with FastAPI, Docker, and Redis for streaming data, e.g., detecting "
            "fraudulent transactions in real-time.",
            ["Deploy a model with FastAPI", "Docker", "Redis for streaming data"],
        ),
        (
            "Use Kubeflow to orchestrate training and serve recommendations on GCP, e.g., for an "
            "e-commerce platform.",
            ["Use Kubeflow to orchestrate training", "Serve recommendations on GCP"],
        ),
        (
            "Train a ResNet model on TPUs, optimize with TensorRT, and deploy to edge devices, "
            "e.g., for object detection in smart cameras.",
            ["Train a ResNet model on TPUs", "Optimize with TensorRT", "Deploy to edge devices"],
        ),
        (
            "Integrate Hugging Face Transformers with AWS Lambda and API Gateway, e.g., for "
            "customer support automation.",
            ["Integrate Hugging Face Transformers with AWS Lambda", "API Gateway"],
        ),
        ("", []),
        ("**Bold** `code`, and [a link](https://docs.example/x).", ["Bold code", "A link"]),
    ],
)
def test_the_checklist_is_the_description_before_its_example(description, texts) -> None:
    found = requirements_of(description)
    assert [r.text for r in found] == texts
    assert len({r.key for r in found}) == len(found)


def test_the_seed_projects_each_have_a_checklist(seed) -> None:
    from apps.roadmap.models import Project

    projects = list(Project.objects.filter(roadmap__slug="ml-engineer"))
    assert len(projects) == 4
    for item in projects:
        assert len(requirements_of(item.description_md)) >= 2, item.title


@given(st.text(max_size=2000))
def test_any_description_gives_a_bounded_checklist_with_unique_slug_keys(text: str) -> None:
    found = requirements_of(text)
    assert len(found) <= MAX_REQUIREMENTS
    keys = [r.key for r in found]
    assert len(set(keys)) == len(keys)
    for r in found:
        assert (
            r.key
            and len(r.key) <= 120
            and set(r.key) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
        )
        assert 0 < len(r.text) <= 300


# -- evidence from a file list and a README


def kinds(files: list[str], readme: str | None) -> dict[str, tuple[bool, str]]:
    return {f.kind: (f.present, f.path) for f in findings(files, readme)}


def test_each_kind_is_found_where_a_learner_would_put_it() -> None:
    found = kinds(
        [
            "README.md",
            "app/main.py",
            "tests/test_api.py",
            "docker/Dockerfile",
            ".github/workflows/ci.yml",
            "LICENSE",
        ],
        "# Fraud API\n\n## Getting started\n\npip install\n\n## Results\n\nF1 0.91\n",
    )
    assert found == {
        evidence.README_SETUP: (True, "Getting started"),
        evidence.README_RESULTS: (True, "Results"),
        evidence.TESTS: (True, "tests/test_api.py"),
        evidence.CONTAINER: (True, "docker/Dockerfile"),
        evidence.CI: (True, ".github/workflows/ci.yml"),
        evidence.LICENCE: (True, "LICENSE"),
    }


@pytest.mark.parametrize(
    ("files", "kind", "path"),
    [
        (["src/app_test.go"], evidence.TESTS, "src/app_test.go"),
        (["web/button.spec.ts"], evidence.TESTS, "web/button.spec.ts"),
        (["Containerfile"], evidence.CONTAINER, "Containerfile"),
        (["compose.yaml"], evidence.CONTAINER, "compose.yaml"),
        ([".gitlab-ci.yml"], evidence.CI, ".gitlab-ci.yml"),
        (["COPYING"], evidence.LICENCE, "COPYING"),
        (["LICENCE.md"], evidence.LICENCE, "LICENCE.md"),
    ],
)
def test_other_spellings_count(files, kind, path) -> None:
    assert kinds(files, None)[kind] == (True, path)


@pytest.mark.parametrize(
    ("files", "kind"),
    [
        (["latest.py", "contest.py"], evidence.TESTS),
        (["docs/Dockerfile-notes.txt.bak/readme"], evidence.CONTAINER),
        (["workflows/ci.yml", ".github/ci.yml"], evidence.CI),
        (["docs/LICENSE"], evidence.LICENCE),  # a licence is at the root
    ],
)
def test_look_alikes_do_not_count(files, kind) -> None:
    assert kinds(files, None)[kind][0] is False


def test_readme_sections_are_headings_not_words_in_passing() -> None:
    readme = "# Title\n\nThe results will come later; setup is easy.\n\nUsage\n=====\n"
    assert headings(readme) == ["Title", "Usage"]
    found = kinds(["README.md"], readme)
    assert found[evidence.README_SETUP] == (True, "Usage")
    assert found[evidence.README_RESULTS][0] is False
    assert {f.kind: f.detail for f in findings([], None)}[evidence.README_SETUP] == "no README"


@given(st.lists(st.text(max_size=80), max_size=30), st.one_of(st.none(), st.text(max_size=2000)))
def test_any_file_list_and_readme_give_one_finding_per_kind(files, readme) -> None:
    found = findings(files, readme)
    assert [f.kind for f in found] == list(evidence.KINDS)
    assert all(f.path in files or not f.present or f.kind.startswith("readme") for f in found)
