"""The moderation API: anonymous → 401 and outsiders → 403 with nothing changed, moderators
do each action (one log entry, email in the outbox), the public GETs on shared paths stay
public, and the queue and the log cost the same number of queries at 1x and 10x rows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.community.models import Report, Vote
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Resource, Roadmap, Topic
from tests.factories import UserFactory, pending, resource
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

QUEUE_QUERIES = 8  # the counts are 3 (resources, reports, flags); broken links add a prefetch
MODLOG_QUERIES = 2


@dataclass
class World:
    roadmap: Roadmap
    topic: Topic
    submission: Resource
    item: Resource
    target: Resource
    report: Report
    revision: int


@pytest.fixture
def world(roadmap, topic, submitter, outsider) -> World:
    item = resource(roadmap, topic, title="Item")
    report = Report.objects.create(resource=item, user=outsider, reason="outdated", note="old")
    return World(
        roadmap=roadmap,
        topic=topic,
        submission=pending(roadmap, topic, submitter, title="Submitted"),
        item=item,
        target=resource(roadmap, topic, title="Target"),
        report=report,
        revision=topic.history.first().history_id,
    )


def endpoints(w: World) -> list[tuple[str, str, dict]]:
    topic = f"/api/v1/roadmaps/{w.roadmap.slug}/topics/{w.topic.slug}/"
    return [
        ("get", "/api/v1/moderation/queue/", {}),
        ("post", f"/api/v1/submissions/{w.submission.pk}/approve/", {"note": "ok"}),
        ("post", f"/api/v1/submissions/{w.submission.pk}/reject/", {"reason": "no"}),
        ("post", "/api/v1/submissions/bulk/", {"ids": [w.submission.pk], "action": "approve"}),
        ("patch", f"/api/v1/resources/{w.item.pk}/", {"title": "Hacked"}),
        ("patch", f"/api/v1/resources/{w.item.pk}/", {"status": "retired"}),
        ("patch", f"/api/v1/resources/{w.item.pk}/", {"editors_pick": True}),
        ("post", f"/api/v1/resources/{w.item.pk}/merge/", {"into": w.target.pk}),
        ("post", f"/api/v1/reports/{w.report.pk}/resolve/", {"note": "done"}),
        ("patch", topic, {"title": "Hacked"}),
        ("get", f"{topic}revisions/", {}),
        ("post", f"{topic}revisions/{w.revision}/revert/", {}),
    ]


def state(w: World) -> tuple:
    return (
        ModerationAction.objects.count(),
        sorted(Resource.objects.values_list("pk", "status", "title", "editors_pick")),
        sorted(Report.objects.values_list("pk", "resolved_at")),
        list(Topic.objects.values_list("title", "body_md")),
        Topic.history.count(),
        Roadmap.objects.get(pk=w.roadmap.pk).content_version,
    )


@pytest.mark.parametrize("index", range(12))
def test_anonymous_gets_401_and_outsiders_403_and_nothing_changes(
    world, outsider, submitter, index, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    method, path, body = endpoints(world)[index]
    before = state(world)
    with django_capture_on_commit_callbacks(execute=True):
        anonymous = getattr(client_for(None), method)(path, body, format="json")
        assert anonymous.status_code == 401, (path, anonymous.content)
        for user in (outsider, submitter):
            denied = getattr(client_for(user), method)(path, body, format="json")
            assert denied.status_code == 403, (path, denied.content)
    # A token for an outsider is refused alike.
    assert state(world) == before
    assert mailoutbox == []


def test_the_shared_paths_stay_public_for_get(world, outsider) -> None:
    for user in (None, outsider):
        client = client_for(user)
        body = client.get(f"/api/v1/resources/{world.item.pk}/").json()
        assert body["title"] == "Item"
        assert client.get(f"/api/v1/resources/{world.submission.pk}/").status_code == 404
        topic = client.get(f"/api/v1/roadmaps/ml-engineer/topics/{world.topic.slug}/").json()
        assert topic["title"] == "Testing"


def test_the_schema_lists_get_and_patch_on_the_shared_paths() -> None:
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    resource_path = paths["/api/v1/resources/{id}/"]
    assert {"get", "patch"} <= set(resource_path)
    assert set(resource_path["patch"]["responses"]) == {"200", "400", "401", "403", "404", "409"}
    assert set(resource_path["get"]["responses"]) == {"200", "400", "401", "404"}
    topic_path = paths["/api/v1/roadmaps/{slug}/topics/{topic}/"]
    assert {"get", "patch"} <= set(topic_path)
    assert "/api/v1/modlog/" in paths and "/api/v1/moderation/queue/" in paths


def test_queue_shows_submissions_with_counts_reports_grouped_and_broken_links(
    world, moderator, submitter
) -> None:
    decided = pending(world.roadmap, world.topic, submitter)
    decided.status = Resource.Status.REJECTED
    decided.save()
    older = pending(world.roadmap, world.topic, submitter, title="Older")
    Resource.objects.filter(pk=older.pk).update(
        created_at=world.submission.created_at.replace(1999)
    )
    second_reporter = UserFactory(username="second")
    Report.objects.create(resource=world.item, user=second_reporter, reason="broken")
    resource(world.roadmap, world.topic, title="Dead link", health="broken")
    body = client_for(moderator).get("/api/v1/moderation/queue/").json()
    assert [s["title"] for s in body["submissions"]] == ["Older", "Submitted"]
    assert body["submissions"][0]["submitter_rejected"] == 1
    assert body["submissions"][0]["submitter_approved"] == 0
    assert len(body["reports"]) == 1
    group = body["reports"][0]
    assert group["resource"]["id"] == world.item.pk
    assert [r["reason"] for r in group["reports"]] == ["outdated", "broken"]
    assert [r["title"] for r in body["broken_links"]] == ["Dead link"]
    assert body["counts"] == {"submissions": 2, "reports": 2, "broken_links": 1, "flags": 0}


def _queue_rows(w: World, n: int) -> None:
    for _ in range(n):
        user = UserFactory()
        pending(w.roadmap, w.topic, user)
        reported = resource(w.roadmap, w.topic)
        Report.objects.create(resource=reported, user=user, reason="spam")
        resource(w.roadmap, w.topic, health="failing")


def test_the_queue_costs_the_same_queries_at_1x_and_10x(
    world, moderator, django_assert_max_num_queries
) -> None:
    client = client_for(moderator)
    client.get("/api/v1/moderation/queue/")  # warm the process's one-time lookups first
    counts = []
    for extra in (1, 9):
        _queue_rows(world, extra)
        with django_assert_max_num_queries(QUEUE_QUERIES) as captured:
            response = client.get("/api/v1/moderation/queue/")
        counts.append(len(captured.captured_queries))
        assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"submissions": 11, "reports": 11, "broken_links": 10, "flags": 0}
    # the session with its user and role; the three lists and the broken links' checks; the
    # three counts
    assert counts == [QUEUE_QUERIES, QUEUE_QUERIES], counts


# -- each action by a moderator


def test_approve_and_reject(
    world, moderator, submitter, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    client = client_for(moderator)
    other = pending(world.roadmap, world.topic, submitter, title="Other")
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(f"/api/v1/submissions/{world.submission.pk}/approve/", {}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    missing = client.post(f"/api/v1/submissions/{other.pk}/reject/", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    with django_capture_on_commit_callbacks(execute=True):
        no = client.post(
            f"/api/v1/submissions/{other.pk}/reject/", {"reason": "Off topic"}, format="json"
        )
    assert no.status_code == 200 and no.json()["reason"] == "Off topic"
    again = client.post(f"/api/v1/submissions/{other.pk}/approve/", {}, format="json")
    assert again.status_code == 409 and again.json()["status"] == "rejected"
    assert list(ModerationAction.objects.values_list("action", "target_id")) == [
        ("reject", other.pk),
        ("approve", world.submission.pk),
    ]
    assert len(mailoutbox) == 2 and all(m.alternatives for m in mailoutbox)
    assert client.post("/api/v1/submissions/999999/approve/", {}).status_code == 404


def test_bulk(world, moderator, submitter, mailoutbox, django_capture_on_commit_callbacks) -> None:
    client = client_for(moderator)
    second = pending(world.roadmap, world.topic, submitter)
    ids = [world.submission.pk, second.pk]
    bad = client.post("/api/v1/submissions/bulk/", {"ids": ids, "action": "reject"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    assert (
        client.post(
            "/api/v1/submissions/bulk/", {"ids": [], "action": "approve"}, format="json"
        ).status_code
        == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            "/api/v1/submissions/bulk/",
            {"ids": ids, "action": "reject", "reason": "Not about ML"},
            format="json",
        )
    assert done.status_code == 200 and sorted(done.json()["decided"]) == sorted(ids)
    assert ModerationAction.objects.filter(action="reject").count() == 2
    assert len(mailoutbox) == 2
    conflict = client.post(
        "/api/v1/submissions/bulk/", {"ids": ids, "action": "approve"}, format="json"
    )
    assert conflict.status_code == 409 and sorted(conflict.json()["ids"]) == sorted(ids)
    assert ModerationAction.objects.count() == 2


def test_patch_edit_retire_pick_each_log_their_wording(world, moderator) -> None:
    client = client_for(moderator)
    path = f"/api/v1/resources/{world.item.pk}/"
    edit = client.patch(path, {"title": "Better", "topic": None}, format="json")
    assert edit.status_code == 200 and edit.json()["title"] == "Better"
    assert edit.json()["topic"] is None
    pick = client.patch(path, {"editors_pick": True, "reason": "Great"}, format="json")
    assert pick.status_code == 200 and pick.json()["editors_pick"] is True
    mixed = client.patch(path, {"status": "retired", "title": "A new title"}, format="json")
    assert mixed.status_code == 400 and "status" in mixed.json()
    assert client.patch(path, {"status": "approved"}, format="json").status_code == 400
    assert client.patch(path, {"topic": "nope"}, format="json").status_code == 400
    assert client.patch(path, {}, format="json").status_code == 400
    retire = client.patch(path, {"status": "retired"}, format="json")
    assert retire.status_code == 200 and retire.json()["status"] == "retired"
    assert client.patch(path, {"status": "retired"}, format="json").status_code == 409
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "retire",
        "pick",
        "edit",
    ]
    # Retired: the public GET no longer finds it.
    assert client_for(None).get(path).status_code == 404


def test_merge(world, moderator, outsider) -> None:
    Vote.objects.create(user=outsider, resource=world.item, value=1)
    client = client_for(moderator)
    path = f"/api/v1/resources/{world.item.pk}/merge/"
    assert client.post(path, {"into": world.item.pk}, format="json").status_code == 400
    assert client.post(path, {"into": 999_999}, format="json").status_code == 400
    response = client.post(path, {"into": world.target.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == world.target.pk and response.json()["upvotes"] == 1
    world.item.refresh_from_db()
    assert world.item.status == "retired"
    assert ModerationAction.objects.get().action == "merge"
    assert client.post(path, {"into": world.target.pk}, format="json").status_code == 409


def test_resolve_report(world, moderator) -> None:
    client = client_for(moderator)
    path = f"/api/v1/reports/{world.report.pk}/resolve/"
    response = client.post(path, {"note": "Updated the link."}, format="json")
    assert response.status_code == 200 and response.json()["resolved_by"] == "Maud"
    assert client.post(path, {}, format="json").status_code == 409
    entry = ModerationAction.objects.get()
    assert entry.action == "resolve-report" and "old" not in entry.reason


def test_topic_patch_revisions_and_revert(world, moderator) -> None:
    client = client_for(moderator)
    path = f"/api/v1/roadmaps/ml-engineer/topics/{world.topic.slug}/"
    edit = client.patch(
        path,
        {"body": "New text here. More.", "key_points": ["a", "b"], "phase": None, "est_hours": 5},
        format="json",
    )
    assert edit.status_code == 200, edit.json()
    assert edit.json()["summary"] == "New text here." and edit.json()["phase"] is None
    assert client.patch(path, {"phase": "nope"}, format="json").status_code == 400
    assert client.patch(path, {"est_hours": 0}, format="json").status_code == 400
    assert client.patch(path, {"reason": "only"}, format="json").status_code == 400
    assert (
        client.patch(
            "/api/v1/roadmaps/ml-engineer/topics/nope/", {"title": "X"}, format="json"
        ).status_code
        == 404
    )
    revisions = client.get(f"{path}revisions/").json()
    assert revisions["count"] == 2
    newest, oldest = revisions["results"]
    assert newest["user"] == "Maud" and oldest["user"] is None
    changed = {c["field"]: (c["before"], c["after"]) for c in newest["changes"]}
    assert changed["body_md"] == ("Tests catch bugs. They also document.", "New text here. More.")
    assert changed["phase"] == ("foundations", None)
    assert changed["key_points"] == (["unit tests"], ["a", "b"])
    revert = client.post(f"{path}revisions/{oldest['id']}/revert/", {}, format="json")
    assert revert.status_code == 200
    assert revert.json()["body"] == "Tests catch bugs. They also document."
    assert revert.json()["phase"] == "foundations"
    assert client.post(f"{path}revisions/{oldest['id']}/revert/", {}).status_code == 409
    assert client.post(f"{path}revisions/999999/revert/", {}).status_code == 404
    assert client.get(f"{path}revisions/").json()["count"] == 3
    assert list(ModerationAction.objects.values_list("action", flat=True)) == [
        "revert",
        "edit-topic",
    ]


# -- the public log


def test_modlog_is_public_newest_first_paginated_and_without_private_data(
    world, moderator, outsider
) -> None:
    client = client_for(moderator)
    client.post(f"/api/v1/reports/{world.report.pk}/resolve/", {"note": "Fine."}, format="json")
    client.patch(f"/api/v1/resources/{world.item.pk}/", {"editors_pick": True}, format="json")
    for user in (None, outsider):
        body = client_for(user).get("/api/v1/modlog/").json()
        assert body["count"] == 2 and set(body) == {"count", "next", "previous", "results"}
        assert [e["action"] for e in body["results"]] == ["pick", "resolve-report"]
        entry = body["results"][0]
        assert set(entry) == {
            "id",
            "created_at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target_title",
            "reason",
        }
        assert entry["actor"] == "Maud"
        text = str(body)
        assert "@" not in text and "maud@mail.example" not in text
        assert "old" not in body["results"][1]["reason"]  # the reporter's private note


def test_modlog_costs_the_same_queries_at_1x_and_10x(
    world, moderator, django_assert_max_num_queries
) -> None:
    client = client_for(None)
    client.get("/api/v1/modlog/")  # warm the process's one-time lookups first
    counts = []
    for n in (3, 30):
        while ModerationAction.objects.count() < n:
            ModerationAction.objects.create(
                actor=moderator,
                actor_name="Maud",
                action="approve",
                target_type="resource",
                target_id=1,
                target_title="x",
            )
        with django_assert_max_num_queries(MODLOG_QUERIES) as captured:
            response = client.get("/api/v1/modlog/")
        counts.append(len(captured.captured_queries))
        assert response.json()["count"] == n
    assert counts == [MODLOG_QUERIES, MODLOG_QUERIES], counts  # the count and the page
