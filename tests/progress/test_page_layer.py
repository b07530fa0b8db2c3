"""Signed-in pages as a shared shell and the learner's layer (roadmap_site/page_layer.py): the
same bytes as the whole page rendered for that learner, the shell rendered once per version,
the layer's two queries, changes on the next request, and nobody's statuses or CSRF token on
anybody else's page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.middleware.csrf import _does_token_match
from django.test import Client
from django.utils import timezone

from apps.community.services import vote_cast
from apps.moderation.services import topics as moderation_topics
from apps.progress.models import TopicProgress
from apps.progress.services import (
    check_in_put,
    enrollment_put,
    resource_tick,
    topic_note_put,
    topic_progress_put,
)
from apps.roadmap.models import Topic
from apps.roadmap.services import pages_touch, roadmap_touch
from roadmap_site.page_layer import LAYERED_PAGES, PageLayerMiddleware
from tests.factories import UserFactory, approved
from tests.support.clients import CSRF_TOKEN, without_tokens
from tests.support.clients import page_client_for as signed_in

pytestmark = pytest.mark.django_db


LAYER = "roadmap_site.page_layer.PageLayerMiddleware"


def pages(roadmap) -> dict[str, str]:
    phase = roadmap.phases.order_by("number").first()
    section = roadmap.sections.order_by("number").first()
    return {
        "roadmap:roadmap": f"/roadmaps/{roadmap.slug}/",
        "roadmap:phase": f"/roadmaps/{roadmap.slug}/phases/{phase.slug}/",
        "roadmap:section": f"/roadmaps/{roadmap.slug}/sections/{section.number}/",
        # the enrolled learner's in-progress topic (the done one's time prompt reads more)
        "roadmap:topic": f"/roadmaps/{roadmap.slug}/topics/{topics(roadmap)[1].slug}/",
    }


def topics(roadmap) -> list[Topic]:
    return list(Topic.objects.active().filter(roadmap=roadmap).order_by("section__number", "order"))


@pytest.fixture
def enrolled(learner, roadmap):
    """A learner enrolled three weeks ago with a done, an in-progress and a skipped topic (one
    of the section page's), and two check-ins."""
    enrolment = enrollment_put(
        user=learner, roadmap=roadmap, start_date=timezone.localdate() - timedelta(weeks=3)
    )
    first, second, third = topics(roadmap)[:3]
    topic_progress_put(user=learner, topic=first, status=TopicProgress.Status.DONE)
    topic_progress_put(user=learner, topic=second, status=TopicProgress.Status.IN_PROGRESS)
    topic_progress_put(user=learner, topic=third, status=TopicProgress.Status.SKIPPED)
    for week in (3, 4):
        check_in_put(user=learner, enrollment=enrolment, week=week, hours=4)
    return learner


def test_every_layered_page_is_measured_here(roadmap) -> None:
    assert set(pages(roadmap)) == set(LAYERED_PAGES)


def test_the_layer_is_the_last_middleware() -> None:
    """Its process_view runs after every other middleware's, which all run around it."""
    assert django_settings.MIDDLEWARE[-1] == LAYER
    assert PageLayerMiddleware  # the name the setting holds


@pytest.mark.parametrize("who", ["enrolled", "signed in, not enrolled"])
@pytest.mark.parametrize("name", sorted(LAYERED_PAGES))
def test_shell_and_layer_make_the_whole_page(
    settings, roadmap, enrolled, outsider, name, who
) -> None:
    """Byte for byte the page the view renders whole for the same user (the CSRF tokens aside:
    each rendering masks the token anew); first from the shell just rendered, then from the
    kept one."""
    user = enrolled if who == "enrolled" else outsider
    path = pages(roadmap)[name]
    client = signed_in(user)
    first, again = client.get(path), client.get(path)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != LAYER]
    whole = signed_in(user).get(path)
    assert first.status_code == again.status_code == whole.status_code == 200
    expected = without_tokens(whole.content.decode())
    assert "\u27ea" not in expected
    assert without_tokens(first.content.decode()) == expected
    assert without_tokens(again.content.decode()) == expected
    if name == "roadmap:roadmap" and who == "enrolled":
        assert "Your topics by section" in expected  # the learner's own map
        assert "status-label--done" in expected
        assert "2-week check-in streak" in expected
    assert first["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("name", sorted(LAYERED_PAGES))
def test_a_repeat_renders_no_page_template_and_costs_the_layer_alone(
    roadmap, enrolled, name, django_assert_num_queries
) -> None:
    path = pages(roadmap)[name]
    client = signed_in(enrolled)
    client.get(path)  # the shell, once for this version; the moderator role, then cached
    client.get(path)  # the learner's map, kept under its digest
    # The roadmap, phase and section pages: the learner's page is kept filled under their
    # personal version, read with the session (page_layer.personal_key): the session with its
    # user and the pages' version alone. The topic page: those, the enrolments and the
    # learner's row on the topic with their votes and ticks on its resources (one UNION) (the
    # topic's effort figures are in its shell: every answer moves the community version).
    expected = 4 if name == "roadmap:topic" else 2
    with django_assert_num_queries(expected):
        again = client.get(path)
    assert again.status_code == 200
    rendered = {template.name for template in again.templates}
    assert "base.html" not in rendered
    assert not any(
        name.startswith("roadmap/") and name != "roadmap/_status_label.html" for name in rendered
    ), rendered


def test_a_status_change_and_a_content_edit_show_on_the_next_request(roadmap, enrolled) -> None:
    path = pages(roadmap)["roadmap:roadmap"]
    client = signed_in(enrolled)
    topic = topics(roadmap)[5]
    before = client.get(path).content.decode()
    assert f'id="map-node-{topic.slug}"' in before
    answer = client.post(
        f"/roadmaps/{roadmap.slug}/topics/{topic.slug}/status/", {"status": "done"}
    )
    assert answer.status_code in (200, 302)
    after = client.get(path).content.decode()
    assert after.count("status-label--done") == before.count("status-label--done") + 1
    Topic.objects.filter(pk=topic.pk).update(title="A brand new title")
    roadmap_touch(roadmap=roadmap)
    edited = client.get(path).content.decode()
    assert "A brand new title" in edited
    assert after.count("status-label--done") == edited.count("status-label--done")


def test_nobody_sees_anybody_elses_statuses_or_token(roadmap, enrolled) -> None:
    path = pages(roadmap)["roadmap:roadmap"]
    other = UserFactory(username="grace")
    topic_progress_put(user=other, topic=topics(roadmap)[7], status=TopicProgress.Status.DONE)
    ada, grace, visitor = signed_in(enrolled), signed_in(other), Client()
    pages_touch()
    for _ in range(2):  # from a new shell, then from the kept one
        mine = ada.get(path)
        theirs = grace.get(path)
        anyone = visitor.get(path).content.decode()
        mine_body, theirs_body = mine.content.decode(), theirs.content.decode()
        assert mine_body.count("status-label--done") == 1
        assert mine_body.count("status-label--in_progress") == 1
        assert theirs_body.count("status-label--done") == 1
        assert "status-label--in_progress" not in theirs_body
        assert "status-label" not in anyone and "csrfmiddlewaretoken" not in anyone
        assert "My plan" in mine_body and "My plan" not in theirs_body
        for client, body in ((ada, mine_body), (grace, theirs_body)):
            secret = client.cookies[django_settings.CSRF_COOKIE_NAME].value
            tokens = CSRF_TOKEN.findall(body)
            assert tokens and all(_does_token_match(token, secret) for token in tokens)
        assert ada.cookies["csrftoken"].value != grace.cookies["csrftoken"].value


def test_htmx_and_other_query_parameters_go_to_the_view(roadmap, enrolled) -> None:
    client = signed_in(enrolled)
    path = pages(roadmap)["roadmap:section"]
    assert client.get(path, {"page": "1"}).status_code == 200
    answer = client.get(path, {"other": "1"})
    assert "base.html" in {template.name for template in answer.templates}
    answer = client.get(path, HTTP_HX_REQUEST="true")
    assert "base.html" in {template.name for template in answer.templates}


def test_a_flash_message_shows_once_on_a_layered_page(roadmap, enrolled) -> None:
    """The messages are the request's own, read (and so used up) by the layer."""
    client = signed_in(enrolled)
    topic = topics(roadmap)[6]
    path = pages(roadmap)["roadmap:roadmap"]
    client.get(path)  # the shell
    client.post(
        f"/roadmaps/{roadmap.slug}/topics/{topic.slug}/status/",
        {"status": "in_progress", "next": path},
    )
    shown = client.get(path).content.decode()
    assert f"{topic.title} is now marked" in shown
    assert 'class="flash flash--success"' in shown
    assert f"{topic.title} is now marked" not in client.get(path).content.decode()


def test_content_cannot_forge_a_marker(roadmap, enrolled) -> None:
    """A marker holds a nonce drawn for each rendering: text that looks like one is text."""
    forged = "\u27ea0123456789abcdef:nav:\u27eb and \u27eaanything:status:x\u27eb"
    topic = topics(roadmap)[0]
    Topic.objects.filter(pk=topic.pk).update(title=f"Title {forged}")
    roadmap_touch(roadmap=roadmap)
    client = signed_in(enrolled)
    for _ in range(2):
        body = client.get(pages(roadmap)["roadmap:roadmap"]).content.decode()
        assert f"Title {forged}" in body
        assert body.count('action="/accounts/logout/"') == 1


def test_the_shell_is_rendered_once_per_version_for_everybody(roadmap, enrolled, outsider) -> None:
    """One learner's request renders the shell; another's uses it; a version bump renders a
    new one."""
    path = pages(roadmap)["roadmap:roadmap"]

    def rendered(client: Client) -> bool:
        return "base.html" in {template.name for template in client.get(path).templates}

    ada, olive = signed_in(enrolled), signed_in(outsider)
    assert rendered(ada)
    assert not rendered(olive)
    assert not rendered(ada)
    pages_touch()
    assert rendered(olive)
    assert not rendered(ada)


def test_above_its_limit_a_learner_sees_the_maps_summary_and_their_banner(
    roadmap, enrolled, monkeypatch, django_assert_num_queries
) -> None:
    """The layer fills the map's marker with the summary when the roadmap has more topics than
    ROADMAP_PAGE_MAP_TOPICS, and the banner still reckons over every topic (issue 18)."""
    from roadmap_site import limits

    monkeypatch.setattr(limits, "ROADMAP_PAGE_MAP_TOPICS", len(topics(roadmap)) - 1)
    path = pages(roadmap)["roadmap:roadmap"]
    client = signed_in(enrolled)
    first = client.get(path).content.decode()
    # as with the map drawn: the learner's page kept, the session and the pages' version alone
    with django_assert_num_queries(2):
        again = client.get(path).content.decode()
    for body in (first, again):
        assert "too many to draw" in body and 'class="map__table"' not in body
        assert "2-week check-in streak" in body  # the banner, from the plan's topics
        assert "Go to my plan" in body


# -- the topic page


TOPIC_VARIANTS = ["", "?sort=new", "?free=1", "?sort=new&free=1"]


@pytest.fixture
def marked(enrolled, roadmap, moderator):
    """The enrolled learner's done topic, changed since they finished it, with their note, a
    vote each way, a tick and a suggestion of their own among its resources."""
    topic = topics(roadmap)[0]
    mine = approved(roadmap, topic, url="https://mine.example/page", submitted_by=enrolled)
    others = [
        approved(roadmap, topic, url=f"https://other.example/{n}", title=f"Other {n}")
        for n in range(2)
    ]
    vote_cast(user=enrolled, resource=others[0], value=1)
    vote_cast(user=enrolled, resource=others[1], value=-1)
    resource_tick(user=enrolled, resource=others[0])
    topic_note_put(user=enrolled, topic=topic, note_md="My *own* words.", if_note_version=0)
    moderation_topics.topic_edit(actor=moderator, topic=topic, body="A new body.")
    return topic, mine, others


def topic_path(roadmap, topic) -> str:
    return f"/roadmaps/{roadmap.slug}/topics/{topic.slug}/"


@pytest.mark.parametrize("query", TOPIC_VARIANTS)
@pytest.mark.parametrize("who", ["learner", "outsider", "moderator"])
def test_the_topic_page_from_shell_and_layer_is_the_whole_page(
    settings, roadmap, marked, enrolled, outsider, moderator, who, query
) -> None:
    user = {"learner": enrolled, "outsider": outsider, "moderator": moderator}[who]
    path = topic_path(roadmap, marked[0]) + query
    client = signed_in(user)
    first, again = client.get(path), client.get(path)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != LAYER]
    whole = signed_in(user).get(path)
    assert first.status_code == again.status_code == whole.status_code == 200
    expected = without_tokens(whole.content.decode())
    assert "\u27ea" not in expected
    assert without_tokens(first.content.decode()) == expected
    assert without_tokens(again.content.decode()) == expected
    if who == "learner":
        assert "Updated since you finished" in expected
        assert "My <em>own</em> words." in expected
        assert "About how long did it take?" in expected
        assert "Derived from your check-in: about 4.0 hours" in expected
        assert 'aria-pressed="true">Read' in expected
        assert "Withdraw my downvote for" in expected
        if "free" not in query:
            assert "Your suggestion" in expected
    assert ('class="moderator-tools"' in expected) == (who == "moderator")
    assert ('class="resource__edit"' in expected) == (who == "moderator")


def test_learners_and_visitors_never_see_each_others_topic_marks(
    roadmap, marked, enrolled, outsider
) -> None:
    topic = marked[0]
    path = topic_path(roadmap, topic)
    ada, olive, visitor = signed_in(enrolled), signed_in(outsider), Client()
    pages_touch()
    for _ in range(2):  # from a new shell, then from the kept one
        theirs = olive.get(path).content.decode()
        own = ada.get(path).content.decode()
        anyone = visitor.get(path).content.decode()
        assert "Your suggestion" in own and "My <em>own</em> words." in own
        assert "Withdraw my upvote for" in own and 'aria-pressed="true">Read' in own
        for body in (theirs, anyone):
            assert "Your suggestion" not in body and "own</em> words" not in body
            assert "Withdraw my" not in body and 'aria-pressed="true">Read' not in body
            assert "Updated since you finished" not in body
        assert "csrfmiddlewaretoken" not in anyone
        secret = olive.cookies[django_settings.CSRF_COOKIE_NAME].value
        assert all(_does_token_match(token, secret) for token in CSRF_TOKEN.findall(theirs))


def test_a_vote_a_tick_a_status_and_a_note_show_on_the_next_topic_request(
    roadmap, marked, enrolled
) -> None:
    topic, _mine, others = marked
    path = topic_path(roadmap, topic)
    client = signed_in(enrolled)
    before = client.get(path).content.decode()
    assert "Withdraw my upvote for" in before
    client.post(f"/resources/{others[0].pk}/vote/", {"value": "0"})
    client.post(f"/roadmaps/{roadmap.slug}/resources/{others[0].pk}/tick/", {"ticked": "0"})
    client.post(f"{path}status/", {"status": "in_progress"})
    client.post(f"{path}note/", {"note": "Second thoughts.", "version": "1"})
    after = client.get(path).content.decode()
    assert "Withdraw my upvote for" not in after
    assert 'aria-pressed="true">Read' not in after
    assert f'id="status-{topic.slug}-in_progress" class="status-button is-current"' in after
    assert "Second thoughts." in after and "own</em> words" not in after
    assert "About how long did it take?" not in after


def test_the_topic_pages_htmx_requests_and_other_parameters_go_to_the_view(
    roadmap, marked, enrolled
) -> None:
    client = signed_in(enrolled)
    path = topic_path(roadmap, marked[0])
    client.get(path)  # the shell
    answer = client.get(path, {"other": "1"})
    assert "base.html" in {template.name for template in answer.templates}
    answer = client.get(path, HTTP_HX_REQUEST="true")
    assert "base.html" in {template.name for template in answer.templates}
    assert "base.html" not in {template.name for template in client.get(path).templates}


def test_a_repeat_of_a_marked_topic_costs_the_layer_and_its_notice(
    roadmap, marked, enrolled, django_assert_num_queries
) -> None:
    """The done topic's derived time comes from the layer's UNION; the "updated since you
    finished" notice reads its changes (one query, only while there are some)."""
    path = topic_path(roadmap, marked[0])
    client = signed_in(enrolled)
    client.get(path)
    # the session with its user, the pages' version, the enrolments, the learner's marks; the
    # changes
    with django_assert_num_queries(5):
        again = client.get(path)
    assert "Derived from your check-in" in again.content.decode()
    assert "Updated since you finished" in again.content.decode()
