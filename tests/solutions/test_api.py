"""The solutions API: its refusals are the house's JSON bodies, and the schema says so."""

from __future__ import annotations

import pytest

from apps.solutions.models import Solution
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

BODY = {
    "roadmap": "ml-engineer",
    "project": "real-time-fraud-detection",
    "repository_url": "https://github.com/ada/fraud-api",
    "demo_url": "https://fraud.example/",
    "write_up": "**Bold** <script>alert(1)</script>",
    "topics": ["testing"],
}


def test_submit_read_edit_and_a_stale_edit(project, learner) -> None:
    api = client_for(learner)
    created = api.post("/api/v1/solutions/", BODY, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["repository_url"] == "https://github.com/ada/fraud-api"
    assert body["topics"] == ["testing"] and body["version"] == 1
    assert (
        "<script>" not in body["write_up_html"] and "<strong>Bold</strong>" in body["write_up_html"]
    )
    assert [r["text"] for r in body["requirements"]] == [
        "Deploy a model with FastAPI",
        "Docker",
        "Redis for streaming data",
    ]
    pk = body["id"]
    edit = {**BODY, "write_up": "v2", "version": 1}
    assert api.put(f"/api/v1/solutions/{pk}/", edit, format="json").json()["version"] == 2
    stale = api.put(f"/api/v1/solutions/{pk}/", {**edit, "write_up": "v3"}, format="json")
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale"
    assert stale.json()["current"]["write_up_md"] == "v2"
    assert client_for(None).get(f"/api/v1/solutions/{pk}/").json()["write_up"] == "v2"


def test_a_second_solution_is_a_409_naming_the_first(project, learner) -> None:
    api = client_for(learner)
    first = api.post("/api/v1/solutions/", BODY, format="json").json()
    again = api.post("/api/v1/solutions/", BODY, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "solution_exists"
    assert again.json()["existing"] == {"id": first["id"], "version": 1}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"repository_url": "https://github.com/ada"}, "repository_url"),
        ({"demo_url": "http://192.168.0.1/"}, "demo_url"),
        ({"topics": ["not-a-topic"]}, "topics"),
        ({"write_up": "x" * 20_001}, "write_up"),
    ],
)
def test_bad_input_is_a_400_by_field(project, learner, changes, field) -> None:
    response = client_for(learner).post("/api/v1/solutions/", {**BODY, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json() or field.removesuffix("_md") in str(response.json())
    assert Solution.objects.count() == 0


def test_anonymous_reads_but_cannot_submit_and_others_cannot_edit(
    project, learner, outsider
) -> None:
    assert client_for(None).post("/api/v1/solutions/", BODY, format="json").status_code in (
        401,
        403,
    )
    pk = client_for(learner).post("/api/v1/solutions/", BODY, format="json").json()["id"]
    refused = client_for(outsider).put(
        f"/api/v1/solutions/{pk}/", {**BODY, "version": 1}, format="json"
    )
    assert refused.status_code == 403
    listed = client_for(None).get(
        "/api/v1/solutions/?roadmap=ml-engineer&project=real-time-fraud-detection"
    )
    assert [row["id"] for row in listed.json()["results"]] == [pk]


def test_a_hidden_solution_is_seen_only_by_its_author(project, learner, outsider) -> None:
    pk = client_for(learner).post("/api/v1/solutions/", BODY, format="json").json()["id"]
    Solution.objects.filter(pk=pk).update(visibility="hidden_demo")
    assert client_for(outsider).get(f"/api/v1/solutions/{pk}/").status_code == 404
    assert client_for(learner).get(f"/api/v1/solutions/{pk}/").json()["visibility"] == "hidden_demo"


def test_linking_a_requirement(project, learner) -> None:
    api = client_for(learner)
    pk = api.post("/api/v1/solutions/", BODY, format="json").json()["id"]
    linked = api.put(
        f"/api/v1/solutions/{pk}/requirements/docker/", {"target": "Dockerfile"}, format="json"
    )
    assert linked.status_code == 200
    assert linked.json() == {
        "key": "docker",
        "text": "Docker",
        "target": "Dockerfile",
        "evidence": None,
        "note": "",
    }
    bad = api.put(f"/api/v1/solutions/{pk}/requirements/nope/", {"target": "x.py"}, format="json")
    assert bad.status_code == 400 and "requirement" in bad.json()


def test_withdraw(project, learner) -> None:
    api = client_for(learner)
    pk = api.post("/api/v1/solutions/", BODY, format="json").json()["id"]
    assert (
        api.post(f"/api/v1/solutions/{pk}/withdraw/", {"version": 1}, format="json").status_code
        == 204
    )
    assert api.get(f"/api/v1/solutions/{pk}/").status_code == 404


def test_the_schema_documents_the_solutions_api(client) -> None:
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/solutions/"]) >= {"get", "post"}
    assert "409" in paths["/api/v1/solutions/"]["post"]["responses"]
    assert "412" in paths["/api/v1/solutions/{id}/"]["put"]["responses"]
    create = schema["components"]["schemas"]["SolutionCreate"]["properties"]
    assert create["write_up"]["maxLength"] == 20_000
    assert create["repository_url"]["maxLength"] == 2000


def test_the_list_and_the_project_page_cost_the_same_queries_for_1_and_10(
    project, learner, django_assert_max_num_queries
) -> None:
    from tests.factories import EvidenceFactory, RequirementLinkFactory, SolutionFactory
    from tests.support.clients import page_client_for

    def add(n: int) -> None:
        for _ in range(n):
            solution = SolutionFactory(project=project)
            EvidenceFactory(solution=solution)
            RequirementLinkFactory(solution=solution, requirement_key="docker")
            solution.topics.add(*project.topics.all())

    api, web = client_for(learner), page_client_for(learner)
    list_url = "/api/v1/solutions/?roadmap=ml-engineer&project=real-time-fraud-detection"
    page_url = "/roadmaps/ml-engineer/projects/real-time-fraud-detection/"
    add(1)
    with django_assert_max_num_queries(40) as one:
        assert len(api.get(list_url).json()["results"]) == 1
    with django_assert_max_num_queries(40) as one_page:
        web.get(page_url)
    baseline, page_baseline = len(one.captured_queries), len(one_page.captured_queries)
    print(f"queries at 1x: list {baseline}, project page {page_baseline}")
    add(9)
    with django_assert_max_num_queries(baseline):
        assert len(api.get(list_url).json()["results"]) == 10
    with django_assert_max_num_queries(page_baseline):
        web.get(page_url)
