"""A learner's roadmap, phase and section pages kept filled under their personal version
(roadmap_site/page_layer.personal_key; accounts.PersonalVersion, moved by the progress tables'
triggers, progress migration 0007): a repeat costs the session and the pages' version alone,
every input shows on the next request as the whole page's bytes, the flash messages and CSRF
tokens stay per request, and nobody gets anybody else's page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.csrf import _does_token_match
from django.test import RequestFactory

from apps.accounts.models import PersonalVersion
from apps.accounts.services import user_profile_update
from apps.progress.models import Enrollment, ResourceTick, TopicProgress, WeeklyCheckIn
from apps.progress.pause import plan_pause
from apps.progress.services import check_in_put, enrollment_put, topic_progress_put
from apps.roadmap.models import Resource
from roadmap_site import page_layer
from tests.factories import UserFactory
from tests.support.clients import CSRF_TOKEN, around_a_write, whole_page, without_tokens
from tests.support.clients import page_client_for as signed_in
from tests.support.fixtures import SUNDAY_EVENING, topics_in_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sunday")]

LAYER = "roadmap_site.page_layer.PageLayerMiddleware"
topics = topics_in_order


def paths(roadmap) -> dict[str, str]:
    phase = roadmap.phases.order_by("number").first()
    section = roadmap.sections.order_by("number").first()
    return {
        "roadmap": f"/roadmaps/{roadmap.slug}/",
        "phase": f"/roadmaps/{roadmap.slug}/phases/{phase.slug}/",
        "section": f"/roadmaps/{roadmap.slug}/sections/{section.number}/",
    }


@pytest.fixture
def enrolled(learner, roadmap):
    enrolment = enrollment_put(
        user=learner, roadmap=roadmap, start_date=SUNDAY_EVENING.date() - timedelta(weeks=3)
    )
    first, second = topics(roadmap)[:2]
    topic_progress_put(user=learner, topic=first, status=TopicProgress.Status.DONE)
    topic_progress_put(user=learner, topic=second, status=TopicProgress.Status.IN_PROGRESS)
    check_in_put(user=learner, enrollment=enrolment, week=3, hours=4)
    return learner


def whole(settings, user, path: str) -> str:
    return whole_page(settings, user, path, without=LAYER)


@pytest.mark.parametrize("page", ["roadmap", "phase", "section"])
def test_a_repeat_is_the_kept_page_in_two_queries(
    settings, roadmap, enrolled, page, django_assert_num_queries
) -> None:
    path = paths(roadmap)[page]
    client = signed_in(enrolled)
    client.get(path)
    # the session with its user, role and personal version; the pages' version (a query in a
    # test's transaction, pushed to each process otherwise: apps/roadmap/version_feed.py)
    with django_assert_num_queries(2):
        again = client.get(path)
    assert without_tokens(again.content.decode()) == whole(settings, enrolled, path)


# -- every input, on the next request


def _status(user, roadmap) -> None:
    topic_progress_put(user=user, topic=topics(roadmap)[2], status=TopicProgress.Status.DONE)


def _status_written_directly(user, roadmap) -> None:
    """No service: a script, an admin's bulk action (the table's trigger moves the version)."""
    TopicProgress.objects.filter(user=user, status="in_progress").update(status="skipped")


def _row_deleted(user, roadmap) -> None:
    TopicProgress.objects.filter(user=user, status="done").delete()


def _check_in(user, roadmap) -> None:
    enrolment = Enrollment.objects.get(user=user, roadmap=roadmap)
    check_in_put(user=user, enrollment=enrolment, week=4, hours=9)


def _check_in_deleted(user, roadmap) -> None:
    WeeklyCheckIn.objects.filter(user=user).delete()


def _pace(user, roadmap) -> None:
    Enrollment.objects.filter(user=user, roadmap=roadmap).update(hours_per_week=12)


def _pause(user, roadmap) -> None:
    plan_pause(enrollment=Enrollment.objects.get(user=user, roadmap=roadmap))


def _unenrolled(user, roadmap) -> None:
    Enrollment.objects.filter(user=user, roadmap=roadmap).delete()


def _time_zone(user, roadmap) -> None:
    """Already Monday there: the next week."""
    user_profile_update(user=user, display_name=user.display_name, time_zone="Pacific/Kiritimati")


def _next_day(user, roadmap, sunday) -> None:
    sunday.shift(timedelta(hours=1))


# Each input, and whether the roadmap page shows it (False: it need not; the page after it is
# still the whole page's bytes).
CHANGES: dict[str, tuple[Callable[..., None], bool]] = {
    "a status": (_status, True),
    "a status written directly": (_status_written_directly, True),
    "a row deleted": (_row_deleted, True),
    "a check-in": (_check_in, True),
    "check-ins deleted": (_check_in_deleted, True),
    "the pace, written directly": (_pace, True),
    "a pause": (_pause, False),
    "unenrolled": (_unenrolled, True),
    "the time zone": (_time_zone, True),
    "the date": (_next_day, True),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_input_shows_on_the_next_request(settings, roadmap, enrolled, sunday, change) -> None:
    path = paths(roadmap)["roadmap"]
    client = signed_in(enrolled)
    write, shown = CHANGES[change]
    args = (roadmap, sunday) if "sunday" in write.__code__.co_varnames else (roadmap,)
    before, after = around_a_write(client, path, write, enrolled, *args)
    assert after == whole(settings, enrolled, path)
    if shown:
        assert after != before


def test_each_progress_table_moves_the_learners_version_alone(roadmap, enrolled, outsider) -> None:
    def version(user) -> int:
        row = PersonalVersion.objects.filter(user_id=user.pk).first()
        return row.version if row else 0

    resource = Resource.objects.filter(roadmap=roadmap).first()
    assert resource is not None
    writes: list[Callable[[], Any]] = [
        lambda: Enrollment.objects.filter(user=enrolled).update(hours_per_week=3),
        lambda: TopicProgress.objects.filter(user=enrolled).update(note_md="x"),
        lambda: WeeklyCheckIn.objects.filter(user=enrolled).update(hours=5),
        lambda: ResourceTick.objects.create(user=enrolled, resource=resource),
        lambda: ResourceTick.objects.filter(user=enrolled).delete(),
    ]
    for write in writes:
        mine, theirs = version(enrolled), version(outsider)
        write()
        assert version(enrolled) > mine
        assert version(outsider) == theirs


# -- what stays per request, and per person


def test_the_tokens_and_a_flash_message_are_each_requests_own(roadmap, enrolled) -> None:
    """The kept page leaves them as markers: each request masks the token anew, and a
    message is shown once, on the next page."""
    path = paths(roadmap)["roadmap"]
    client = signed_in(enrolled)
    client.get(path)
    kept = client.get(path).content.decode()
    secret = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    tokens = CSRF_TOKEN.findall(kept)
    assert tokens and all(_does_token_match(token, secret) for token in tokens)
    again = client.get(path).content.decode()
    assert set(CSRF_TOKEN.findall(again)).isdisjoint(tokens)  # masked anew: not the kept ones

    # A message waiting in its cookie, as a redirect leaves it, with nothing else changed: the
    # page comes from the kept one.
    storage = CookieStorage(RequestFactory().get(path))
    storage.add(messages.SUCCESS, "Saved, and shown once.")
    response = HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    kept_before = len(page_layer._PERSONAL._items)
    shown = client.get(path).content.decode()
    assert len(page_layer._PERSONAL._items) == kept_before  # served from the kept page
    assert "Saved, and shown once." in shown
    assert "Saved, and shown once." not in client.get(path).content.decode()


def test_nobody_gets_anybody_elses_page(settings, roadmap, enrolled) -> None:
    other = UserFactory(username="other-learner")
    enrollment_put(user=other, roadmap=roadmap, start_date=SUNDAY_EVENING.date())
    path = paths(roadmap)["roadmap"]
    mine, theirs = signed_in(enrolled), signed_in(other)
    mine.get(path)
    theirs.get(path)
    assert without_tokens(mine.get(path).content.decode()) == whole(settings, enrolled, path)
    assert without_tokens(theirs.get(path).content.decode()) == whole(settings, other, path)


def test_a_moderators_page_is_not_kept(roadmap, moderator, django_assert_num_queries) -> None:
    """The header's queue counts move without them: their layer is read each time."""
    path = paths(roadmap)["roadmap"]
    client = signed_in(moderator)
    client.get(path)
    client.get(path)
    page_layer._PERSONAL.clear()
    before = len(page_layer._PERSONAL._items)
    client.get(path)
    assert len(page_layer._PERSONAL._items) == before == 0
