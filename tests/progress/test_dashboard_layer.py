"""The dashboard kept per learner (roadmap_site/dashboard_layer.py): the same bytes as the whole
page rendered for that learner (CSRF tokens aside), a repeat visit in a few queries and no page
template, every input it is drawn from showing on the next request, and nobody's dashboard or
token on anybody else's page.

Time stands at a Sunday evening (UTC): the next day, or a time zone already in it, is a new
week of the plan, so the date moving on shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db.models import Value
from django.db.models.functions import Concat
from django.middleware.csrf import _does_token_match

from apps.accounts.services import user_profile_update
from apps.progress.models import Enrollment, TopicProgress
from apps.progress.pause import plan_pause, plan_resume
from apps.progress.services import (
    calendar_token_regenerate,
    check_in_put,
    enrollment_put,
    topic_note_put,
    topic_progress_put,
    topic_time_put,
)
from apps.roadmap.models import Phase, Project, Resource, Roadmap, Section, Topic
from apps.roadmap.services import community_touch, pages_touch, roadmap_touch
from apps.solutions.models import Solution
from tests.factories import ProjectFactory, SolutionFactory, UserFactory, resource
from tests.support.clients import CSRF_TOKEN, around_a_write, whole_page, without_tokens
from tests.support.clients import page_client_for as signed_in
from tests.support.fixtures import SUNDAY_EVENING, topics_in_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sunday")]


DASHBOARD = "roadmap_site.dashboard_layer.DashboardLayerMiddleware"
STARTED = date(2026, 11, 8)  # week 4 on that Sunday, week 5 from the Monday
topics = topics_in_order


def goal(roadmap) -> Project:
    return Project.objects.filter(roadmap=roadmap).first() or ProjectFactory(roadmap=roadmap)


def enrol(user, roadmap, **changes: Any) -> Enrollment:
    """Enrolled since `STARTED` at 6 hours a week with a goal project, unless `changes`."""
    fields: dict[str, Any] = {
        "start_date": STARTED,
        "hours_per_week": 6,
        "goal_project": goal(roadmap),
        **changes,
    }
    return enrollment_put(user=user, roadmap=roadmap, **fields)


@pytest.fixture
def enrolled(learner, roadmap):
    """A learner with a done, an in-progress and a skipped topic, two check-ins and a solution
    to their goal project."""
    enrolment = enrol(learner, roadmap)
    first, second, third = topics(roadmap)[:3]
    topic_progress_put(user=learner, topic=first, status=TopicProgress.Status.DONE)
    topic_progress_put(user=learner, topic=second, status=TopicProgress.Status.IN_PROGRESS)
    topic_progress_put(user=learner, topic=third, status=TopicProgress.Status.SKIPPED)
    for week in (2, 3):
        check_in_put(user=learner, enrollment=enrolment, week=week, hours=4)
    SolutionFactory(learner=learner, project=enrolment.goal_project)
    return learner


def path_of(roadmap) -> str:
    return f"/roadmaps/{roadmap.slug}/dashboard/"


def whole(settings, user, path: str) -> str:
    return whole_page(settings, user, path, without=DASHBOARD)


def rendered(response) -> set[str]:
    return {template.name for template in response.templates}


def test_the_middleware_runs_just_before_the_page_layer() -> None:
    assert django_settings.MIDDLEWARE[-2:] == [
        DASHBOARD,
        "roadmap_site.page_layer.PageLayerMiddleware",
    ]


@pytest.mark.parametrize("who", ["learner", "moderator"])
def test_the_kept_dashboard_is_the_whole_page(settings, roadmap, enrolled, moderator, who) -> None:
    """Byte for byte the page the view renders whole, first as it is kept, then from the kept
    copy; the moderator's header shows their badge."""
    user = enrolled if who == "learner" else moderator
    if who == "moderator":
        enrol(moderator, roadmap)
        resource(roadmap, topics(roadmap)[0], status=Resource.Status.PENDING)
    path = path_of(roadmap)
    client = signed_in(user)
    first, again = client.get(path), client.get(path)
    assert first.status_code == again.status_code == 200
    expected = whole(settings, user, path)
    assert without_tokens(first.content.decode()) == expected
    assert without_tokens(again.content.decode()) == expected
    assert "base.html" in rendered(first) and "base.html" not in rendered(again)
    assert again["Cache-Control"] == "private, no-store"
    assert "Week 4 of" in expected
    assert ('class="badge"' in expected) == (who == "moderator")
    if who == "learner":
        assert "Your solution:" in expected
        assert "Streak: <strong>2</strong>" in expected
    secret = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    tokens = CSRF_TOKEN.findall(again.content.decode())
    assert len(tokens) > 3 and all(_does_token_match(token, secret) for token in tokens)


def test_a_repeat_costs_the_session_and_the_versions(
    roadmap, enrolled, django_assert_num_queries
) -> None:
    path = path_of(roadmap)
    client = signed_in(enrolled)
    client.get(path)  # kept
    # the session with its user, role and personal version (the database's triggers move it
    # with every write the page shows: dashboard_layer._personal_key), the pages' versions
    with django_assert_num_queries(2):
        again = client.get(path)
    assert again.status_code == 200
    assert not any(name.startswith("progress/") for name in rendered(again)), rendered(again)


def _status(user, roadmap) -> None:
    topic_progress_put(user=user, topic=topics(roadmap)[1], status=TopicProgress.Status.DONE)


def _time(user, roadmap) -> None:
    topic_time_put(user=user, topic=topics(roadmap)[0], hours_taken=7)


def _retire(user, roadmap) -> None:
    """The skipped topic leaves the roadmap: the dashboard lists it with the learner's note."""
    Topic.objects.filter(pk=topics(roadmap)[2].pk).update(retired_at=SUNDAY_EVENING)
    pages_touch()


def _note(user, roadmap) -> None:
    topic = Topic.objects.get(pk=TopicProgress.objects.get(user=user, status="skipped").topic_id)
    topic_note_put(user=user, topic=topic, note_md="Kept.", if_note_version=0)


def _check_in(user, roadmap) -> None:
    enrolment = Enrollment.objects.get(user=user, roadmap=roadmap)
    check_in_put(user=user, enrollment=enrolment, week=4, hours=9)


def _pause(user, roadmap) -> None:
    plan_pause(enrollment=Enrollment.objects.get(user=user, roadmap=roadmap))


def _resume(user, roadmap, sunday) -> None:
    """A week after pausing (the page before: paused)."""
    sunday.shift(timedelta(days=7))
    plan_resume(enrollment=Enrollment.objects.get(user=user, roadmap=roadmap))


def _pace(user, roadmap) -> None:
    enrol(user, roadmap, hours_per_week=12)


def _start(user, roadmap) -> None:
    enrol(user, roadmap, start_date=STARTED - timedelta(weeks=1))


def _calendar(user, roadmap) -> None:
    calendar_token_regenerate(enrollment=Enrollment.objects.get(user=user, roadmap=roadmap))


def _time_zone(user, roadmap) -> None:
    """Already Monday there: the next week."""
    user_profile_update(user=user, display_name=user.display_name, time_zone="Pacific/Kiritimati")


def _display_name(user, roadmap) -> None:
    user_profile_update(user=user, display_name="Ada L.", time_zone=user.time_zone)


def _next_day(user, roadmap, sunday) -> None:
    sunday.shift(timedelta(hours=1))


def _content(user, roadmap) -> None:
    Roadmap.objects.filter(pk=roadmap.pk).update(title="A brand new title")
    roadmap_touch(roadmap=roadmap)


def _community(user, roadmap) -> None:
    community_touch()


# Content written without `pages_touch` (a script, an admin's bulk action): the database's
# triggers move the pages' version (roadmap migration 0010), so the topics kept for the
# dashboard (roadmap_site/page_layer.plan_topics) are read again.
def _topics_renamed(user, roadmap) -> None:
    Topic.objects.filter(roadmap=roadmap).update(title=Concat(Value("Renamed "), "title"))


def _phases_renamed(user, roadmap) -> None:
    Phase.objects.filter(roadmap=roadmap).update(title=Concat(Value("Renamed "), "title"))


def _sections_renamed(user, roadmap) -> None:
    Section.objects.filter(roadmap=roadmap).update(title=Concat(Value("Renamed "), "title"))


def _hours_set(user, roadmap) -> None:
    """Every topic 5 hours (the seed's have none: 1 hour each in a plan)."""
    Topic.objects.filter(roadmap=roadmap).update(est_hours=5)


def _solution_hidden(user, roadmap) -> None:
    """What the demo checks write (apps/solutions/services.py): no version, no updated_at."""
    Solution.objects.filter(learner=user).update(visibility=Solution.Visibility.HIDDEN_DEMO)


def _solution_gone(user, roadmap) -> None:
    Solution.objects.filter(learner=user).update(state=Solution.State.WITHDRAWN)


def _re_enrolment(user, roadmap) -> None:
    """Unenrolled (the row deleted), then enrolled again, at the same settings."""
    Enrollment.objects.filter(user=user, roadmap=roadmap).delete()
    enrol(user, roadmap)


# Each input: what writes it, and a text the page shows after it but not before ("": the page
# differs; None: it need not, it only stays the whole page's bytes).
CHANGES: dict[str, tuple[Callable[..., None], str | None]] = {
    "a status": (_status, ""),
    "a topic's time": (_time, None),
    "a note": (_note, "(with a note)"),
    "a check-in": (_check_in, "Update my check-in"),
    "a pause": (_pause, "Your plan is paused since"),
    "a resume": (_resume, "Pause my plan"),
    "the pace": (_pace, "12 hours a week"),
    "the start date": (_start, "Week 5 of"),
    "the calendar link": (_calendar, ""),
    "the time zone": (_time_zone, "Week 5 of"),
    "the display name": (_display_name, None),
    "the date": (_next_day, "Week 5 of"),
    "a content edit": (_content, "A brand new title"),
    "a community change": (_community, None),
    "topics renamed, untouched": (_topics_renamed, "Renamed "),
    "phases renamed, untouched": (_phases_renamed, "Renamed "),
    "sections renamed, untouched": (_sections_renamed, "Renamed "),
    "topics' hours set, untouched": (_hours_set, ""),
    "the solution hidden": (_solution_hidden, "It is hidden"),
    "the solution withdrawn": (_solution_gone, "You have not submitted a solution yet"),
    "a re-enrolment": (_re_enrolment, ""),
}


# What the page is before the change, where it is not the fixture's.
SETUP: dict[str, Callable[..., None]] = {"a note": _retire, "a resume": _pause}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_input_shows_on_the_next_request(settings, roadmap, enrolled, sunday, change) -> None:
    """The page after each write is the whole page's bytes (so nothing kept was served)."""
    path = path_of(roadmap)
    client = signed_in(enrolled)
    if change in SETUP:
        SETUP[change](enrolled, roadmap)
    write, shown = CHANGES[change]
    args = (roadmap, sunday) if "sunday" in write.__code__.co_varnames else (roadmap,)
    before, after = around_a_write(client, path, write, enrolled, *args)
    assert after == whole(settings, enrolled, path)
    if shown is not None:
        assert after != before
    if shown:
        assert shown in after and shown not in before


def test_unenrolled_the_learner_is_sent_to_enrol(roadmap, enrolled) -> None:
    path = path_of(roadmap)
    client = signed_in(enrolled)
    client.get(path)
    Enrollment.objects.filter(user=enrolled, roadmap=roadmap).delete()
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer["Location"] == f"/roadmaps/{roadmap.slug}/enrol/"
    assert client.get("/roadmaps/no-such-roadmap/dashboard/").status_code == 404


def test_nobody_sees_anybody_elses_dashboard_or_token(settings, roadmap, enrolled) -> None:
    grace = UserFactory(username="grace", display_name="Grace")
    enrol(grace, roadmap, hours_per_week=9)
    topic_progress_put(user=grace, topic=topics(roadmap)[4], status=TopicProgress.Status.DONE)
    ada, graces = signed_in(enrolled), signed_in(grace)
    path = path_of(roadmap)
    for _ in range(2):  # as kept, then from the kept copies
        mine, theirs = ada.get(path), graces.get(path)
        mine_body, theirs_body = mine.content.decode(), theirs.content.decode()
        assert "6 hours a week" in mine_body and "9 hours a week" in theirs_body
        assert "Your solution:" in mine_body and "Your solution:" not in theirs_body
        for client, body in ((ada, mine_body), (graces, theirs_body)):
            secret = client.cookies[django_settings.CSRF_COOKIE_NAME].value
            tokens = CSRF_TOKEN.findall(body)
            assert tokens and all(_does_token_match(token, secret) for token in tokens)
    assert without_tokens(mine_body) == whole(settings, enrolled, path)
    assert without_tokens(theirs_body) == whole(settings, grace, path)


def test_htmx_query_parameters_and_posts_go_to_the_view(roadmap, enrolled) -> None:
    client = signed_in(enrolled)
    path = path_of(roadmap)
    client.get(path)  # kept
    assert "base.html" in rendered(client.get(path, {"any": "1"}))
    assert "base.html" in rendered(client.get(path, HTTP_HX_REQUEST="true"))
    assert "base.html" not in rendered(client.get(path))
    answer = client.post(f"/roadmaps/{roadmap.slug}/check-in/", {"hours": "3", "note": ""})
    assert answer.status_code == 302
    assert "Update my check-in" in client.get(path).content.decode()


def test_a_flash_message_shows_once_on_the_kept_dashboard(roadmap, enrolled) -> None:
    client = signed_in(enrolled)
    path = path_of(roadmap)
    client.get(path)  # kept
    client.post(f"/roadmaps/{roadmap.slug}/pause/", {"action": "pause"})
    client.post(f"/roadmaps/{roadmap.slug}/pause/", {"action": "resume"})
    shown = client.get(path).content.decode()
    assert "Your plan runs again" in shown
    assert "Your plan runs again" not in client.get(path).content.decode()


def test_at_100x_the_kept_page_is_the_whole_page_and_moves_with_a_status(
    settings, django_assert_max_num_queries
) -> None:
    """At 100 times the seed's content and use (tests/support/query_counts.py)."""
    from tests.support.query_counts import seed_scale

    site = seed_scale(100)
    path = f"/roadmaps/{site.slug}/dashboard/"
    client = signed_in(site.learner)
    client.get(path)
    with django_assert_max_num_queries(5):
        again = without_tokens(client.get(path).content.decode())
    assert again == whole(settings, site.learner, path)
    row = TopicProgress.objects.filter(user=site.learner, status="in_progress").first()
    assert row is not None
    topic_progress_put(user=site.learner, topic=row.topic, status=TopicProgress.Status.DONE)
    after = without_tokens(client.get(path).content.decode())
    assert after != again
    assert after == whole(settings, site.learner, path)
