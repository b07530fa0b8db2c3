"""Access labels from the page verdicts: "Sign-in needed", "Paid", "Archived", "Newer version
available" with the date first seen; a link turning paid or sign-in only opens a report in the
moderation queue and one public log entry, once per change; readers filter to free ones."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from apps.community.models import Report
from apps.linkcheck.checker import Verdict
from apps.linkcheck.services import access_after
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Resource
from tests.factories import resource
from tests.support.link_health import record, version

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
Access = Resource.Access
Health = Resource.Health


def log_entries(item: Resource) -> list[ModerationAction]:
    return list(ModerationAction.objects.filter(target_id=item.pk, action="link-access"))


def test_a_free_course_turning_paywalled_is_labelled_and_queued_once(roadmap, topic) -> None:
    item = resource(roadmap, topic, title="Free ML course")
    with time_machine.travel(T0, tick=False):
        record(item, Verdict.OK, 200)
    start = version(roadmap)
    with time_machine.travel(T0 + timedelta(days=7), tick=False):
        record(
            item, Verdict.PAYWALLED, 200, error="paywalled: redirected to https://x.example/pricing"
        )
    assert (item.access, item.access_seen_at, item.health) == (
        Access.PAYWALLED,
        T0 + timedelta(days=7),
        Health.OK,
    )
    assert version(roadmap) == start + 1
    [report] = Report.objects.filter(resource=item)
    assert (report.user, report.reason, report.resolved_at) == (None, "paywalled", None)
    assert "pricing" in report.note
    [entry] = log_entries(item)
    assert (entry.actor, entry.actor_name, entry.target_title) == (
        None,
        "link checker",
        "Free ML course",
    )
    assert entry.reason == "Paid since 2026-05-11 (was open)."

    # Seen again a week later: the date stays the first sighting; no new item, no new entry.
    with time_machine.travel(T0 + timedelta(days=14), tick=False):
        record(item, Verdict.PAYWALLED, 200)
    assert item.access_seen_at == T0 + timedelta(days=7)
    assert Report.objects.filter(resource=item).count() == 1
    assert len(log_entries(item)) == 1
    assert version(roadmap) == start + 1

    # Free again: the label goes; turning paid once more is a new change.
    with time_machine.travel(T0 + timedelta(days=21), tick=False):
        record(item, Verdict.OK, 200)
        assert (item.access, item.access_seen_at) == (Access.OPEN, None)
    with time_machine.travel(T0 + timedelta(days=28), tick=False):
        record(item, Verdict.SIGNIN_REQUIRED, 200)
    assert item.access == Access.SIGNIN_REQUIRED
    assert [r.reason for r in Report.objects.filter(resource=item).order_by("pk")] == [
        "paywalled",
        "other",
    ]
    assert len(log_entries(item)) == 2


def test_archived_and_newer_version_are_labels_without_a_queue_item(roadmap, topic) -> None:
    repo = resource(roadmap, topic)
    paper = resource(roadmap, topic)
    record(repo, Verdict.ARCHIVED, 200)
    record(paper, Verdict.NEWER_VERSION, 200)
    assert (repo.access, paper.access) == (Access.ARCHIVED, Access.NEWER_VERSION)
    assert Report.objects.count() == 0 and ModerationAction.objects.count() == 0


def test_a_pending_resource_opens_no_item(roadmap, topic) -> None:
    item = resource(roadmap, topic, status=Resource.Status.PENDING)
    record(item, Verdict.PAYWALLED, 200)
    assert item.access == Access.PAYWALLED
    assert Report.objects.count() == 0 and ModerationAction.objects.count() == 0


def test_soft_404_fails_like_a_404_and_keeps_the_label(roadmap, topic) -> None:
    item = resource(roadmap, topic, access=Access.ARCHIVED, access_seen_at=T0)
    record(item, Verdict.SOFT_404, 200, error="soft 404: the page says it was not found")
    assert (item.health, item.consecutive_failures) == (Health.FAILING, 1)
    assert (item.access, item.access_seen_at) == (Access.ARCHIVED, T0)
    record(item, Verdict.BLOCKED, 401)
    assert item.access == Access.ARCHIVED


@pytest.mark.parametrize(
    ("access", "verdict", "expected"),
    [
        ("", Verdict.PAYWALLED, ("paywalled", T0)),
        ("paywalled", Verdict.PAYWALLED, ("paywalled", T0 - timedelta(days=1))),
        ("paywalled", Verdict.ARCHIVED, ("archived", T0)),
        ("paywalled", Verdict.REDIRECTED, ("", None)),
        ("paywalled", Verdict.ERROR, ("paywalled", T0 - timedelta(days=1))),
        ("", Verdict.BROKEN, ("", T0 - timedelta(days=1))),
    ],
)
def test_access_rule(access: str, verdict: Verdict, expected) -> None:
    state = access_after(access=access, seen_at=T0 - timedelta(days=1), verdict=verdict, now=T0)
    assert (state.access, state.seen_at) == expected


def test_readers_see_labels_with_the_date_and_can_filter_to_free(roadmap, topic) -> None:
    free = resource(roadmap, topic, title="Open notes")
    paid = resource(roadmap, topic, title="Paid course", access=Access.PAYWALLED, access_seen_at=T0)
    wall = resource(
        roadmap, topic, title="Walled wiki", access=Access.SIGNIN_REQUIRED, access_seen_at=T0
    )
    old = resource(
        roadmap, topic, title="Old paper", access=Access.NEWER_VERSION, access_seen_at=T0
    )
    url = f"/roadmaps/{roadmap.slug}/topics/{topic.slug}/"
    text = html.unescape(Client().get(url).content.decode())
    for label in ("Paid", "Sign-in needed", "Newer version available"):
        assert '<span class="badge badge--access-' in text and f">{label}</span>" in text
    assert 'Paid seen <time datetime="2026-05-04T09:00:00+00:00">4 May 2026</time>' in text
    assert "free only</a>" in text

    free_page = html.unescape(Client().get(url + "?free=1").content.decode())
    assert "Paid course" not in free_page
    assert all(title in free_page for title in ("Open notes", "Walled wiki", "Old paper"))
    assert '<strong aria-current="true">free only</strong>' in free_page
    assert "?sort=new&free=1#resources-title" in free_page  # the order link keeps the filter

    api = APIClient()
    listed = api.get("/api/v1/resources/", {"topic": topic.slug, "free": "true"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    ids = {row["id"] for row in rows}
    assert ids == {free.pk, wall.pk, old.pk}
    one = api.get(f"/api/v1/resources/{paid.pk}/").json()
    assert (one["access"], one["access_seen_at"]) == ("paywalled", "2026-05-04T09:00:00Z")
    bad = api.get("/api/v1/resources/", {"free": "maybe"})
    assert bad.status_code == 400 and "free" in bad.json()


def test_the_queue_shows_the_checker_as_the_reporter(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic, title="Course")
    record(item, Verdict.PAYWALLED, 200, error="paywalled: redirected to https://c.example/buy")
    client = Client()
    client.force_login(moderator)
    text = html.unescape(client.get("/moderation/?tab=reports").content.decode())
    assert "Behind a paywall" in text and "the link checker" in text
    log = html.unescape(Client().get("/modlog/").content.decode())
    assert "link checker" in log and "Course" in log
