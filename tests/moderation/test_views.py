"""Moderation pages: anonymous → sign in, non-moderators → 403 with nothing changed; the forms
do each action; the public log; pinned query counts for the queue and the log."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.community.models import Report
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Resource, Roadmap, Topic
from tests.factories import UserFactory, pending, resource

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def things(roadmap, topic, submitter, outsider) -> dict:
    item = resource(roadmap, topic, title="Item")
    return {
        "submission": pending(roadmap, topic, submitter, title="Submitted"),
        "item": item,
        "target": resource(roadmap, topic, title="Target"),
        "report": Report.objects.create(resource=item, user=outsider, reason="spam"),
        "revision": topic.history.first().history_id,
    }


def pages(t: dict) -> list[tuple[str, str, dict]]:
    s, i, r = t["submission"].pk, t["item"].pk, t["report"].pk
    topic = "/moderation/roadmaps/ml-engineer/topics/testing/"
    return [
        ("get", "/moderation/", {}),
        ("get", "/moderation/?tab=reports", {}),
        ("get", "/moderation/?tab=broken", {}),
        ("post", f"/moderation/submissions/{s}/approve/", {"note": ""}),
        ("post", f"/moderation/submissions/{s}/reject/", {"reason": "no"}),
        ("post", "/moderation/submissions/bulk/", {"ids": [s], "action": "approve"}),
        ("post", f"/moderation/resources/{i}/", {"title": "Hacked", "kind": "docs"}),
        ("post", f"/moderation/resources/{i}/retire/", {}),
        ("post", f"/moderation/resources/{i}/pick/", {"editors_pick": "on"}),
        ("post", f"/moderation/resources/{i}/merge/", {"into": t["target"].pk}),
        ("post", f"/moderation/reports/{r}/resolve/", {}),
        ("post", topic, {"title": "Hacked", "order": 1}),
        ("get", f"{topic}revisions/", {}),
        ("post", f"{topic}revisions/{t['revision']}/revert/", {}),
    ]


def state() -> tuple:
    return (
        ModerationAction.objects.count(),
        sorted(Resource.objects.values_list("pk", "status", "title", "editors_pick")),
        sorted(Report.objects.values_list("pk", "resolved_at")),
        list(Topic.objects.values_list("title", "body_md")),
        list(Roadmap.objects.values_list("content_version", flat=True)),
    )


@pytest.mark.parametrize("index", range(14))
def test_pages_send_anonymous_to_sign_in_and_refuse_outsiders(things, outsider, index) -> None:
    method, path, data = pages(things)[index]
    before = state()
    anonymous = getattr(browser(), method)(path, data)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert getattr(browser(outsider), method)(path, data).status_code == 403
    assert state() == before


def test_queue_tabs_show_their_rows(things, moderator, roadmap, topic) -> None:
    resource(roadmap, topic, title="Dead link", health="broken")
    client = browser(moderator)
    page = client.get("/moderation/").content.decode()
    assert "Submitted" in page and 'name="ids"' in page and "0 approved, 0 rejected" in page
    assert "Item" in client.get("/moderation/?tab=reports").content.decode()
    assert "Dead link" in client.get("/moderation/?tab=broken").content.decode()


def test_queue_empty_states(moderator, db) -> None:
    client = browser(moderator)
    assert "No submission is waiting" in client.get("/moderation/").content.decode()
    assert "No open report" in client.get("/moderation/?tab=reports").content.decode()
    assert "No broken link" in client.get("/moderation/?tab=broken").content.decode()


def test_approve_and_reject_pages(
    things, moderator, mailoutbox, django_capture_on_commit_callbacks, roadmap, topic, submitter
) -> None:
    client = browser(moderator)
    submission = things["submission"]
    assert client.get(f"/moderation/submissions/{submission.pk}/approve/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/moderation/submissions/{submission.pk}/approve/", {"note": ""})
    assert done.status_code == 302
    other = pending(roadmap, topic, submitter)
    missing = client.post(f"/moderation/submissions/{other.pk}/reject/", {"reason": ""})
    assert missing.status_code == 400
    assert "<title>Error: " in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/moderation/submissions/{other.pk}/reject/", {"reason": "Off topic"})
    again = client.post(f"/moderation/submissions/{other.pk}/reject/", {"reason": "Again"})
    assert again.status_code == 409
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "reject",
        "approve",
    ]
    assert len(mailoutbox) == 2


def test_bulk_page(things, moderator, roadmap, topic, submitter) -> None:
    second = pending(roadmap, topic, submitter)
    client = browser(moderator)
    ids = [things["submission"].pk, second.pk]
    client.post("/moderation/submissions/bulk/", {"ids": ids, "action": "reject"})
    assert not ModerationAction.objects.exists()  # a reason is required to reject
    client.post("/moderation/submissions/bulk/", {"ids": ids, "action": "approve"})
    assert ModerationAction.objects.filter(action="approve").count() == 2


def test_resource_pages_edit_pick_retire_merge(things, moderator, topic) -> None:
    client = browser(moderator)
    item, target = things["item"], things["target"]
    assert client.get(f"/moderation/resources/{item.pk}/").status_code == 200
    client.post(
        f"/moderation/resources/{item.pk}/",
        {"title": "Better", "kind": "video", "topic": topic.pk, "description": ""},
    )
    client.post(f"/moderation/resources/{target.pk}/pick/", {"editors_pick": "on"})
    client.post(f"/moderation/resources/{item.pk}/merge/", {"into": target.pk})
    other = resource(item.roadmap, topic)
    client.post(f"/moderation/resources/{other.pk}/retire/", {"reason": "Gone"})
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "retire",
        "merge",
        "pick",
        "edit",
    ]
    target.refresh_from_db()
    assert target.editors_pick


def test_report_and_topic_pages(things, moderator, topic) -> None:
    client = browser(moderator)
    report = things["report"]
    assert client.get(f"/moderation/reports/{report.pk}/resolve/").status_code == 200
    client.post(f"/moderation/reports/{report.pk}/resolve/", {"note": "ok"})
    base = "/moderation/roadmaps/ml-engineer/topics/testing/"
    assert client.get(base).status_code == 200
    saved = client.post(
        base,
        {
            "title": "Testing ML",
            "body": "New words. Here.",
            "key_points": "one\ntwo\n",
            "est_hours": "5",
            "phase": "",
            "order": "1",
        },
    )
    assert saved.status_code == 302
    topic.refresh_from_db()
    assert topic.key_points == ["one", "two"] and topic.summary == "New words."
    history = client.get(f"{base}revisions/").content.decode()
    assert "Revision" in history and "New words. Here." in history
    client.post(f"{base}revisions/{things['revision']}/revert/", {"reason": ""})
    topic.refresh_from_db()
    assert topic.title == "Testing"
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "revert",
        "edit-topic",
        "resolve-report",
    ]


def test_modlog_page_is_public_and_hides_private_data(things, moderator, outsider) -> None:
    browser(moderator).post(f"/moderation/reports/{things['report'].pk}/resolve/", {"note": "ok"})
    for user in (None, outsider):
        page = browser(user).get("/modlog/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "resolve-report" in text and "Maud" in text
        assert "maud@mail.example" not in text and "olive@mail.example" not in text


def test_modlog_page_empty_state(db) -> None:
    assert "No moderation action yet" in browser().get("/modlog/").content.decode()


def test_queue_and_modlog_pages_cost_the_same_queries_at_1x_and_10x(
    roadmap, topic, moderator, django_assert_max_num_queries
) -> None:
    client = browser(moderator)
    for path in ("/moderation/", "/moderation/?tab=reports", "/modlog/"):
        client.get(path)  # warm the process's one-time lookups first
    counts: dict[str, list[int]] = {"queue": [], "reports": [], "modlog": []}
    for n in (1, 10):
        while Resource.objects.filter(status="pending").count() < n:
            user = UserFactory()
            pending(roadmap, topic, user)
            Report.objects.create(resource=resource(roadmap, topic), user=user, reason="spam")
            ModerationAction.objects.create(
                actor=moderator,
                actor_name="Maud",
                action="approve",
                target_type="resource",
                target_id=1,
                target_title="x",
            )
        for name, path in (
            ("queue", "/moderation/"),
            ("reports", "/moderation/?tab=reports"),
            ("modlog", "/modlog/"),
        ):
            with django_assert_max_num_queries(15) as captured:
                assert client.get(path).status_code == 200
            counts[name].append(len(captured.captured_queries))
    # the session with its user and role (one query), the two counts, the tab's list; the log
    # (signed in): the session with its user, the filter's moderators, its count, its page and
    # the targets of its one kind (resources) to link them. The queue: one more query
    # (probable duplicates, for the whole tab at once).
    # And one for the header's "My plan" (the signed-in reader's latest enrolment), and one
    # for the count of open flags on the showcase (the flags tab's badge).
    assert counts == {"queue": [7, 7], "reports": [6, 6], "modlog": [6, 6]}, counts


def test_revisions_page_costs_the_same_queries_at_1x_and_10x(
    roadmap, topic, moderator, django_assert_max_num_queries
) -> None:
    from apps.moderation.services import topics

    client = browser(moderator)
    client.get("/moderation/roadmaps/ml-engineer/topics/testing/revisions/")  # warm up
    counts = []
    for n in (1, 10):
        while topic.history.count() < n:
            topics.topic_edit(actor=moderator, topic=topic, est_hours=topic.history.count() + 1)
        # An edit forgets the header's queue counts (no counting in the write path): the
        # queue counts them again, so the page below is measured as a moderator browses it.
        client.get("/moderation/")
        with django_assert_max_num_queries(10) as captured:
            page = client.get("/moderation/roadmaps/ml-engineer/topics/testing/revisions/")
        counts.append(len(captured.captured_queries))
        assert page.content.decode().count("<h2>Revision ") == n
    assert counts[0] == counts[1], counts
