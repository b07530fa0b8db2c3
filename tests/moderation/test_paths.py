"""The moderator's path: the header's "Moderation" link with the counts waiting (cached, so page
query counts stay pinned), "Edit" links on public pages, the merge target picked by search,
the queue's current tab, the approve page's description and the report's breadcrumbs."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.community.models import Report
from apps.moderation.models import ModerationAction
from apps.moderation.services import roles, submissions
from apps.roadmap.models import Resource
from apps.roadmap.rendering import render_markdown
from tests.factories import FlagFactory, approved, pending, resource

pytestmark = pytest.mark.django_db

TOPIC_PAGE = "/roadmaps/ml-engineer/topics/testing/"
HEADER = re.compile(r'<header class="site-header">.*?</header>', re.S)


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def header_of(response) -> str:
    match = HEADER.search(response.content.decode())
    assert match is not None
    return match.group(0)


@pytest.fixture
def waiting(roadmap, topic, submitter) -> dict:
    """Two submissions, one open report, one failing link, one open flag on a solution."""
    item = resource(roadmap, topic, title="Item")
    return {
        "submissions": [
            pending(roadmap, topic, submitter, title="First"),
            pending(roadmap, topic, submitter, title="Second"),
        ],
        "report": Report.objects.create(resource=item, user=submitter, reason="spam"),
        "failing": resource(roadmap, topic, title="Failing", health=Resource.Health.FAILING),
        "flag": FlagFactory(user=submitter),
    }


# -- the header


def test_moderators_get_a_moderation_link_with_the_counts_waiting(waiting, moderator) -> None:
    header = header_of(browser(moderator).get(TOPIC_PAGE))
    assert 'href="/moderation/"' in header
    assert "2 submissions, 1 report, 1 failing link and 1 flag waiting" in header
    assert "2 · 1 · 1 · 1" in header


@pytest.mark.parametrize("who", ["anonymous", "outsider", "submitter"])
def test_nobody_else_gets_the_moderation_link(waiting, outsider, submitter, who) -> None:
    user = {"anonymous": None, "outsider": outsider, "submitter": submitter}[who]
    header = header_of(browser(user).get(TOPIC_PAGE))
    assert 'href="/moderation/"' not in header and "waiting" not in header


def test_the_counts_are_cached_and_recounted_by_a_moderation_write(
    waiting, moderator, roadmap, topic, submitter, django_capture_on_commit_callbacks
) -> None:
    client = browser(moderator)
    assert "2 submissions" in header_of(client.get(TOPIC_PAGE))
    pending(roadmap, topic, submitter, title="Third")  # another app's write: the cache lags
    assert "2 submissions" in header_of(client.get(TOPIC_PAGE))
    with django_capture_on_commit_callbacks(execute=True):
        for submission in waiting["submissions"]:
            submissions.submission_approve(actor=moderator, resource=submission)
    header = header_of(client.get(TOPIC_PAGE))  # the write counted them again
    assert "1 submission, 1 report" in header
    # The queue counts afresh, and the header follows at once.
    pending(roadmap, topic, submitter, title="Fourth")
    assert "2 submissions" in header_of(client.get("/moderation/"))


def test_a_moderators_page_view_costs_what_anyone_elses_does(
    waiting, moderator, outsider, django_assert_max_num_queries, django_assert_num_queries
) -> None:
    """Role and counts come from the cache once warm: the header adds no query, and the
    moderator's page costs the same at 1x and 10x what waits."""
    costs = {}
    for name, user in (("outsider", outsider), ("moderator", moderator)):
        client = browser(user)
        client.get(TOPIC_PAGE)  # warm the cache (the role, the counts, the roadmap's lookups)
        with django_assert_max_num_queries(30) as captured:
            assert client.get(TOPIC_PAGE).status_code == 200
        costs[name] = len(captured.captured_queries)
    assert costs["moderator"] == costs["outsider"], costs
    client = browser(moderator)
    with django_assert_num_queries(costs["moderator"]):
        assert "2 · 1 · 1" in header_of(client.get(TOPIC_PAGE))
    for number in range(10):
        pending(waiting["failing"].roadmap, waiting["failing"].topic, moderator, title=f"P{number}")
    client.get("/moderation/")  # the queue counts afresh and refreshes the header's copy
    with django_assert_num_queries(costs["moderator"]):
        assert "12 · 1 · 1" in header_of(client.get(TOPIC_PAGE))


def test_a_role_change_shows_in_the_header_at_once(
    waiting, outsider, django_capture_on_commit_callbacks
) -> None:
    client = browser(outsider)
    assert 'href="/moderation/"' not in header_of(client.get(TOPIC_PAGE))
    with django_capture_on_commit_callbacks(execute=True):
        roles.moderator_add(user=outsider)
    assert 'href="/moderation/"' in header_of(client.get(TOPIC_PAGE))
    with django_capture_on_commit_callbacks(execute=True):
        roles.moderator_remove(user=outsider)
    assert 'href="/moderation/"' not in header_of(client.get(TOPIC_PAGE))


# -- "Edit" on public pages


def test_edit_links_on_topic_and_resource_for_moderators_only(
    roadmap, topic, moderator, outsider
) -> None:
    item = approved(roadmap, topic)
    edit_topic = 'href="/moderation/roadmaps/ml-engineer/topics/testing/"'
    edit_item = f'href="/moderation/resources/{item.pk}/"'
    page = browser(moderator).get(TOPIC_PAGE).content.decode()
    assert edit_topic in page and edit_item in page
    for user in (outsider, None):
        page = browser(user).get(TOPIC_PAGE).content.decode()
        assert edit_topic not in page and edit_item not in page


# -- merging: the target picked by search


@pytest.fixture
def duplicate(roadmap, topic) -> dict:
    return {
        "item": resource(roadmap, topic, title="Intro to testing", url="https://dup.example/a"),
        "target": approved(roadmap, topic, url="https://testing.example/guide", title="Guide"),
        "other": resource(roadmap, topic, title="Unrelated", url="https://else.example/"),
        "retired": resource(roadmap, topic, title="Old guide", status=Resource.Status.RETIRED),
    }


def radios(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'type="radio" name="into" value="(\d+)"', html)]


def test_the_merge_form_has_no_typed_id_field(duplicate, moderator) -> None:
    page = browser(moderator).get(f"/moderation/resources/{duplicate['item'].pk}/").content
    assert b'type="number" name="into"' not in page and b'name="into"' not in page
    assert b'type="search" name="q"' in page


@pytest.mark.parametrize("query", ["guide", "GUIDE", "testing.example"])
def test_a_plain_get_search_lists_candidates_by_title_or_url(duplicate, moderator, query):
    item, target = duplicate["item"], duplicate["target"]
    page = browser(moderator).get(f"/moderation/resources/{item.pk}/", {"q": query})
    html = page.content.decode()
    assert page.status_code == 200
    assert radios(html) == [target.pk]  # approved only, same roadmap, never itself
    assert f'value="{query}"' in html  # the search box keeps what was typed


def test_the_htmx_search_answers_the_list_alone(duplicate, moderator) -> None:
    item, target = duplicate["item"], duplicate["target"]
    path = f"/moderation/resources/{item.pk}/merge/candidates/"
    fragment = browser(moderator).get(path, {"q": "guide"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert 'id="merge-candidates"' in html
    assert radios(html) == [target.pk]
    # Without htmx the same address is the page, with the search in it.
    plain = browser(moderator).get(path, {"q": "guide"})
    assert plain.status_code == 302
    assert plain["Location"] == f"/moderation/resources/{item.pk}/?q=guide#merge"


def test_a_missing_choice_is_an_error_on_the_form_that_keeps_the_search(duplicate, moderator):
    item, target = duplicate["item"], duplicate["target"]
    answer = browser(moderator).post(
        f"/moderation/resources/{item.pk}/merge/", {"q": "guide", "reason": "Same page"}
    )
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "Choose the resource to merge into: search, then pick one." in html
    assert radios(html) == [target.pk] and 'value="guide"' in html
    assert "Same page" in html  # the reason typed stays
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("choice", ["abc", "0", "99999999"])
def test_a_bad_choice_is_an_error_on_the_form(duplicate, moderator, choice) -> None:
    item = duplicate["item"]
    answer = browser(moderator).post(
        f"/moderation/resources/{item.pk}/merge/", {"q": "guide", "into": choice}
    )
    assert answer.status_code == 400
    assert b'id="merge-into-error"' in answer.content
    assert not ModerationAction.objects.exists()


def test_a_refused_choice_stays_picked_with_the_reason(duplicate, moderator) -> None:
    item, retired = duplicate["item"], duplicate["retired"]
    answer = browser(moderator).post(
        f"/moderation/resources/{item.pk}/merge/", {"q": "guide", "into": retired.pk}
    )
    html = answer.content.decode()
    assert answer.status_code == 409
    assert f"Merge into an approved resource; #{retired.pk} is retired." in html
    assert f'value="{retired.pk}" id="into-{retired.pk}" checked' in html
    assert not ModerationAction.objects.exists()


def test_picking_a_candidate_merges(duplicate, moderator) -> None:
    item, target = duplicate["item"], duplicate["target"]
    answer = browser(moderator).post(
        f"/moderation/resources/{item.pk}/merge/", {"q": "guide", "into": target.pk}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/moderation/resources/{target.pk}/"
    item.refresh_from_db()
    assert item.status == Resource.Status.RETIRED
    assert ModerationAction.objects.get().action == "merge"


# -- the queue, the approve page, the report page


@pytest.mark.parametrize(
    ("query", "current"),
    [
        ("", "Submissions"),
        ("?tab=submissions", "Submissions"),
        ("?tab=reports", "Reports"),
        ("?tab=broken", "Broken links"),
        ("?tab=nonsense", "Submissions"),
    ],
)
def test_the_queue_marks_the_current_tab(waiting, moderator, query, current) -> None:
    html = browser(moderator).get(f"/moderation/{query}").content.decode()
    tabs = re.search(r'<nav class="subnav" aria-label="Queue tabs">.*?</nav>', html, re.S)
    assert tabs is not None
    marked = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)', tabs.group(0))
    assert [label.strip() for label in marked] == [current]


def test_the_approve_page_renders_the_description_as_the_public_page_will(
    roadmap, topic, submitter, moderator
) -> None:
    text = "Read **this** first: [the guide](https://docs.example/g)\n\n<script>alert(1)</script>"
    submission = pending(roadmap, topic, submitter, description_md=text)
    html = (
        browser(moderator).get(f"/moderation/submissions/{submission.pk}/approve/").content.decode()
    )
    assert str(render_markdown(text)) in html
    assert "<strong>this</strong>" in html
    assert "**this**" not in html and "<script>alert(1)</script>" not in html


def test_the_report_page_breadcrumbs_link_to_the_topic(waiting, moderator) -> None:
    report = waiting["report"]
    html = browser(moderator).get(f"/moderation/reports/{report.pk}/resolve/").content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S)
    assert crumbs is not None
    assert f'href="{TOPIC_PAGE}">Testing</a>' in crumbs.group(0)
    assert 'href="/moderation/?tab=reports"' in crumbs.group(0)
    queue = browser(moderator).get("/moderation/?tab=reports").content.decode()
    assert f'href="{TOPIC_PAGE}">Testing</a>' in queue


def test_moderator_pages_still_refuse_others(duplicate, outsider) -> None:
    path = f"/moderation/resources/{duplicate['item'].pk}/merge/candidates/"
    assert browser(outsider).get(path, {"q": "guide"}).status_code == 403
    assert browser().get(path, {"q": "guide"}).status_code == 302
