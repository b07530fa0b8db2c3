"""What changed since you finished: a done topic's later public changes (its text, its
resources' list, their links) are shown on the topic page and the map until dismissed; the
API's topic progress carries `revision_done` and `revision_current`."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.moderation.services import resources as moderation_resources
from apps.moderation.services import submissions, topics
from apps.progress import selectors, services
from apps.progress.models import TopicProgress
from apps.roadmap.models import Resource, Topic, TopicChange
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.services import roadmap_import
from roadmap_site.errors import Invalid
from roadmap_site.limits import TOPIC_REVISION
from tests.factories import approved, pending
from tests.support.seed import SEED_README as SEED

pytestmark = pytest.mark.django_db

Kind = TopicChange.Kind
PAGE = "/roadmaps/ml-engineer/topics/testing/"
DISMISS = PAGE + "changes/dismiss/"
NOTICE = "Updated since you finished"


@pytest.fixture
def testing(roadmap) -> Topic:
    return Topic.objects.get(roadmap=roadmap, slug="testing")


@pytest.fixture
def web(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


def _done(learner, topic: Topic) -> TopicProgress:
    return services.topic_progress_put(user=learner, topic=topic, status="done")


def _changes(learner, topic: Topic) -> list[tuple[str, str]]:
    topic.refresh_from_db()
    row = TopicProgress.objects.get(user=learner, topic=topic)
    return [(c.kind, c.detail) for c in selectors.changes_since_done(row=row, topic=topic)]


def _edit_text(moderator, topic: Topic, body: str = "A new body. It says more now.") -> None:
    topics.topic_edit(actor=moderator, topic=topic, body=body)


# -- each kind of change


def test_a_text_edit_after_done_is_shown(roadmap, learner, moderator, testing) -> None:
    _done(learner, testing)
    assert _changes(learner, testing) == []
    topics.topic_edit(actor=moderator, topic=testing, title="Testing ML systems", body="New.")
    assert _changes(learner, testing) == [(Kind.TEXT, "Changed the title, text.")]


def test_hours_or_place_alone_are_no_change_of_the_text(
    roadmap, learner, moderator, testing
) -> None:
    _done(learner, testing)
    topics.topic_edit(actor=moderator, topic=testing, est_hours=(testing.est_hours or 3) + 1)
    testing.refresh_from_db()
    assert testing.revision == 0
    assert _changes(learner, testing) == []


def test_a_revert_is_a_text_change(roadmap, learner, moderator, testing) -> None:
    first = testing.history.latest().history_id
    _edit_text(moderator, testing)
    _done(learner, testing)
    topics.topic_revert(actor=moderator, topic=testing, revision_id=first)
    assert [kind for kind, _ in _changes(learner, testing)] == [Kind.TEXT]


def test_a_resource_added_after_done_is_shown(
    roadmap, learner, moderator, submitter, testing
) -> None:
    _done(learner, testing)
    submission = pending(
        roadmap, testing, submitter, title="Property tests", url="https://new.example/p"
    )
    submissions.submission_approve(actor=moderator, resource=submission)
    assert _changes(learner, testing) == [(Kind.RESOURCE_ADDED, "Property tests")]


def test_a_bulk_approval_adds_each_resource_and_a_rejection_nothing(
    roadmap, learner, moderator, submitter, testing
) -> None:
    _done(learner, testing)
    one = pending(roadmap, testing, submitter, title="One", url="https://one.example/")
    two = pending(roadmap, testing, submitter, title="Two", url="https://two.example/")
    turned_down = pending(roadmap, testing, submitter, title="No", url="https://no.example/")
    submissions.submissions_bulk_decide(
        actor=moderator, ids=[turned_down.pk], action="reject", reason="Off topic."
    )
    assert _changes(learner, testing) == []
    submissions.submissions_bulk_decide(actor=moderator, ids=[one.pk, two.pk], action="approve")
    assert sorted(_changes(learner, testing)) == [
        (Kind.RESOURCE_ADDED, "One"),
        (Kind.RESOURCE_ADDED, "Two"),
    ]


def test_a_resource_url_swapped_after_done_is_shown(roadmap, learner, moderator, testing) -> None:
    moved = approved(
        roadmap,
        testing,
        url="https://old.example/guide",
        title="Guide",
        health=Resource.Health.REDIRECTED,
        final_url="https://new.example/guide",
    )
    _done(learner, testing)
    moderation_resources.resource_redirect_apply(actor=moderator, resource=moved)
    assert _changes(learner, testing) == [
        (Kind.LINK_UPDATED, "“Guide” moved to https://new.example/guide")
    ]


def test_a_resource_retired_or_replaced_after_done_is_shown(
    roadmap, learner, moderator, testing
) -> None:
    gone = approved(roadmap, testing, url="https://gone.example/", title="Gone")
    dup = approved(roadmap, testing, url="https://dup.example/", title="Dup")
    kept = approved(roadmap, testing, url="https://kept.example/", title="Kept")
    _done(learner, testing)
    moderation_resources.resource_retire(actor=moderator, resource=gone)
    moderation_resources.resource_merge(actor=moderator, resource=dup, into_id=kept.pk)
    assert _changes(learner, testing) == [
        (Kind.RESOURCE_REPLACED, "“Dup” by “Kept”"),
        (Kind.RESOURCE_REMOVED, "Gone"),
    ]


def test_a_resource_moved_to_another_topic_changes_both(
    roadmap, learner, moderator, testing
) -> None:
    other = Topic.objects.get(roadmap=roadmap, slug="security")
    moving = approved(roadmap, testing, url="https://moving.example/", title="Moving")
    _done(learner, testing)
    _done(learner, other)
    moderation_resources.resource_edit(actor=moderator, resource=moving, topic=other)
    assert _changes(learner, testing) == [(Kind.RESOURCE_REMOVED, "Moving")]
    assert _changes(learner, other) == [(Kind.RESOURCE_ADDED, "Moving")]


def test_a_reimport_that_changes_the_text_is_shown(roadmap, learner, testing) -> None:
    _done(learner, testing)
    text = decode_readme(SEED.read_bytes())
    start = text.index("- **Testing:**")
    end = text.index("\n", start)
    text = text[:end] + " Also: contract tests." + text[end:]
    roadmap_import(text=text, slug="ml-engineer")
    assert _changes(learner, testing) == [(Kind.TEXT, "Changed the text.")]
    # The same file again changes nothing more.
    roadmap_import(text=text, slug="ml-engineer")
    assert len(_changes(learner, testing)) == 1


def test_a_reimport_that_changes_a_topics_links_is_shown(roadmap, learner) -> None:
    topic = Topic.objects.get(roadmap=roadmap, title="ML in Research vs Production")
    _done(learner, topic)
    text = decode_readme(SEED.read_bytes())
    lines = text.split("\n")
    removed = next(i for i, line in enumerate(lines) if "bairesdev.com" in line)
    del lines[removed]
    added = next(i for i, line in enumerate(lines) if "qwak.com" in line) + 1
    lines.insert(added, "  - [A new field guide](https://guide.example/field) - Added later.")
    roadmap_import(text="\n".join(lines), slug="ml-engineer")
    assert sorted(_changes(learner, topic)) == [
        (Kind.RESOURCE_ADDED, "A new field guide"),
        (
            Kind.RESOURCE_REMOVED,
            "Academic Machine Learning Vs. Production Oriented Machine Learning",
        ),
    ]


# -- before done, dismiss, later changes


def test_a_change_before_done_shows_nothing(roadmap, learner, moderator, testing) -> None:
    _edit_text(moderator, testing)
    row = _done(learner, testing)
    testing.refresh_from_db()
    assert row.revision_done == testing.revision == 1
    assert _changes(learner, testing) == []
    assert not selectors.updated_since_done(row=row, topic=testing)


def test_a_change_while_not_done_shows_nothing_once_done_again(
    roadmap, learner, moderator, testing
) -> None:
    _done(learner, testing)
    services.topic_progress_put(user=learner, topic=testing, status="in_progress")
    _edit_text(moderator, testing)
    _done(learner, testing)
    assert _changes(learner, testing) == []


def test_dismiss_hides_it_and_a_later_change_shows_again(
    roadmap, learner, moderator, testing
) -> None:
    _done(learner, testing)
    _edit_text(moderator, testing)
    testing.refresh_from_db()
    services.topic_changes_dismiss(user=learner, topic=testing, revision=testing.revision)
    assert _changes(learner, testing) == []
    again = services.topic_changes_dismiss(user=learner, topic=testing, revision=testing.revision)
    assert again.revision_done == 1  # idempotent
    _edit_text(moderator, testing, body="Third body.")
    assert _changes(learner, testing) == [(Kind.TEXT, "Changed the text.")]


def test_a_stale_dismiss_still_shows_the_newer_change(roadmap, learner, moderator, testing) -> None:
    _done(learner, testing)
    _edit_text(moderator, testing)  # revision 1: what the page showed
    _edit_text(moderator, testing, body="Changed again meanwhile.")  # revision 2
    services.topic_changes_dismiss(user=learner, topic=testing, revision=1)
    assert _changes(learner, testing) == [(Kind.TEXT, "Changed the text.")]
    # A revision beyond the topic's is bounded by it.
    row = services.topic_changes_dismiss(user=learner, topic=testing, revision=TOPIC_REVISION.max)
    assert row.revision_done == 2
    assert _changes(learner, testing) == []


def test_dismiss_is_refused_for_a_topic_not_done_or_a_revision_out_of_range(
    roadmap, learner, testing
) -> None:
    with pytest.raises(Invalid) as not_done:
        services.topic_changes_dismiss(user=learner, topic=testing, revision=0)
    assert "revision" in not_done.value.fields
    _done(learner, testing)
    for wrong in (-1, TOPIC_REVISION.max + 1):
        with pytest.raises(Invalid):
            services.topic_changes_dismiss(user=learner, topic=testing, revision=wrong)
    assert TopicProgress.objects.get(user=learner, topic=testing).revision_done == 0


# -- the API


def test_the_api_progress_answer_carries_the_revisions(
    roadmap, learner, moderator, testing
) -> None:
    client = APIClient()
    client.force_login(learner)
    url = "/api/v1/me/progress/ml-engineer/topics/testing/"
    fresh = client.get(url).json()
    assert (fresh["revision_done"], fresh["revision_current"]) == (None, 0)
    done = client.put(url, {"status": "done"}, format="json").json()
    assert (done["revision_done"], done["revision_current"]) == (0, 0)
    _edit_text(moderator, testing)
    changed = client.get(url).json()
    assert (changed["revision_done"], changed["revision_current"]) == (0, 1)


def test_the_schema_documents_the_revisions(db) -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    fields = schema["components"]["schemas"]["TopicProgressOutput"]["properties"]
    assert fields["revision_done"]["nullable"] is True
    assert fields["revision_current"]["maximum"] == TOPIC_REVISION.max
    assert "changed since" in fields["revision_done"]["description"]


# -- the pages


def test_the_topic_page_says_what_changed_and_dismisses_without_javascript(
    roadmap, learner, moderator, testing, web
) -> None:
    _done(learner, testing)
    assert NOTICE not in web.get(PAGE).content.decode()
    _edit_text(moderator, testing)
    page = web.get(PAGE).content.decode()
    assert NOTICE in page and "The text was edited: Changed the text." in page
    assert f'action="{DISMISS}"' in page and 'name="revision" value="1"' in page
    assert "csrfmiddlewaretoken" in page
    assert NOTICE not in Client().get(PAGE).content.decode()  # never for anyone else

    answer = web.post(DISMISS, {"revision": "1", "next": PAGE})
    assert answer.status_code == 302 and answer["Location"] == PAGE
    assert NOTICE not in web.get(PAGE).content.decode()


def test_the_dismiss_with_htmx_swaps_the_notice_for_what_is_left(
    roadmap, learner, moderator, testing, web
) -> None:
    _done(learner, testing)
    _edit_text(moderator, testing)
    _edit_text(moderator, testing, body="Meanwhile, another change.")
    stale = web.post(DISMISS, {"revision": "1"}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 200
    body = stale.content.decode()
    assert 'id="updates-testing"' in body and NOTICE in body and 'value="2"' in body
    done = web.post(DISMISS, {"revision": "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="updates-testing"' in done and NOTICE not in done


def test_a_refused_dismiss_says_why(roadmap, learner, testing, web) -> None:
    refused = web.post(DISMISS, {"revision": "0", "next": PAGE}, follow=True)
    assert "Only a topic you finished has changes to dismiss." in refused.content.decode()
    htmx = web.post(DISMISS, {"revision": "x"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400
    assert Client().post(DISMISS, {"revision": "0"}).status_code == 302  # to sign in


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=40))
def test_any_revision_text_gets_an_answer_and_no_500(roadmap, learner, testing, web, text) -> None:
    _done(learner, testing)
    answer = web.post(DISMISS, {"revision": text}, HTTP_HX_REQUEST="true")
    assert answer.status_code in (200, 400)
    assert TopicProgress.objects.get(user=learner, topic=testing).revision_done == 0


def test_the_map_node_says_updated_since_you_finished(
    roadmap, learner, moderator, testing, web
) -> None:
    _done(learner, testing)
    services.enrollment_put(user=learner, roadmap=roadmap)
    assert "updated since you finished" not in web.get("/roadmaps/ml-engineer/").content.decode()
    _edit_text(moderator, testing)
    page = web.get("/roadmaps/ml-engineer/").content.decode()
    # The map's two layouts (the grid, and the list of weeks) each show it, on that node only.
    nodes = re.findall(r'<a class="map-node[^>]*data-topic="([^"]+)".*?</a>', page, re.S)
    marked = re.findall(
        r'<a class="map-node[^>]*data-topic="([^"]+)"(?:(?!</a>).)*'
        r'<span class="map-node__updated">updated since you finished</span>',
        page,
        re.S,
    )
    assert len(nodes) > 2 * len(marked) and marked == ["testing", "testing"]
    # The map's side panel (htmx) says what changed, as the topic page does.
    panel = web.get(PAGE + "panel/", HTTP_HX_REQUEST="true").content.decode()
    assert NOTICE in panel and "The text was edited" in panel and f'action="{DISMISS}"' in panel


# -- query counts


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_topic_page_takes_one_more_query_only_with_changes_and_the_map_none(
    roadmap, learner, moderator, testing, web
) -> None:
    services.enrollment_put(user=learner, roadmap=roadmap)
    _done(learner, testing)
    web.get(PAGE), web.get("/roadmaps/ml-engineer/")  # warm the header's cached role
    topic_before, map_before = _count(web, PAGE), _count(web, "/roadmaps/ml-engineer/")
    _edit_text(moderator, testing)
    web.get(PAGE), web.get("/roadmaps/ml-engineer/")
    assert _count(web, PAGE) == topic_before + 1
    assert _count(web, "/roadmaps/ml-engineer/") == map_before
