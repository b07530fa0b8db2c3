"""The community API for anonymous callers, outsiders, owners and moderators."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.community.models import Report, Vote
from apps.roadmap.models import Resource
from tests.factories import approved, resource
from tests.support.clients import client_for
from tests.support.url_strategies import url_shaped

pytestmark = pytest.mark.django_db

BODY = {
    "roadmap": "ml-engineer",
    "topic": "testing",
    "url": "https://blog.example/testing-ml",
    "title": "Testing ML code",
    "kind": "article",
    "description": "A *practical* guide.",
}


def test_anonymous_callers_get_401_everywhere(roadmap, topic) -> None:
    resource = approved(roadmap, topic)
    anonymous = client_for(None)
    assert anonymous.post("/api/v1/submissions/", BODY, format="json").status_code == 401
    assert anonymous.get("/api/v1/submissions/").status_code == 401
    vote = f"/api/v1/resources/{resource.pk}/vote/"
    assert anonymous.put(vote, {"value": 1}, format="json").status_code == 401
    assert anonymous.delete(vote).status_code == 401
    reports = f"/api/v1/resources/{resource.pk}/reports/"
    assert anonymous.post(reports, {"reason": "spam"}, format="json").status_code == 401
    assert Resource.objects.count() == 1 and not Vote.objects.exists()
    assert not Report.objects.exists()


def test_submit_list_and_the_moderators_view(owner, outsider, moderator, topic) -> None:
    response = client_for(owner).post("/api/v1/submissions/", BODY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["topic"] == "testing" and body["reason"] == ""
    assert body["submitted_by"] == "Owner Example"  # the public name (display name)
    mine = client_for(owner).get("/api/v1/submissions/").json()
    assert mine["count"] == 1 and mine["results"][0]["id"] == body["id"]
    assert client_for(outsider).get("/api/v1/submissions/").json()["count"] == 0
    everyone = client_for(moderator).get("/api/v1/submissions/?status=pending").json()
    assert everyone["count"] == 1
    assert client_for(moderator).get("/api/v1/submissions/?status=rejected").json()["count"] == 0
    bad = client_for(owner).get("/api/v1/submissions/?status=lost")
    assert bad.status_code == 400
    assert bad.json() == {"status": ["Filter by one of: pending, approved, rejected, retired."]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "http://169.254.169.254/"}, "url"),
        ({"url": "gopher://blog.example/"}, "url"),
        ({"title": "no"}, "title"),
        ({"kind": "rumour"}, "kind"),
        ({"description": "x" * 5001}, "description"),
        ({"roadmap": "nope"}, "roadmap"),
        ({"topic": "nope"}, "topic"),
    ],
)
def test_invalid_submissions_answer_400_by_field(owner, topic, change, field) -> None:
    response = client_for(owner).post("/api/v1/submissions/", {**BODY, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Resource.objects.exists()


def test_a_duplicate_answers_409_with_the_existing_resource(owner, outsider, roadmap, topic):
    existing = approved(roadmap, topic, url="https://blog.example/testing-ml")
    response = client_for(outsider).post(
        "/api/v1/submissions/",
        {**BODY, "url": "https://BLOG.example/testing-ml?utm_source=news"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This link is already on the roadmap.",
        "code": "duplicate",
        "existing": {"id": existing.pk, "url": existing.url, "status": "approved"},
    }
    assert Resource.objects.count() == 1


def test_limits_answer_409_then_429_with_retry_after(owner, topic) -> None:
    client = client_for(owner)
    for n in range(10):
        body = {**BODY, "url": f"https://blog.example/{n}"}
        assert client.post("/api/v1/submissions/", body, format="json").status_code == 201
    eleventh = client.post(
        "/api/v1/submissions/", {**BODY, "url": "https://blog.example/x"}, format="json"
    )
    assert eleventh.status_code == 409 and "10 submissions waiting" in eleventh.json()["detail"]
    assert eleventh.json()["code"] == "pending_limit" and "existing" not in eleventh.json()
    assert Resource.objects.count() == 10
    Resource.objects.update(status=Resource.Status.APPROVED)
    for n in range(10, 20):
        body = {**BODY, "url": f"https://blog.example/{n}"}
        assert client.post("/api/v1/submissions/", body, format="json").status_code == 201
    Resource.objects.update(status=Resource.Status.APPROVED)
    limited = client.post(
        "/api/v1/submissions/", {**BODY, "url": "https://blog.example/y"}, format="json"
    )
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 23 * 3600
    body = limited.json()
    assert "in the last 24 hours" in body["detail"] and body["code"] == "daily_limit"
    assert body["retry_after"] == int(limited["Retry-After"])
    assert Resource.objects.count() == 20


def test_votes(owner, outsider, roadmap, topic) -> None:
    resource = approved(roadmap, topic, submitted_by=owner)
    path = f"/api/v1/resources/{resource.pk}/vote/"
    up = client_for(outsider).put(path, {"value": 1}, format="json")
    assert up.status_code == 200
    assert up.json() == {
        "score": pytest.approx(0.2065, abs=1e-3),
        "upvotes": 1,
        "downvotes": 0,
        "my_vote": 1,
    }
    down = client_for(outsider).put(path, {"value": -1}, format="json").json()
    assert (down["upvotes"], down["downvotes"], down["my_vote"]) == (0, 1, -1)
    withdrawn = client_for(outsider).delete(path).json()
    assert (withdrawn["upvotes"], withdrawn["downvotes"], withdrawn["my_vote"]) == (0, 0, None)
    own = client_for(owner).put(path, {"value": 1}, format="json")
    assert own.status_code == 403
    assert own.json() == {
        "detail": "You cannot vote on a resource you submitted.",
        "code": "own_resource",
    }
    assert client_for(owner).delete(path).json()["code"] == "own_resource"
    bad = client_for(outsider).put(path, {"value": 5}, format="json")
    assert bad.status_code == 400 and "value" in bad.json()
    assert not Vote.objects.exists()
    resource.status = Resource.Status.PENDING
    resource.save()
    missing = client_for(outsider).put(path, {"value": 1}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_reports(owner, outsider, roadmap, topic) -> None:
    resource = approved(roadmap, topic)
    path = f"/api/v1/resources/{resource.pk}/reports/"
    first = client_for(owner).post(path, {"reason": "paywalled", "note": "€"}, format="json")
    assert first.status_code == 201 and first.json()["reason"] == "paywalled"
    second = client_for(owner).post(path, {"reason": "spam"}, format="json")
    assert second.status_code == 409
    assert second.json() == {
        "detail": "You already reported this resource; a moderator will look at it.",
        "code": "open_report",
        "report": first.json()["id"],
    }
    assert client_for(outsider).post(path, {"reason": "spam"}, format="json").status_code == 201
    bad = client_for(outsider).post(path, {"reason": "ugly"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    assert (
        client_for(owner).post("/api/v1/resources/999/reports/", {"reason": "spam"}).status_code
        == 404
    )
    assert Report.objects.count() == 2


def test_the_export_gains_submissions_votes_and_reports(owner, outsider, roadmap, topic) -> None:
    resource = approved(roadmap, topic)
    client_for(owner).post("/api/v1/submissions/", BODY, format="json")
    client_for(owner).put(f"/api/v1/resources/{resource.pk}/vote/", {"value": 1}, format="json")
    client_for(outsider).put(f"/api/v1/resources/{resource.pk}/vote/", {"value": -1}, format="json")
    client_for(owner).post(f"/api/v1/resources/{resource.pk}/reports/", {"reason": "outdated"})
    section = client_for(owner).get("/api/v1/me/export/").json()["community"]
    assert [s["url"] for s in section["submissions"]] == [BODY["url"]]
    assert [v["value"] for v in section["votes"]] == [1]
    assert [r["reason"] for r in section["reports"]] == ["outdated"]


def test_the_submission_list_query_count_does_not_grow(owner, topic, django_assert_max_num_queries):
    client = client_for(owner)
    client.post("/api/v1/submissions/", BODY, format="json")
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/submissions/")
    baseline = len(few.captured_queries)  # read now: the next request clears the log
    assert baseline > 0
    for n in range(9):
        client.post(
            "/api/v1/submissions/", {**BODY, "url": f"https://blog.example/{n}"}, format="json"
        )
    with django_assert_max_num_queries(baseline):
        assert client.get("/api/v1/submissions/").json()["count"] == 10


def test_the_schema_shows_the_limits_the_services_enforce() -> None:
    from drf_spectacular.generators import SchemaGenerator

    from roadmap_site.limits import REPORT_NOTE, RESOURCE_DESCRIPTION, RESOURCE_TITLE, RESOURCE_URL

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    submission = schemas["SubmissionInput"]["properties"]
    assert submission["title"]["minLength"] == RESOURCE_TITLE.min
    assert submission["title"]["maxLength"] == RESOURCE_TITLE.max
    assert submission["url"]["maxLength"] == RESOURCE_URL.max
    assert submission["description"]["maxLength"] == RESOURCE_DESCRIPTION.max
    assert schemas["ReportInput"]["properties"]["note"]["maxLength"] == REPORT_NOTE.max


def test_a_title_too_short_is_refused_with_the_limits_message(owner, topic) -> None:
    response = client_for(owner).post(
        "/api/v1/submissions/", {**BODY, "title": "ab"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"title": ["The title must be 3 to 200 characters long."]}
    assert not Resource.objects.exists()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=st.one_of(st.text(max_size=60), url_shaped()))
def test_any_url_gets_a_201_or_a_400_on_the_url_field(owner, topic, url) -> None:
    response = client_for(owner).post("/api/v1/submissions/", {**BODY, "url": url}, format="json")
    assert response.status_code in (201, 400), (url, response.status_code)
    if response.status_code == 400:
        assert set(response.json()) == {"url"} and response.json()["url"]
    else:
        Resource.objects.filter(pk=response.json()["id"]).delete()  # no limit is ever reached


@pytest.mark.parametrize(
    ("status", "words"), [("pending", "already been suggested"), ("rejected", "declined")]
)
def test_a_duplicate_of_another_users_submission_reveals_nothing_of_it(
    owner, outsider, roadmap, topic, status, words
) -> None:
    theirs = resource(
        roadmap,
        topic,
        submitted_by=owner,
        url="https://secret.example/draft",
        title="Owner's private title",
        status=status,
        review_reason="Moderator's private reason",
    )
    response = client_for(outsider).post(
        "/api/v1/submissions/", {**BODY, "url": "https://secret.example/./draft#x"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate" and words in body["detail"]
    assert body["existing"] == {"status": status}
    text = response.content.decode()
    for secret in (theirs.title, theirs.review_reason, "secret.example/draft", "owner"):
        assert secret not in text
    assert f'"id":{theirs.pk}' not in text.replace(" ", "")
    assert Resource.objects.count() == 1


def test_a_probable_duplicate_goes_through_and_the_answer_names_it(owner, outsider, roadmap, topic):
    known = approved(roadmap, topic, url="https://www.blog.example/testing-ml", title="Known")
    theirs = resource(
        roadmap, topic, submitted_by=owner, status="pending", url="http://www.blog.example/other"
    )
    response = client_for(outsider).post(
        "/api/v1/submissions/", {**BODY, "url": "http://blog.example/testing-ml"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["probable_duplicates"] == [
        {"id": known.pk, "url": known.url, "title": "Known"}
    ]
    # Another user's pending submission is never named, even as a probable duplicate.
    other = client_for(outsider).post(
        "/api/v1/submissions/", {**BODY, "url": "https://blog.example/other"}, format="json"
    )
    assert other.status_code == 201 and other.json()["probable_duplicates"] == []
    assert theirs.title not in other.content.decode()
    assert Resource.objects.count() == 4
