"""The Monday email: when it goes out (frozen time, three time zones, daylight-saving weeks),
that a retry or a second run never sends it twice, what it says, and one-click unsubscribe."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.mail import services
from apps.mail.models import WeeklyEmail
from apps.progress.models import TopicProgress
from roadmap_site.errors import NotFound
from tests.factories import (
    EnrollmentFactory,
    TopicFactory,
    TopicProgressFactory,
    UserFactory,
    WeeklyCheckInFactory,
)

ZONES = ["Pacific/Auckland", "Europe/Berlin", "America/Los_Angeles"]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def topics(roadmap, phase, topic):
    """Three topics of 4 hours: at 4 hours a week, one a week."""
    more = [
        TopicFactory(
            roadmap=roadmap,
            section=topic.section,
            phase=phase,
            slug=slug,
            title=title,
            est_hours=4,
            order=order,
        )
        for order, (slug, title) in enumerate(
            [("linear-algebra", "Linear algebra"), ("probability", "Probability")], start=2
        )
    ]
    return [topic, *more]


def _learner(name: str, zone: str, roadmap, start: date, **extra):
    user = UserFactory(username=name, time_zone=zone, email_weekly_digest=True, **extra)
    EnrollmentFactory(
        user=user, roadmap=roadmap, start_date=start, plan_anchor=start, hours_per_week=4
    )
    return user


# Monday 08:00 local, in UTC: the week before Europe's spring change, its first week of summer
# time, and New Zealand's first week of winter time (its clocks went back on 5 April).
SCHEDULE = {
    date(2026, 3, 23): {
        "Europe/Berlin": _utc("2026-03-23T07:00"),
        "America/Los_Angeles": _utc("2026-03-23T15:00"),
        "Pacific/Auckland": _utc("2026-03-22T19:00"),
    },
    date(2026, 3, 30): {
        "Europe/Berlin": _utc("2026-03-30T06:00"),
        "America/Los_Angeles": _utc("2026-03-30T15:00"),
        "Pacific/Auckland": _utc("2026-03-29T19:00"),
    },
    date(2026, 4, 6): {
        "Europe/Berlin": _utc("2026-04-06T06:00"),
        "America/Los_Angeles": _utc("2026-04-06T15:00"),
        "Pacific/Auckland": _utc("2026-04-05T20:00"),
    },
    date(2026, 10, 26): {  # Europe's clocks went back on 25 October
        "Europe/Berlin": _utc("2026-10-26T07:00"),
        "America/Los_Angeles": _utc("2026-10-26T15:00"),
        "Pacific/Auckland": _utc("2026-10-25T19:00"),
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("monday", list(SCHEDULE))
def test_sent_once_at_monday_eight_local_in_three_zones(monday, roadmap, topics):
    """The beat job runs every 15 minutes from Sunday 00:00 UTC to Tuesday 12:00 UTC: each
    learner's email goes out at the first run at or after Monday 08:00 local, and only then."""
    start = monday - timedelta(weeks=1)
    users = {zone: _learner(zone.split("/")[1].lower(), zone, roadmap, start) for zone in ZONES}
    sent_at: dict[str, list[datetime]] = {zone: [] for zone in ZONES}
    moment = datetime.combine(monday - timedelta(days=1), datetime.min.time(), UTC)
    end = moment + timedelta(hours=60)
    while moment < end:
        with time_machine.travel(moment, tick=False):
            before = len(mail.outbox)
            services.weekly_emails_send_due()
            for message in mail.outbox[before:]:
                zone = next(z for z, u in users.items() if message.to == [u.email])
                sent_at[zone].append(moment)
        moment += timedelta(minutes=15)
    assert sent_at == {zone: [SCHEDULE[monday][zone]] for zone in ZONES}
    assert WeeklyEmail.objects.filter(week_of=monday, handled_at__isnull=False).count() == 3


@pytest.mark.django_db
def test_a_second_run_and_a_retry_after_a_failed_send_never_send_twice(roadmap, topics, settings):
    user = _learner("berta", "Europe/Berlin", roadmap, date(2026, 3, 16))
    with time_machine.travel(_utc("2026-03-30T06:00"), tick=False):
        settings.EMAIL_BACKEND = "tests.support.mail_backends.RefusingBackend"
        assert services.weekly_emails_send_due() == 0  # the server refused: logged, not lost
        claim = WeeklyEmail.objects.get(user=user)
        assert claim.handled_at is None
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(_utc("2026-03-30T06:05"), tick=False):
        assert services.weekly_emails_send_due() == 1
        assert services.weekly_emails_send_due() == 0
        # The task run again directly (a redelivered message) finds the email handled.
        assert services.weekly_email_send(user_id=user.pk, week_of=date(2026, 3, 30)) is False
    with time_machine.travel(_utc("2026-03-30T21:55"), tick=False):
        assert services.weekly_emails_send_due() == 0
    assert len(mail.outbox) == 1
    assert WeeklyEmail.objects.get(user=user).handled_at == _utc("2026-03-30T06:05")


@pytest.mark.django_db
def test_a_failed_monday_is_not_sent_on_tuesday(roadmap, topics, settings):
    _learner("carl", "Europe/Berlin", roadmap, date(2026, 3, 16))
    settings.EMAIL_BACKEND = "tests.support.mail_backends.RefusingBackend"
    with time_machine.travel(_utc("2026-03-30T21:55"), tick=False):  # 23:55 in Berlin
        assert services.weekly_emails_send_due() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(_utc("2026-03-30T22:00"), tick=False):  # Tuesday in Berlin
        assert services.weekly_emails_send_due() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_claim_held_by_another_worker_is_skipped(roadmap, topics, postgres_only):
    """A second worker finds the row locked (SKIP LOCKED) and sends nothing."""
    import threading

    from django.db import connection, transaction

    user = _learner("dora", "Europe/Berlin", roadmap, date(2026, 3, 16))
    monday = date(2026, 3, 30)
    WeeklyEmail.objects.create(user=user, week_of=monday)
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        with transaction.atomic():
            WeeklyEmail.objects.select_for_update().get(user=user, week_of=monday)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        with time_machine.travel(_utc("2026-03-30T06:00"), tick=False):
            assert services.weekly_email_send(user_id=user.pk, week_of=monday) is False
    finally:
        release.set()
        thread.join()
    assert mail.outbox == []


@pytest.mark.django_db
def test_content_this_week_overdue_last_week_streak(roadmap, topics, settings):
    """Week 3 of a plan of one topic a week: topic 1 done, topic 2 (week 2) overdue, topic 3
    this week; 6 hours checked in last week, two weeks in a row."""
    user = _learner("emil", "Europe/Berlin", roadmap, date(2026, 3, 16))
    TopicProgressFactory(
        user=user,
        topic=topics[0],
        status=TopicProgress.Status.DONE,
        done_at=_utc("2026-03-18T10:00"),
    )
    WeeklyCheckInFactory(user=user, roadmap=roadmap, week=1, hours=3)
    WeeklyCheckInFactory(user=user, roadmap=roadmap, week=2, hours=6)
    with time_machine.travel(_utc("2026-03-30T06:00"), tick=False):
        assert services.weekly_emails_send_due() == 1
    [message] = mail.outbox
    html = message.alternatives[0][0]
    text = message.body
    assert message.subject == "Your week of 30 March: 1 topic this week, 1 overdue"
    for part in (text, html):
        assert "week 3" in part
        assert "Probability" in part  # this week
        assert "Linear algebra" in part  # overdue
        assert "Testing" not in part  # done
        assert "6 hours" in part
        assert "2 weeks in a row" in part
    assert re.search(r"This week:\n- Probability \(4 h, not started\)", text)
    assert re.search(r"Still open from earlier weeks:\n- Linear algebra", text)
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(rf"<{re.escape(settings.SITE_URL)}/mail/unsubscribe/[^/>]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text and unsubscribe.strip("<>") in html
    _save_rendered(message)


def _save_rendered(message) -> None:
    """Keep the email as rendered, for people to look at (SHOTS_DIR, when set)."""
    folder = os.environ.get("SHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    Path(folder, "weekly-email.html").write_text(message.alternatives[0][0], encoding="utf-8")
    Path(folder, "weekly-email.txt").write_text(
        f"Subject: {message.subject}\n"
        + "".join(f"{k}: {v}\n" for k, v in message.extra_headers.items())
        + "\n"
        + message.body,
        encoding="utf-8",
    )


@pytest.mark.django_db
def test_not_sent_when_finished_paused_or_unwanted(roadmap, topics):
    from apps.progress.models import Enrollment
    from apps.progress.pause import plan_pause

    finished = _learner("fin", "Europe/Berlin", roadmap, date(2026, 3, 16))
    for item in topics:
        TopicProgressFactory(user=finished, topic=item, status=TopicProgress.Status.SKIPPED)
    paused = _learner("pia", "Europe/Berlin", roadmap, date(2026, 3, 16))
    unwanted = _learner("ulf", "Europe/Berlin", roadmap, date(2026, 3, 16))
    unwanted.email_weekly_digest = False
    unwanted.save()
    with time_machine.travel(_utc("2026-03-28T10:00"), tick=False):
        plan_pause(enrollment=Enrollment.objects.get(user=paused))
    with time_machine.travel(_utc("2026-03-30T06:00"), tick=False):
        assert services.weekly_emails_send_due() == 0
        assert services.weekly_emails_send_due() == 0
    assert mail.outbox == []
    assert dict(WeeklyEmail.objects.values_list("user__username", "skipped")) == {
        "fin": "finished or paused",
        "pia": "finished or paused",
    }


@pytest.mark.django_db
def test_one_click_unsubscribe_post_needs_no_sign_in_nor_csrf(roadmap, topics):
    user = _learner("gus", "Europe/Berlin", roadmap, date(2026, 3, 16))
    url = urlsplit(services.unsubscribe_url(user=user, kind="weekly")).path
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200
    assert b"Unsubscribe from the Monday email" in page.content
    user.refresh_from_db()
    assert user.email_weekly_digest  # a GET (a link scanner) changes nothing
    answer = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert b"no longer gets the Monday email" in answer.content
    user.refresh_from_db()
    assert not user.email_weekly_digest
    assert client.post(url).status_code == 200  # twice: still off, no error
    with time_machine.travel(_utc("2026-03-30T06:00"), tick=False):
        assert services.weekly_emails_send_due() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["nonsense", "W1siMSIsIndlZWtseSJdXQ:abc:def", "a" * 3000])
def test_a_bad_unsubscribe_link_is_404_and_changes_nothing(client, learner, token):
    learner.email_weekly_digest = True
    learner.save()
    assert client.post(f"/mail/unsubscribe/{token}/").status_code == 404
    assert client.get(f"/mail/unsubscribe/{token}/").status_code == 404
    learner.refresh_from_db()
    assert learner.email_weekly_digest


@pytest.mark.django_db
def test_an_unsubscribe_link_for_one_kind_is_no_link_for_the_replan(roadmap, topics, client):
    """The salts keep the two kinds of links apart."""
    user = _learner("hal", "Europe/Berlin", roadmap, date(2026, 3, 16))
    token = services.unsubscribe_token(user=user, kind="weekly")
    assert client.get(f"/mail/replan/{token}/").status_code == 404


@pytest.mark.django_db
@given(token=st.text(max_size=300))
@hypothesis_settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_as_a_link_token_is_refused_as_not_found(token):
    """Arbitrary text never gets past the signature, and never raises anything but NotFound."""
    for read in (services.unsubscribe_read, services.replan_enrollment):
        with pytest.raises(NotFound):
            read(token=token)
