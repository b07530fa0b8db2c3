"""Link health as people see it: the moderator API (check now, history, apply the redirect),
the queue's broken-links tab, and readers' badges, archive links and rankings."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.linkcheck.models import LinkCheck, LinkClaim
from apps.moderation.models import ModerationAction
from apps.roadmap.models import Resource
from tests.factories import resource

pytestmark = pytest.mark.django_db

Health = Resource.Health


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def page(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def checks(item: Resource, verdicts: list[str]) -> None:
    now = timezone.now()
    for n, verdict in enumerate(verdicts):
        LinkCheck.objects.create(
            resource=item,
            url=item.url,
            verdict=verdict,
            status_code=404 if verdict == "broken" else 200,
            error="HTTP 404" if verdict == "broken" else "",
            checked_at=now - timedelta(days=len(verdicts) - n),
        )


# -- the API: who may do what


@pytest.mark.parametrize(
    ("method", "suffix"), [("post", "check/"), ("get", "checks/"), ("post", "apply-redirect/")]
)
def test_link_endpoints_refuse_anonymous_and_outsiders(
    roadmap, topic, outsider, method, suffix
) -> None:
    item = resource(roadmap, topic, health=Health.REDIRECTED, final_url="https://new.example/")
    path = f"/api/v1/resources/{item.pk}/{suffix}"
    assert getattr(api(), method)(path).status_code == 401
    assert getattr(api(outsider), method)(path).status_code == 403
    item.refresh_from_db()
    assert item.url.startswith("https://docs.example/")
    assert not LinkClaim.objects.exists() and not ModerationAction.objects.exists()


def test_check_now_answers_202_and_keeps_the_request(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic, last_checked_at=timezone.now())
    response = api(moderator).post(f"/api/v1/resources/{item.pk}/check/")
    assert response.status_code == 202
    # The test settings have no broker: nothing fetches by itself, the request waits for
    # `check_links --due` (or the next sweep), which treats it as due.
    assert response.json()["queued"] is False
    claim = LinkClaim.objects.get(resource=item)
    assert claim.requested_at is not None and claim.leased_until is None
    missing = api(moderator).post("/api/v1/resources/999999/check/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    no_link = Resource.objects.create(roadmap=roadmap, title="Book", status="approved")
    answer = api(moderator).post(f"/api/v1/resources/{no_link.pk}/check/")
    assert answer.status_code == 400
    assert answer.json() == {"url": ["This resource has no link to check."]}
    assert not LinkClaim.objects.filter(resource=no_link).exists()
    # The queue's button: the same refusal, as a page; nothing is kept either.
    refused = page(moderator).post(f"/moderation/resources/{no_link.pk}/check/")
    assert refused.status_code == 400 and b"This resource has no link to check." in refused.content
    assert page(moderator).post("/moderation/resources/999999/check/").status_code == 404
    assert not LinkClaim.objects.filter(resource=no_link).exists()


def test_check_history_newest_first_with_flat_queries(
    roadmap, topic, moderator, django_assert_num_queries
) -> None:
    item = resource(roadmap, topic)
    client = api(moderator)
    counts = []
    for total in (1, 10):
        LinkCheck.objects.filter(resource=item).delete()
        checks(item, ["broken"] * (total - 1) + ["ok"])
        # the session with its user and role, resource, count, page
        with django_assert_num_queries(4) as captured:
            response = client.get(f"/api/v1/resources/{item.pk}/checks/")
        counts.append(len(captured.captured_queries))
        body = response.json()
        assert body["count"] == total
        assert body["results"][0]["verdict"] == "ok"  # the newest
        assert set(body["results"][0]) == {
            "id",
            "checked_at",
            "url",
            "verdict",
            "status_code",
            "final_url",
            "error",
            "elapsed_ms",
            "attempts",
        }
    assert counts[0] == counts[1]
    assert client.get("/api/v1/resources/999999/checks/").status_code == 404


def test_apply_redirect_updates_the_url_and_logs_once(roadmap, topic, moderator) -> None:
    item = resource(
        roadmap,
        topic,
        url="https://old.example/guide",
        health=Health.REDIRECTED,
        final_url="https://new.example/guide",
    )
    roadmap.refresh_from_db()
    version = roadmap.content_version
    response = api(moderator).post(f"/api/v1/resources/{item.pk}/apply-redirect/")
    assert response.status_code == 200, response.content
    assert response.json()["url"] == "https://new.example/guide"
    item.refresh_from_db()
    assert (item.url, item.normalized_url, item.health, item.final_url) == (
        "https://new.example/guide",
        "https://new.example/guide",
        Health.OK,
        "",
    )
    entry = ModerationAction.objects.get()
    assert (entry.action, entry.target_id, entry.actor, entry.actor_name) == (
        "update-url",
        item.pk,
        moderator,
        "Maud",
    )
    assert "https://old.example/guide" in entry.reason
    roadmap.refresh_from_db()
    assert roadmap.content_version == version + 1
    # Again: nothing left to apply.
    again = api(moderator).post(f"/api/v1/resources/{item.pk}/apply-redirect/")
    assert again.status_code == 409
    assert ModerationAction.objects.count() == 1


def test_apply_redirect_refuses_a_url_already_on_the_roadmap(roadmap, topic, moderator) -> None:
    existing = resource(roadmap, topic, url="https://new.example/guide")
    item = resource(
        roadmap, topic, health=Health.REDIRECTED, final_url="https://new.example/guide?utm_source=x"
    )
    response = api(moderator).post(f"/api/v1/resources/{item.pk}/apply-redirect/")
    assert response.status_code == 409
    assert response.json()["existing"] == existing.pk
    item.refresh_from_db()
    assert item.url.startswith("https://docs.example/")
    assert not ModerationAction.objects.exists()


# -- the moderation queue


def test_the_queue_lists_broken_failing_and_moved_links_with_history(
    roadmap, topic, moderator
) -> None:
    now = timezone.now()
    broken = resource(
        roadmap, topic, title="Dead", health=Health.BROKEN, first_failure_at=now - timedelta(3)
    )
    failing = resource(
        roadmap, topic, title="Shaky", health=Health.FAILING, first_failure_at=now - timedelta(1)
    )
    moved = resource(
        roadmap, topic, title="Moved", health=Health.REDIRECTED, final_url="https://n.example/"
    )
    resource(roadmap, topic, title="Fine", health=Health.OK)
    checks(broken, ["broken"] * 7)
    checks(failing, ["ok", "broken"])

    body = api(moderator).get("/api/v1/moderation/queue/").json()
    rows = body["broken_links"]
    assert [row["title"] for row in rows] == ["Dead", "Shaky", "Moved"]
    assert len(rows[0]["recent_checks"]) == 5  # the latest few, not the whole history
    assert [c["verdict"] for c in rows[1]["recent_checks"]] == ["broken", "ok"]
    assert rows[2]["final_url"] == "https://n.example/"
    assert body["counts"]["broken_links"] == 3

    text = page(moderator).get("/moderation/?tab=broken").content.decode()
    assert text.count("Check now") == 3
    assert text.count("Apply the new URL") == 1
    assert f'action="/moderation/resources/{moved.pk}/apply-redirect/"' in text
    assert "HTTP 404" in text  # the history's errors


def test_the_queue_page_actions(roadmap, topic, moderator, outsider) -> None:
    moved = resource(
        roadmap, topic, title="Moved", health=Health.REDIRECTED, final_url="https://n.example/x"
    )
    check_path = f"/moderation/resources/{moved.pk}/check/"
    apply_path = f"/moderation/resources/{moved.pk}/apply-redirect/"
    assert page().post(check_path).status_code == 302  # to sign in
    assert page(outsider).post(check_path).status_code == 403
    assert page(outsider).post(apply_path).status_code == 403
    assert page(moderator).get(check_path).status_code == 405
    response = page(moderator).post(check_path, follow=True)
    assert "will be checked in the next sweep" in response.content.decode()
    assert LinkClaim.objects.get(resource=moved).requested_at is not None
    response = page(moderator).post(apply_path, follow=True)
    assert "now links to https://n.example/x" in response.content.decode()
    assert ModerationAction.objects.filter(action="update-url").count() == 1
    response = page(moderator).post(apply_path, follow=True)
    assert "no permanent redirect" in response.content.decode()
    assert ModerationAction.objects.count() == 1


# -- readers


def test_readers_see_badges_archive_links_and_broken_links_last(roadmap, topic) -> None:
    odd_url = "https://docs.example/a%20b?x=1&y=caf%C3%A9#part"
    resource(roadmap, topic, title="Working", health=Health.OK)
    resource(roadmap, topic, title="Shaky", health=Health.FAILING)
    dead = resource(roadmap, topic, title="Dead", url=odd_url, health=Health.BROKEN, score=0.9)
    text = page().get(f"/roadmaps/{roadmap.slug}/topics/{topic.slug}/").content.decode()
    titles = re.findall(r'class="resource__title"[^>]*>([^<]+)<', text)
    assert titles[-1] == "Dead"  # the best score, yet last: broken links sink
    badges = re.findall(r'class="badge badge--health-(\w+)"', text)
    assert sorted(badges) == ["broken", "failing"]
    archive = re.findall(r'href="(https://web\.archive\.org/[^"]+)"', text)
    assert [html.unescape(href) for href in archive] == [f"https://web.archive.org/web/*/{odd_url}"]

    body = api().get(f"/api/v1/resources/{dead.pk}/").json()
    assert body["archive_url"] == f"https://web.archive.org/web/*/{odd_url}"
    assert body["health"] == "broken"


def test_the_archive_url_escapes_only_what_a_url_cannot_hold(roadmap, topic) -> None:
    item = resource(roadmap, topic, url="https://docs.example/ok", health=Health.BROKEN)
    item.url = "https://docs.example/señal?q=ü"
    assert (
        item.archive_url == "https://web.archive.org/web/*/https://docs.example/se%C3%B1al?q=%C3%BC"
    )
    item.health = Health.FAILING
    assert item.archive_url is None
