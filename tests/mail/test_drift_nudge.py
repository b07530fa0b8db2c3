"""The drift nudge: opt-in, after two weeks without a check-in, at most once per two weeks,
with a signed one-click re-plan that needs no sign-in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client

from apps.mail import services
from apps.progress.models import Enrollment
from tests.factories import EnrollmentFactory, UserFactory, WeeklyCheckInFactory


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def drifter(roadmap, topic):
    user = UserFactory(username="drift", time_zone="Europe/Berlin", email_drift_nudge=True)
    with time_machine.travel(_utc("2026-03-02T09:00"), tick=False):
        EnrollmentFactory(
            user=user, roadmap=roadmap, start_date=date(2026, 3, 2), plan_anchor=date(2026, 3, 2)
        )
        WeeklyCheckInFactory(user=user, roadmap=roadmap, week=1, hours=3)
    return user


def _run(moment: str) -> int:
    with time_machine.travel(_utc(moment), tick=False):
        return services.nudges_send_due()


@pytest.mark.django_db
def test_one_nudge_after_two_weeks_then_none_for_two_weeks(drifter):
    assert _run("2026-03-16T08:59") == 0  # 13 days 23 h 59 min after the check-in
    assert _run("2026-03-16T09:00") == 1
    assert _run("2026-03-16T10:00") == 0  # the hourly job again
    assert _run("2026-03-29T09:00") == 0  # 13 days later
    assert _run("2026-03-30T09:00") == 1  # two weeks later, still no check-in
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.to == [drifter.email]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/mail/replan/" in message.body and "/mail/replan/" in message.alternatives[0][0]


@pytest.mark.django_db
def test_no_nudge_unless_asked_or_after_a_check_in(drifter, roadmap):
    with time_machine.travel(_utc("2026-03-10T09:00"), tick=False):
        WeeklyCheckInFactory(user=drifter, roadmap=roadmap, week=2, hours=2)
    assert _run("2026-03-16T09:00") == 0  # the last check-in is 6 days old
    drifter.email_drift_nudge = False
    drifter.save()
    assert _run("2026-04-16T09:00") == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_off_by_default(roadmap, topic):
    user = UserFactory(username="quiet")
    assert user.email_drift_nudge is False
    with time_machine.travel(_utc("2026-03-02T09:00"), tick=False):
        EnrollmentFactory(user=user, roadmap=roadmap, start_date=date(2026, 3, 2))
    assert _run("2026-04-02T09:00") == 0


@pytest.mark.django_db
def test_the_replan_link_asks_then_lays_the_plan_out_from_this_week(drifter):
    assert _run("2026-03-16T09:00") == 1
    url = urlsplit(re.search(r"http\S+/mail/replan/\S+/", mail.outbox[0].body)[0]).path
    client = Client(enforce_csrf_checks=False)
    with time_machine.travel(_utc("2026-03-18T09:00"), tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert b"Re-plan from this week" in page.content
        assert Enrollment.objects.get(user=drifter).plan_anchor == date(2026, 3, 2)  # GET: no
        answer = client.post(url)
        assert answer.status_code == 200 and b"starts again this week" in answer.content
    assert Enrollment.objects.get(user=drifter).plan_anchor == date(2026, 3, 18)


@pytest.mark.django_db
def test_the_replan_page_posts_with_a_csrf_token(drifter):
    """The re-plan is an ordinary form: its page carries the token, and a POST without one
    is refused."""
    token = services.replan_token(enrollment=Enrollment.objects.get(user=drifter))
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/mail/replan/{token}/")
    assert b"csrfmiddlewaretoken" in page.content
    assert client.post(f"/mail/replan/{token}/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["x", "eyJhIjoxfQ:1:2", "W1sxLDJdXQ"])
def test_a_bad_replan_link_is_404(client, token):
    assert client.get(f"/mail/replan/{token}/").status_code == 404
    assert client.post(f"/mail/replan/{token}/").status_code in {403, 404}


@pytest.mark.django_db
def test_the_preferences_page_offers_the_nudge(client, learner):
    client.force_login(learner)
    assert "not checked in for two weeks" in client.get("/settings/email/").content.decode()
    client.post("/settings/email/", {"email_drift_nudge": "on"})
    learner.refresh_from_db()
    assert learner.email_drift_nudge and not learner.email_weekly_digest
