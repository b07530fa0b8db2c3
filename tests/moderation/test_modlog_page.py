"""The public moderation log page: each entry links to what it acted on while that is still on
the site (plain text once it is gone), and the log filters by action and by moderator with a
plain GET form whose bad values get a clear 400, never a 500. Query counts stay flat."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.community.models import Report
from apps.moderation.models import ModerationAction
from apps.moderation.services import reports, resources, submissions, topics
from apps.roadmap.models import Resource
from apps.roadmap.services import pages_touch
from tests.factories import UserFactory, pending, resource

pytestmark = pytest.mark.django_db


def row_of(html: str, *words: str) -> str:
    """The first (newest) table row of the log that holds all of `words`."""
    for row in re.findall(r"<tr>.*?</tr>", html, re.S):
        if all(word in row for word in words):
            return row
    raise AssertionError(f"no log row with {words!r}")


@pytest.fixture
def acted(roadmap, topic, moderator, submitter, outsider) -> dict:
    """One action of each kind of target: a topic, a resource, a submission, a report."""
    kept = resource(roadmap, topic, title="Kept resource")
    gone = resource(roadmap, topic, title="Deleted resource")
    retired = resource(roadmap, topic, title="Retired resource")
    approved = pending(roadmap, topic, submitter, title="Approved submission")
    rejected = pending(roadmap, topic, submitter, title="Rejected submission")
    report = Report.objects.create(resource=kept, user=outsider, reason="dead link")
    topics.topic_edit(actor=moderator, topic=topic, est_hours=6)
    resources.resource_edit(actor=moderator, resource=kept, description="Better words.")
    resources.resource_edit(actor=moderator, resource=gone, description="Soon gone.")
    resources.resource_retire(actor=moderator, resource=retired)
    submissions.submission_approve(actor=moderator, resource=approved)
    submissions.submission_reject(actor=moderator, resource=rejected, reason="Off topic.")
    reports.report_resolve(actor=moderator, report=report)
    Resource.objects.filter(pk=gone.pk).delete()
    return {"kept": kept, "retired": retired, "approved": approved, "rejected": rejected}


def test_each_entry_links_to_what_it_acted_on_while_it_is_on_the_site(acted, client) -> None:
    html = client.get("/modlog/").content.decode()
    topic_page = "/roadmaps/ml-engineer/topics/testing/"
    assert f'href="{topic_page}"' in row_of(html, "edit-topic")
    kept = acted["kept"].pk
    assert f'href="{topic_page}#resource-{kept}"' in row_of(html, ">edit<", "Kept resource")
    approved = acted["approved"].pk
    row = row_of(html, "Approved submission")
    assert "submission" in row and f'href="{topic_page}#resource-{approved}"' in row
    row = row_of(html, "resolve-report")
    assert "report on" in row and f'href="{topic_page}#resource-{kept}"' in row
    # Gone (deleted) or no longer listed (retired, rejected): the title stays, as plain text.
    for title, note in (
        ("Deleted resource", "removed"),
        ("Retired resource", "not listed"),
        ("Rejected submission", "not listed"),
    ):
        row = row_of(html, title)
        assert "<a " not in row, row
        assert note in row


def test_the_log_filters_by_action_and_by_moderator(roadmap, topic, moderator, client) -> None:
    other = UserFactory(username="otto", display_name="Otto", moderator=True)
    topics.topic_edit(actor=moderator, topic=topic, est_hours=6)
    topics.topic_edit(actor=other, topic=topic, est_hours=7)
    resources.resource_retire(actor=other, resource=resource(roadmap, topic, title="Old"))

    def actions(query: str) -> list[tuple[str, str]]:
        page = client.get(f"/modlog/{query}")
        assert page.status_code == 200
        html = page.content.decode()
        return re.findall(
            r'<td class="modlog__who">(\w+)</td>\s*<td><span class="badge">([\w-]+)', html
        )

    assert len(actions("")) == 3
    assert actions("?action=edit-topic") == [("Otto", "edit-topic"), ("Maud", "edit-topic")]
    assert actions("?moderator=Otto") == [("Otto", "retire"), ("Otto", "edit-topic")]
    assert actions("?action=edit-topic&moderator=Maud") == [("Maud", "edit-topic")]
    assert actions("?action=&moderator=") == actions("")  # the form's "any" choices
    form = client.get("/modlog/?moderator=Otto").content.decode()
    assert '<form method="get"' in form and '<option value="Otto" selected>' in form
    # The pages keep the filter.
    for n in range(55):
        ModerationAction.objects.create(
            actor=other, actor_name="Otto", action="retire", target_type="resource",
            target_id=10_000 + n, target_title=f"Bulk {n}",
        )  # fmt: skip
    pages_touch()  # as audited_write does with each entry: the cached log pages go stale
    first = client.get("/modlog/?moderator=Otto").content.decode()
    assert 'href="?moderator=Otto&amp;page=2"' in first


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?action=delete-everything", "Choose an action from the list"),
        ("?moderator=Nobody", "Choose a moderator from the list"),
        ("?moderator=" + "x" * 5000, "Choose a moderator from the list"),
        ("?action=approve&action=reject", "Choose one action"),
    ],
)
def test_a_bad_filter_is_a_clear_400_never_a_500(acted, client, query, message) -> None:
    before = ModerationAction.objects.count()
    page = client.get(f"/modlog/{query}")
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html and "There is a problem" in html
    assert "<tbody>" not in html  # nothing listed under a filter that could not be read
    assert ModerationAction.objects.count() == before


@pytest.mark.parametrize("page", ["abc", "0", "-1", "9" * 5000, "99999999999999999999"])
def test_a_bad_page_number_still_answers(acted, client, page) -> None:
    assert client.get(f"/modlog/?page={page}").status_code == 200


def test_the_log_page_costs_the_same_queries_at_1x_and_10x(
    roadmap, topic, moderator, outsider, django_assert_max_num_queries
) -> None:
    client = Client()
    client.get("/modlog/")  # warm the process's one-time lookups
    counts = []
    hours = iter(range(5, 100))
    for n in (1, 10):
        while ModerationAction.objects.filter(action="retire").count() < n:
            item = resource(roadmap, topic)
            Report.objects.create(resource=item, user=UserFactory(), reason="dead")
            resources.resource_retire(actor=moderator, resource=item)
            topics.topic_edit(actor=moderator, topic=topic, est_hours=next(hours))
            reports.report_resolve(actor=moderator, report=item.reports.get())
            submissions.submission_approve(
                actor=moderator, resource=pending(roadmap, topic, UserFactory())
            )
        for query in ("", "?action=retire&moderator=Maud"):
            # the page cache's version (roadmap_site/page_cache.py), count, page, the
            # moderators for the filter, then one query per kind of target on the page
            # (resources, reports, topics)
            with django_assert_max_num_queries(7) as captured:
                assert client.get(f"/modlog/{query}").status_code == 200
            counts.append(len(captured.captured_queries))
    # the filtered page holds only resources: one lookup instead of three
    assert counts == [7, 5, 7, 5], counts
