"""The personal API: anonymous, outsider and owner for every endpoint; ETags; exports."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar
from rest_framework.test import APIClient

from apps.accounts.services import api_token_create
from apps.progress import services
from apps.progress.models import Enrollment, ResourceTick, TopicProgress, WeeklyCheckIn
from apps.roadmap.models import Resource, Topic
from roadmap_site.limits import CHECK_IN_WEEK, HOURS_PER_WEEK, PROGRESS_NOTE

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))

PERSONAL = [
    ("get", "/api/v1/me/enrollments/ml-engineer/"),
    ("put", "/api/v1/me/enrollments/ml-engineer/"),
    ("get", "/api/v1/me/plan/ml-engineer/"),
    ("post", "/api/v1/me/plan/ml-engineer/replan/"),
    ("get", "/api/v1/me/progress/ml-engineer/"),
    ("get", "/api/v1/me/progress/ml-engineer/topics/feature-stores/"),
    ("put", "/api/v1/me/progress/ml-engineer/topics/feature-stores/"),
    ("get", "/api/v1/me/checkins/ml-engineer/"),
    ("put", "/api/v1/me/checkins/ml-engineer/1/"),
    ("get", "/api/v1/me/export.csv"),
]


@pytest.mark.parametrize(("method", "path"), PERSONAL)
def test_anonymous_callers_get_401_and_nothing_is_written(roadmap, method, path) -> None:
    response = getattr(APIClient(), method)(path, {"status": "done", "hours": 3}, format="json")
    assert response.status_code == 401
    assert not Enrollment.objects.exists() and not TopicProgress.objects.exists()


def test_anonymous_tick_is_401(roadmap) -> None:
    resource = Resource.objects.filter(roadmap=roadmap).first()
    assert APIClient().put(f"/api/v1/me/ticks/{resource.pk}/").status_code == 401
    assert APIClient().delete(f"/api/v1/me/ticks/{resource.pk}/").status_code == 401


@time_machine.travel(NOW, tick=False)
def test_enrol_then_read_the_plan_and_progress(roadmap, owner_client) -> None:
    response = owner_client.put(
        "/api/v1/me/enrollments/ml-engineer/",
        {
            "hours_per_week": 5,
            "background": "data_scientist",
            "goal_project": "recommendation-system",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["hours_per_week"] == 5 and body["start_date"] == "2026-11-26"
    assert body["goal_project"] == "recommendation-system"
    assert body["calendar_url"].startswith("http://testserver/calendar/")
    again = owner_client.put(
        "/api/v1/me/enrollments/ml-engineer/", {"hours_per_week": 6}, format="json"
    )
    assert again.status_code == 200 and again.json()["hours_per_week"] == 6
    plan = owner_client.get("/api/v1/me/plan/ml-engineer/").json()
    assert plan["current_week"] == 1 and plan["behind_by_weeks"] == 0
    planned = [slug for week in plan["weeks"] for slug in week["topics"]]
    assert len(planned) == len(set(planned)) == 38  # background reset: nothing skipped now
    progress = owner_client.get("/api/v1/me/progress/ml-engineer/").json()
    assert progress["percent_complete"] == 0
    assert [p["number"] for p in progress["phases"]] == [1, 2, 3, 4]
    assert len(progress["sections"]) == 7 and len(progress["topics"]) == 38
    replanned = owner_client.post("/api/v1/me/plan/ml-engineer/replan/")
    assert replanned.status_code == 200 and replanned.json()["weeks"][0]["number"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours_per_week": 2}, "hours_per_week"),
        ({"hours_per_week": 41}, "hours_per_week"),
        ({"background": "wizard"}, "background"),
        ({"goal_project": "no-such-project"}, "goal_project"),
        ({"start_date": "next tuesday"}, "start_date"),
        ({"start_date": "2028-01-01"}, "start_date"),  # more than a year ahead
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"hours_per_week": 10**12}, "hours_per_week"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bad_enrolment_answers_400_per_field_and_writes_nothing(
    roadmap, owner_client, body, field
) -> None:
    response = owner_client.put("/api/v1/me/enrollments/ml-engineer/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert all(isinstance(m, str) and m for m in response.json()[field])
    assert not Enrollment.objects.exists() and not TopicProgress.objects.exists()


def test_the_plan_needs_an_enrolment_and_unknown_roadmaps_are_404(roadmap, owner_client) -> None:
    not_enrolled = owner_client.get("/api/v1/me/plan/ml-engineer/")
    assert not_enrolled.status_code == 404 and not_enrolled.json()["code"] == "not_enrolled"
    assert owner_client.get("/api/v1/me/enrollments/ml-engineer/").status_code == 404
    unknown = owner_client.get("/api/v1/me/progress/nope/")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found" and unknown.json()["detail"]
    for path in ("/api/v1/me/checkins/nope/", "/api/v1/me/enrollments/nope/"):
        assert owner_client.get(path).json()["code"] == "not_found"


def test_an_outsider_sees_only_their_own_data(roadmap, learner, owner_client, outsider_client):
    owner_client.put("/api/v1/me/enrollments/ml-engineer/", {}, format="json")
    owner_client.put(
        "/api/v1/me/progress/ml-engineer/topics/feature-stores/",
        {"status": "done", "note": "private"},
        format="json",
    )
    assert outsider_client.get("/api/v1/me/enrollments/ml-engineer/").status_code == 404
    assert outsider_client.get("/api/v1/me/plan/ml-engineer/").status_code == 404
    mine = outsider_client.get("/api/v1/me/progress/ml-engineer/topics/feature-stores/").json()
    assert mine["status"] == "not_started" and mine["note"] == ""
    assert outsider_client.get("/api/v1/me/progress/ml-engineer/").json()["percent_complete"] == 0
    assert "private" not in outsider_client.get("/api/v1/me/export.csv").content.decode()
    # The outsider's own write touches only the outsider's row.
    outsider_client.put(
        "/api/v1/me/progress/ml-engineer/topics/feature-stores/",
        {"status": "skipped"},
        format="json",
    )
    assert TopicProgress.objects.get(user=learner).note_md == "private"


def test_topic_progress_etag_if_match_and_idempotent_puts(roadmap, learner, owner_client) -> None:
    path = "/api/v1/me/progress/ml-engineer/topics/feature-stores/"
    first = owner_client.get(path)
    assert first["ETag"] == '"0"' and first.json()["status"] == "not_started"
    put = owner_client.put(
        path, {"status": "in_progress", "note": "# Notes\n"}, format="json", HTTP_IF_MATCH='"0"'
    )
    assert put.status_code == 200 and put["ETag"] == '"1"'
    same = owner_client.put(
        path, {"status": "in_progress", "note": "# Notes\n"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert same.status_code == 200 and same["ETag"] == '"1"'
    assert TopicProgress.objects.filter(user=learner).count() == 1
    owner_client.put(path, {"status": "done"}, format="json", HTTP_IF_MATCH='"1"')
    stale = owner_client.put(
        path, {"status": "skipped", "note": "lost?"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 412 and stale["ETag"] == '"2"'
    body = stale.json()
    # The current state, as a GET answers it, beside the refusal's detail and code.
    current = owner_client.get(path).json()
    assert body == {"detail": body["detail"], "code": "stale", **current}
    assert (body["status"], body["note"], body["version"]) == ("done", "# Notes\n", 2)
    row = TopicProgress.objects.get(user=learner)
    assert (row.status, row.note_md, row.version) == ("done", "# Notes\n", 2)
    bad = owner_client.put(path, {"status": "done"}, format="json", HTTP_IF_MATCH="yesterday")
    assert bad.status_code == 400 and list(bad.json()) == ["If-Match"]
    invalid = owner_client.put(path, {"status": "finished"}, format="json")
    assert invalid.status_code == 400 and list(invalid.json()) == ["status"]
    missing = owner_client.get("/api/v1/me/progress/ml-engineer/topics/nope/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert TopicProgress.objects.get(user=learner).version == 2


def test_a_stale_first_write_answers_the_not_started_state(roadmap, learner, owner_client) -> None:
    path = "/api/v1/me/progress/ml-engineer/topics/feature-stores/"
    stale = owner_client.put(path, {"status": "done"}, format="json", HTTP_IF_MATCH='"4"')
    assert stale.status_code == 412 and stale["ETag"] == '"0"'
    body = stale.json()
    assert (body["code"], body["status"], body["version"], body["note"]) == (
        "stale",
        "not_started",
        0,
        "",
    )
    assert not TopicProgress.objects.exists()


def test_an_oversized_note_is_400_at_its_field(roadmap, owner_client) -> None:
    path = "/api/v1/me/progress/ml-engineer/topics/feature-stores/"
    response = owner_client.put(path, {"status": "done", "note": "x" * 20_001}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["note"]
    assert (
        owner_client.put(path, {"status": "done", "note": "x" * 20_000}, format="json").status_code
        == 200
    )


def test_ticks(roadmap, learner, owner_client) -> None:
    resource = Resource.objects.filter(roadmap=roadmap).first()
    path = f"/api/v1/me/ticks/{resource.pk}/"
    assert owner_client.put(path).json() == {"resource": resource.pk, "ticked": True}
    assert owner_client.put(path).status_code == 200
    assert ResourceTick.objects.filter(user=learner).count() == 1
    assert owner_client.delete(path).status_code == 204
    assert not ResourceTick.objects.exists()
    resource.status = Resource.Status.PENDING
    resource.save()
    assert owner_client.put(path).status_code == 404
    unknown = owner_client.put("/api/v1/me/ticks/999999/")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert not ResourceTick.objects.exists()


def test_check_ins(roadmap, learner, owner_client, outsider_client) -> None:
    with time_machine.travel(datetime(2026, 11, 9, 9, tzinfo=ZoneInfo("UTC")), tick=False):
        owner_client.put("/api/v1/me/enrollments/ml-engineer/", {}, format="json")
    with time_machine.travel(NOW, tick=False):  # week 3
        assert (
            outsider_client.put(
                "/api/v1/me/checkins/ml-engineer/1/", {"hours": 3}, format="json"
            ).status_code
            == 404
        )  # the outsider is not enrolled
        for _ in range(2):
            response = owner_client.put(
                "/api/v1/me/checkins/ml-engineer/2/", {"hours": 7, "note": "good"}, format="json"
            )
            assert response.status_code == 200
        assert response.json()["week"] == 2 and response.json()["note"] == "good"
        assert WeeklyCheckIn.objects.filter(user=learner).count() == 1
        future = owner_client.put("/api/v1/me/checkins/ml-engineer/4/", {"hours": 1}, format="json")
        assert future.status_code == 400
        assert future.json() == {"week": ["Check in for a week from 1 to 3 (this week)."]}
        for week in (0, 10**6, 10**30):
            response = owner_client.put(
                f"/api/v1/me/checkins/ml-engineer/{week}/", {"hours": 1}, format="json"
            )
            assert response.status_code == 400 and list(response.json()) == ["week"]
        for hours in (-1, 169):
            response = owner_client.put(
                "/api/v1/me/checkins/ml-engineer/1/", {"hours": hours}, format="json"
            )
            assert response.status_code == 400 and list(response.json()) == ["hours"]
        assert WeeklyCheckIn.objects.filter(user=learner).count() == 1
        listed = owner_client.get("/api/v1/me/checkins/ml-engineer/").json()
        assert listed["count"] == 1 and listed["results"][0]["hours"] == 7
        assert outsider_client.get("/api/v1/me/checkins/ml-engineer/").json()["count"] == 0
        streak = owner_client.get("/api/v1/me/progress/ml-engineer/").json()["streak"]
        assert streak == 1  # week 2; week 3 is still open


def test_tokens_drive_progress_with_either_prefix(roadmap, learner) -> None:
    _, key = api_token_create(user=learner, name="script")
    path = "/api/v1/me/progress/ml-engineer/topics/testing/"
    for prefix in ("Token", "Bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{prefix} {key}")
        assert client.put(path, {"status": "done"}, format="json").status_code == 200
    assert TopicProgress.objects.get(user=learner).status == "done"


def test_progress_csv_is_the_callers_only_and_spreadsheet_safe(roadmap, learner, outsider):
    topic = Topic.objects.get(roadmap=roadmap, slug="testing")
    services.topic_progress_put(user=learner, topic=topic, status="done", note_md="=HYPERLINK(1)")
    services.topic_progress_put(user=outsider, topic=topic, status="skipped", note_md="bob's")
    services.topic_time_put(user=learner, topic=topic, hours_taken=7)
    client = APIClient()
    client.force_login(learner)
    response = client.get("/api/v1/me/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "roadmap",
        "topic",
        "title",
        "status",
        "auto_skipped",
        "done_at",
        "note",
        "hours_taken",
    ]
    assert len(rows) == 2
    assert rows[1][:4] == ["ml-engineer", "testing", "Testing", "done"]
    assert rows[1][6] == "'=HYPERLINK(1)"
    assert rows[1][7] == "7"


def test_the_personal_export_carries_progress(roadmap, learner, outsider, owner_client) -> None:
    services.enrollment_put(user=learner, roadmap=roadmap)
    topic = Topic.objects.get(roadmap=roadmap, slug="testing")
    services.topic_progress_put(user=learner, topic=topic, status="done", note_md="mine")
    services.topic_progress_put(user=outsider, topic=topic, status="done", note_md="theirs")
    export = owner_client.get("/api/v1/me/export/").json()
    section = export["progress"]
    assert section["enrollments"][0]["roadmap"] == "ml-engineer"
    assert [t["note"] for t in section["topics"]] == ["mine"]
    assert "theirs" not in str(export)


@time_machine.travel(NOW, tick=False)
def test_the_calendar_feed_lists_the_planned_weeks(roadmap, learner, owner_client) -> None:
    Topic.objects.filter(roadmap=roadmap).update(est_hours=5)
    url = owner_client.put("/api/v1/me/enrollments/ml-engineer/", {}, format="json").json()[
        "calendar_url"
    ]
    response = APIClient().get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    # Topics of 5 h at 10 h a week: two a week, and phases never share a week.
    per_phase = Counter(Topic.objects.filter(roadmap=roadmap).values_list("phase", flat=True))
    assert len(events) == sum(math.ceil(n / 2) for n in per_phase.values())
    assert str(events[0]["summary"]).startswith("Week 1: ")
    assert APIClient().get("/calendar/not-a-token.ics").status_code == 404


def test_query_counts_do_not_grow_with_progress(
    roadmap, learner, owner_client, django_assert_max_num_queries
) -> None:
    services.enrollment_put(user=learner, roadmap=roadmap)
    for topic in Topic.objects.filter(roadmap=roadmap)[:5]:
        services.topic_progress_put(user=learner, topic=topic, status="done")
    with django_assert_max_num_queries(8) as few:
        owner_client.get("/api/v1/me/plan/ml-engineer/")
    plan_queries = len(few.captured_queries)  # read now: the next request clears the log
    with django_assert_max_num_queries(12) as few:
        owner_client.get("/api/v1/me/progress/ml-engineer/")
    progress_queries = len(few.captured_queries)
    assert plan_queries > 0 and progress_queries > 0
    for topic in Topic.objects.filter(roadmap=roadmap)[5:30]:
        services.topic_progress_put(user=learner, topic=topic, status="in_progress")
    with django_assert_max_num_queries(plan_queries):
        owner_client.get("/api/v1/me/plan/ml-engineer/")
    with django_assert_max_num_queries(progress_queries):
        owner_client.get("/api/v1/me/progress/ml-engineer/")


def test_the_schema_shows_the_limits_the_services_enforce(db) -> None:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    components = schema["components"]["schemas"]
    enrolment = components["EnrollmentInput"]["properties"]
    assert (enrolment["hours_per_week"]["minimum"], enrolment["hours_per_week"]["maximum"]) == (
        HOURS_PER_WEEK.min,
        HOURS_PER_WEEK.max,
    )
    check_in = components["CheckInInput"]["properties"]
    assert (check_in["hours"]["minimum"], check_in["hours"]["maximum"]) == (0, 168)
    assert check_in["note"]["maxLength"] == PROGRESS_NOTE.max
    assert components["TopicProgressInput"]["properties"]["note"]["maxLength"] == 20_000
    week = next(
        p
        for p in schema["paths"]["/api/v1/me/checkins/{roadmap}/{week}/"]["put"]["parameters"]
        if p["name"] == "week"
    )
    assert (week["schema"]["minimum"], week["schema"]["maximum"]) == (
        CHECK_IN_WEEK.min,
        CHECK_IN_WEEK.max,
    )
    put = schema["paths"]["/api/v1/me/progress/{roadmap}/topics/{topic}/"]["put"]["responses"]
    assert {"400", "401", "403", "404", "412"} <= set(put)
    stale = put["412"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"detail", "code", "status", "note", "version"} <= set(components[stale]["properties"])
