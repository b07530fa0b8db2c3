"""Out-of-range dates and numbers: a clear 400 through the page form and the API, never a 500,
and a row that already holds an out-of-range start date (written before the bounds) still
shows its plan, dashboard and calendar, and re-enrolling with a valid date clears it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from apps.progress import services
from apps.progress.models import Enrollment, TopicProgress, WeeklyCheckIn
from roadmap_site.limits import PROGRESS_VERSION

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("UTC"))
ENROL = "/roadmaps/ml-engineer/enrol/"
API_ENROL = "/api/v1/me/enrollments/ml-engineer/"

BAD_DATES = ["9999-12-31", "0001-01-01", "10000-01-01", "1969-12-31"]
BAD_WEEKS = [40000, -1, 0, 2**31, 2**63, 2**64, "1e9"]


@pytest.fixture
def web(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


@pytest.fixture
def api(learner) -> APIClient:
    client = APIClient()
    client.force_login(learner)
    return client


@pytest.mark.parametrize("start", BAD_DATES)
@time_machine.travel(NOW, tick=False)
def test_an_out_of_range_start_date_on_the_enrol_page_is_a_400_on_the_form(
    roadmap, web, start
) -> None:
    body = {"start_date": start, "hours_per_week": "10", "background": "new_to_ml"}
    response = web.post(ENROL, body)
    assert response.status_code == 400
    assert response.context["form"].errors["start_date"]
    assert start.encode() in response.content  # what was typed stays
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("start", BAD_DATES)
@time_machine.travel(NOW, tick=False)
def test_an_out_of_range_start_date_through_the_api_is_a_400(roadmap, api, start) -> None:
    response = api.put(API_ENROL, {"start_date": start}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["start_date"]
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("hours", [2**31, 2**63, -1, "1e9", "9" * 400])
@time_machine.travel(NOW, tick=False)
def test_out_of_range_hours_per_week_are_a_400_on_page_and_api(roadmap, web, api, hours) -> None:
    page = web.post(ENROL, {"start_date": "2026-11-26", "hours_per_week": hours})
    assert page.status_code == 400 and page.context["form"].errors["hours_per_week"]
    response = api.put(API_ENROL, {"hours_per_week": hours}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["hours_per_week"]
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("week", BAD_WEEKS)
def test_a_check_in_for_an_out_of_range_week_through_the_api_is_a_400(
    roadmap, learner, api, week
) -> None:
    with time_machine.travel(NOW, tick=False):
        services.enrollment_put(user=learner, roadmap=roadmap)
        response = api.put(f"/api/v1/me/checkins/ml-engineer/{week}/", {"hours": 3}, format="json")
    # -1 does not match the <int:week> route at all; the rest reach the service
    assert response.status_code in {400, 404}
    assert response.status_code == 404 or list(response.json()) == ["week"]
    assert not WeeklyCheckIn.objects.exists()


@pytest.mark.parametrize("hours", [2**31, 2**63, -1, "1e9"])
def test_check_in_hours_out_of_range_are_a_400_on_page_and_api(
    roadmap, learner, web, api, hours
) -> None:
    with time_machine.travel(NOW, tick=False):
        services.enrollment_put(user=learner, roadmap=roadmap)
        page = web.post("/roadmaps/ml-engineer/check-in/", {"hours": hours})
        response = api.put("/api/v1/me/checkins/ml-engineer/1/", {"hours": hours}, format="json")
    assert page.status_code == 400 and page.context["check_in_form"].errors["hours"]
    assert response.status_code == 400 and list(response.json()) == ["hours"]
    assert not WeeklyCheckIn.objects.exists()


@pytest.mark.parametrize("stored", [date(9999, 12, 31), date(1, 1, 1), date(1900, 1, 1)])
def test_a_stored_out_of_range_start_date_shows_and_re_enrolling_clears_it(
    roadmap, learner, web, api, stored
) -> None:
    with time_machine.travel(NOW, tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=roadmap)
        # Written before the bounds existed: straight into the table.
        Enrollment.objects.filter(pk=enrollment.pk).update(start_date=stored, plan_anchor=stored)
        assert web.get("/roadmaps/ml-engineer/dashboard/").status_code == 200
        assert api.get("/api/v1/me/plan/ml-engineer/").status_code == 200
        assert api.get("/api/v1/me/progress/ml-engineer/").status_code == 200
        assert api.get(API_ENROL).status_code == 200
        assert web.get(ENROL).status_code == 200
        calendar = Client().get(f"/calendar/{enrollment.calendar_token}.ics")
        assert calendar.status_code == 200
        assert web.post("/roadmaps/ml-engineer/check-in/", {"hours": 2}).status_code == 302
        assert WeeklyCheckIn.objects.get(user=learner).week == 1  # read as starting this week
        assert web.post("/roadmaps/ml-engineer/replan/").status_code == 302
        assert api.post("/api/v1/me/plan/ml-engineer/replan/").status_code == 200
        # the stored date is not "kept": sending it again is refused like any other
        again = api.put(API_ENROL, {"start_date": stored.isoformat()}, format="json")
        assert again.status_code == 400 and list(again.json()) == ["start_date"]
        # re-planning above stored this week as the anchor; a valid date clears the start too
        assert Enrollment.objects.get(pk=enrollment.pk).plan_anchor == date(2026, 11, 26)
        fixed = web.post(
            ENROL,
            {"start_date": "2026-11-23", "hours_per_week": "10", "background": "new_to_ml"},
        )
        assert fixed.status_code == 302
        enrollment.refresh_from_db()
        assert (enrollment.start_date, enrollment.plan_anchor) == (
            date(2026, 11, 23),
            date(2026, 11, 26),
        )
        plan = api.get("/api/v1/me/plan/ml-engineer/").json()
        assert plan["current_week"] == 1 and plan["weeks"][0]["number"] == 1


@pytest.mark.parametrize("stored", [date(9999, 12, 31), date(1, 1, 1)])
def test_re_enrolling_replaces_a_stored_out_of_range_start_and_anchor(
    roadmap, learner, stored
) -> None:
    with time_machine.travel(NOW, tick=False):
        enrollment = services.enrollment_put(user=learner, roadmap=roadmap)
        Enrollment.objects.filter(pk=enrollment.pk).update(start_date=stored, plan_anchor=stored)
        again = services.enrollment_put(
            user=learner, roadmap=roadmap, start_date=date(2026, 11, 23), hours_per_week=6
        )
    again.refresh_from_db()
    # A new start date and pace re-plan what is not done from today (issue 16), so the anchor
    # is today, in the start date's week.
    assert (again.start_date, again.plan_anchor) == (date(2026, 11, 23), date(2026, 11, 26))


@pytest.mark.parametrize("big", [2**31, 2**63, 2**64])
def test_huge_resource_ids_to_tick_are_404(roadmap, web, api, big) -> None:
    assert api.put(f"/api/v1/me/ticks/{big}/").status_code == 404
    assert api.delete(f"/api/v1/me/ticks/{big}/").status_code == 404
    page = web.post(f"/roadmaps/ml-engineer/resources/{big}/tick/", {"ticked": "1"})
    assert page.status_code == 404


@pytest.mark.parametrize("version", [PROGRESS_VERSION.max + 1, 2**63, 10**30])
def test_an_out_of_range_version_is_a_400_on_page_and_api(roadmap, web, api, version) -> None:
    path = "/api/v1/me/progress/ml-engineer/topics/feature-stores/"
    response = api.put(path, {"status": "done"}, format="json", HTTP_IF_MATCH=f'"{version}"')
    assert response.status_code == 400 and list(response.json()) == ["version"]
    page = web.post(
        "/roadmaps/ml-engineer/topics/feature-stores/note/", {"note": "mine", "version": version}
    )
    assert page.status_code == 400 and b"mine" in page.content
    assert not TopicProgress.objects.exists()
