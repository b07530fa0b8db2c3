"""The learner's pages: enrol, dashboard, status, note, check-in, re-plan, ticks."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.progress import services
from apps.progress.models import Enrollment, ResourceTick, TopicProgress, WeeklyCheckIn
from apps.roadmap.models import Resource, Topic

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def web(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def enrolled(roadmap, learner):
    Topic.objects.filter(roadmap=roadmap).update(est_hours=3)
    with time_machine.travel(datetime(2026, 11, 16, 9, tzinfo=ZoneInfo("UTC")), tick=False):
        return services.enrollment_put(user=learner, roadmap=roadmap)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/roadmaps/ml-engineer/enrol/"),
        ("post", "/roadmaps/ml-engineer/enrol/"),
        ("get", "/roadmaps/ml-engineer/dashboard/"),
        ("post", "/roadmaps/ml-engineer/replan/"),
        ("post", "/roadmaps/ml-engineer/check-in/"),
        ("post", "/roadmaps/ml-engineer/topics/testing/status/"),
        ("post", "/roadmaps/ml-engineer/topics/testing/note/"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(roadmap, method, path) -> None:
    response = getattr(Client(), method)(path, {"status": "done", "hours": 2})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not TopicProgress.objects.exists() and not Enrollment.objects.exists()


def test_enrol_with_the_form_then_see_the_dashboard(roadmap, learner, web) -> None:
    assert web.get("/roadmaps/ml-engineer/dashboard/")["Location"].endswith("/enrol/")
    page = web.get("/roadmaps/ml-engineer/enrol/")
    assert b"Start the roadmap" in page.content and b'type="date"' in page.content
    response = web.post(
        "/roadmaps/ml-engineer/enrol/",
        {"start_date": "2026-11-23", "hours_per_week": "5", "background": "software_engineer"},
    )
    assert response.status_code == 302 and response["Location"].endswith("/dashboard/")
    enrollment = Enrollment.objects.get(user=learner)
    assert enrollment.hours_per_week == 5
    with time_machine.travel(NOW, tick=False):
        dashboard = web.get("/roadmaps/ml-engineer/dashboard/")
    assert dashboard.status_code == 200
    text = dashboard.content.decode()
    assert "Week 1 of" in text and "Check in for week 1" in text
    assert "The whole roadmap" in text and "<progress" in text


def test_bad_enrolment_shows_the_error_summary_and_writes_nothing(roadmap, web) -> None:
    response = web.post(
        "/roadmaps/ml-engineer/enrol/",
        {"start_date": "soon", "hours_per_week": "99", "background": "software_engineer"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "<title>Error: " in text and "There is a problem" in text
    assert 'href="#id_hours_per_week"' in text
    assert "Hours per week must be from 3 to 40." in text  # the limit's own message
    assert 'href="#id_start_date"' in text
    assert not Enrollment.objects.exists()


def test_status_buttons_work_without_javascript_and_with_htmx(roadmap, learner, web) -> None:
    path = "/roadmaps/ml-engineer/topics/testing/status/"
    plain = web.post(path, {"status": "done", "next": "/roadmaps/ml-engineer/topics/testing/"})
    assert plain.status_code == 302
    assert plain["Location"] == "/roadmaps/ml-engineer/topics/testing/"
    assert TopicProgress.objects.get(user=learner).status == "done"
    partial = web.post(path, {"status": "in_progress"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b'aria-pressed="true">In progress' in partial.content
    assert web.post(path, {"status": "finished"}).status_code == 400
    assert TopicProgress.objects.get(user=learner).status == "in_progress"
    offsite = web.post(path, {"status": "done", "next": "https://evil.example/"})
    assert offsite["Location"] == "/roadmaps/ml-engineer/topics/testing/"


def _pace_section(html: str) -> str:
    found = re.search(r'<section id="pace"[^>]*>(.*?)</section>', html, re.S)
    assert found is not None, "no pace section"
    return found.group(1)


def test_a_status_change_on_the_dashboard_brings_the_pace_out_of_band(
    roadmap, learner, web, enrolled
) -> None:
    dashboard = "/roadmaps/ml-engineer/dashboard/"
    with time_machine.travel(datetime(2026, 11, 18, 9, tzinfo=ZoneInfo("UTC")), tick=False):
        before = _pace_section(web.get(dashboard).content.decode())
        answer = web.post(
            "/roadmaps/ml-engineer/topics/testing/status/",
            {"status": "done", "region": "plan-now", "next": dashboard},
            HTTP_HX_REQUEST="true",
        )
        body = answer.content.decode()
        assert answer.status_code == 200
        assert (
            '<section id="pace" class="pace" aria-labelledby="pace-title" hx-swap-oob="true">'
            in (body)
        )
        swapped = _pace_section(body)
        left = int(re.search(r"<dt>Left</dt>\s*<dd>(\d+) estimated hours", before).group(1))
        assert f"<dd>{left - 3} estimated hours" in swapped  # the topic's 3 hours are done
        assert swapped == _pace_section(web.get(dashboard).content.decode())


def test_a_stale_note_keeps_both_texts_and_overwrites_nothing(roadmap, learner, web) -> None:
    path = "/roadmaps/ml-engineer/topics/testing/note/"
    assert web.post(path, {"note": "first", "version": "0"}).status_code == 302
    topic = Topic.objects.get(roadmap=roadmap, slug="testing")
    services.topic_progress_put(user=learner, topic=topic, status="done", note_md="from my phone")
    response = web.post(path, {"note": "typed on my laptop", "version": "1"})
    assert response.status_code == 412  # the service's Stale refusal, put on the form
    text = response.content.decode()
    assert "from my phone" in text and "typed on my laptop" in text
    assert 'name="version" value="2"' in text  # saving again from here merges onto version 2
    assert TopicProgress.objects.get(user=learner).note_md == "from my phone"
    saved = web.post(path, {"note": "merged", "version": "2"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and b"Saved." in saved.content
    row = TopicProgress.objects.get(user=learner)
    assert (row.note_md, row.status) == ("merged", "done")


@time_machine.travel(NOW, tick=False)
def test_check_in_from_the_dashboard(roadmap, learner, web, enrolled) -> None:
    response = web.post("/roadmaps/ml-engineer/check-in/", {"hours": "4", "note": "ok"})
    assert response.status_code == 302
    assert WeeklyCheckIn.objects.get(user=learner).week == 2  # started the week of 16 Nov
    web.post("/roadmaps/ml-engineer/check-in/", {"hours": "6"})
    assert WeeklyCheckIn.objects.get(user=learner).hours == 6
    bad = web.post("/roadmaps/ml-engineer/check-in/", {"hours": "-3"})
    assert bad.status_code == 400 and b"There is a problem" in bad.content
    assert WeeklyCheckIn.objects.get(user=learner).hours == 6


@time_machine.travel(NOW, tick=False)
def test_behind_notice_and_replan(roadmap, learner, web, enrolled) -> None:
    page = web.get("/roadmaps/ml-engineer/dashboard/").content.decode()
    assert "1 week behind your plan" in page and "Re-plan from this week" in page
    assert web.post("/roadmaps/ml-engineer/replan/").status_code == 302
    enrolled.refresh_from_db()
    assert enrolled.plan_anchor.isoformat() == "2026-11-26"
    assert "behind your plan" not in web.get("/roadmaps/ml-engineer/dashboard/").content.decode()


def test_ticks_from_a_page(roadmap, learner, web) -> None:
    resource = Resource.objects.filter(roadmap=roadmap, topic__isnull=False).first()
    path = f"/roadmaps/ml-engineer/resources/{resource.pk}/tick/"
    assert web.post(path, {"ticked": "1"}).status_code == 302
    assert ResourceTick.objects.filter(user=learner).count() == 1
    partial = web.post(path, {"ticked": "0"}, HTTP_HX_REQUEST="true")
    assert b"Mark as read" in partial.content and not ResourceTick.objects.exists()
    assert (
        web.post("/roadmaps/ml-engineer/resources/999999/tick/", {"ticked": "1"}).status_code == 404
    )


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_query_count_does_not_grow(
    roadmap, learner, web, enrolled, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(30) as few:
        web.get("/roadmaps/ml-engineer/dashboard/")
    baseline = len(few.captured_queries)  # read now: the next request clears the log
    assert baseline > 0
    for topic in Topic.objects.filter(roadmap=roadmap)[:20]:
        services.topic_progress_put(user=learner, topic=topic, status="done")
    for week in (1, 2):
        services.check_in_put(user=learner, enrollment=enrolled, week=week, hours=3)
    with django_assert_max_num_queries(baseline):
        web.get("/roadmaps/ml-engineer/dashboard/")


def test_the_dashboard_draws_the_week_chart_as_svg(roadmap, learner, web, enrolled) -> None:
    topic = Topic.objects.get(roadmap=roadmap, slug="testing")
    services.topic_progress_put(user=learner, topic=topic, status="done")
    with time_machine.travel(NOW, tick=False):
        services.check_in_put(user=learner, enrollment=enrolled, week=1, hours=4)
        page = web.get("/roadmaps/ml-engineer/dashboard/").content.decode()
    assert '<svg class="week-chart"' in page and 'role="img"' in page
    assert "week 1: 4 h studied" in page
    assert 'class="week-chart__done"' in page
    assert "style=" not in page


def test_the_calendar_link_is_secret_and_regenerable(roadmap, learner, outsider, web, enrolled):
    old = f"/calendar/{enrolled.calendar_token}.ics"
    assert Client().get(old).status_code == 200
    outsider_web = Client()
    outsider_web.force_login(outsider)
    # The outsider cannot regenerate (or see) another learner's link.
    assert outsider_web.post("/roadmaps/ml-engineer/calendar/regenerate/").status_code == 302
    enrolled.refresh_from_db()
    assert f"/calendar/{enrolled.calendar_token}.ics" == old
    assert enrolled.calendar_token not in outsider_web.get("/api/v1/me/export/").content.decode()
    assert web.post("/roadmaps/ml-engineer/calendar/regenerate/").status_code == 302
    enrolled.refresh_from_db()
    assert Client().get(old).status_code == 404
    assert Client().get(f"/calendar/{enrolled.calendar_token}.ics").status_code == 200


def test_a_service_refusal_lands_on_the_enrolment_form(roadmap, web) -> None:
    with time_machine.travel(NOW, tick=False):
        response = web.post(
            "/roadmaps/ml-engineer/enrol/",
            {"start_date": "2031-01-05", "hours_per_week": "5", "background": "new_to_ml"},
        )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'href="#id_start_date"' in text and "within a year of today" in text
    assert 'value="2031-01-05"' in text  # what was typed stays
    assert not Enrollment.objects.exists()


def test_a_too_long_note_is_refused_on_its_page(roadmap, learner, web) -> None:
    path = "/roadmaps/ml-engineer/topics/testing/note/"
    response = web.post(path, {"note": "x" * 20_001, "version": "0"})
    assert response.status_code == 400
    assert "A note can be at most 20,000 characters long." in response.content.decode()
    assert not TopicProgress.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_check_in_hours_beyond_a_week_are_refused(roadmap, learner, web, enrolled) -> None:
    response = web.post("/roadmaps/ml-engineer/check-in/", {"hours": "169"})
    assert response.status_code == 400
    assert "Hours must be from 0 to 168." in response.content.decode()
    assert not WeeklyCheckIn.objects.exists()


def test_unknown_roadmaps_topics_and_calendars_are_404_pages(roadmap, web) -> None:
    for response in (
        web.post("/roadmaps/ml-engineer/topics/nope/status/", {"status": "done"}),
        web.post("/roadmaps/ml-engineer/topics/nope/note/", {"note": "", "version": "0"}),
        web.get("/roadmaps/nope/dashboard/"),
        web.get("/roadmaps/nope/enrol/"),
        Client().get("/calendar/not-a-token.ics"),
    ):
        assert response.status_code == 404
        assert b"<html" in response.content
    assert not TopicProgress.objects.exists()
