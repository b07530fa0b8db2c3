"""Submissions, duplicates, limits, votes, ranking and reports through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from apps.community import services
from apps.community.models import Report, Vote
from apps.community.ranking import share_lower_bound, wilson_lower_bound
from apps.roadmap.models import Resource
from roadmap_site.errors import Conflict, Invalid, LimitReached, NotAllowed
from roadmap_site.limits import REPORT_COOLDOWN, REPORTS_PER_HOUR
from tests.factories import UserFactory, approved

pytestmark = pytest.mark.django_db


def submit(owner, roadmap, topic, url="https://blog.example/post", **overrides):
    values = {"title": "A useful post", "kind": "article", "description": "Why it helps."}
    values.update(overrides)
    return services.resource_submit(user=owner, roadmap=roadmap, topic=topic, url=url, **values)


def test_a_submission_is_a_pending_community_resource(owner, roadmap, topic) -> None:
    resource = submit(owner, roadmap, topic, url="https://Blog.example/post?utm_source=x#top")
    assert resource.status == "pending" and resource.origin == "community"
    assert resource.submitted_by == owner and resource.topic == topic
    assert resource.normalized_url == "https://blog.example/post"
    roadmap.refresh_from_db()
    assert roadmap.content_version == 1  # nothing public changed


URL_CASES = [
    ("ftp://files.example/a", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("https://user:pw@blog.example/a", "user name or password"),
    ("https://user@blog.example/a", "user name or password"),
    ("https:///nohost", "must name a host"),
    ("https://blog.example:99999/", "port"),
    ("http://127.0.0.1/", "public address"),
    ("http://2130706433/", "public address"),
    ("http://0177.0.0.1/", "public address"),
    ("http://0x7f.0.0.1/", "public address"),
    ("http://127.1/", "public address"),
    ("http://[::1]/", "public address"),
    ("http://[::ffff:127.0.0.1]/", "public address"),
    ("http://0.0.0.0/", "public address"),
    ("http://10.1.2.3/", "public address"),
    ("http://192.168.0.1/", "public address"),
    ("http://169.254.169.254/latest/meta-data/", "public address"),
    ("http://100.64.0.1/", "public address"),
    ("http://[fd00::1]/", "public address"),
    ("http://localhost:8000/", "public domain name"),
    ("http://app.localhost/", "public domain name"),
    ("http://intranet/", "public domain name"),
    ("https://blog.example/" + "a" * 2000, "at most 2,000 characters"),
    # Hosts that made the old check raise (a 500): each is now a sentence on the field.
    ("http://256.1.1.1/", "four numbers from 0 to 255"),
    ("http://1.2.3.4.5/", "four numbers from 0 to 255"),
    ("http://08.1/", "four numbers from 0 to 255"),
    ("http://[::zz]/", "cannot be read"),
    ("http://exa mple.example/", "host is not valid"),
    ("http://" + "a" * 64 + ".example/", "host is not valid"),
    ("http://blog.example:0/", "port"),
    ("http://blog.example:８０/", "port"),
    # Full-width spellings are mapped first, then refused exactly like the ASCII ones.
    ("http://１２７.０.０.１/", "public address"),
    ("http://１２７．０．０．１/", "public address"),
    ("http://１６９.２５４.１６９.２５４/", "public address"),
    ("http://[::ｆｆｆｆ:127.0.0.1]/", "cannot be read"),
    ("http://ｌｏｃａｌｈｏｓｔ/", "public domain name"),
    ("http://０ｘ７ｆ.1/", "public address"),
]


@pytest.mark.parametrize(("url", "words"), URL_CASES)
def test_bad_urls_are_refused_with_a_clear_message(owner, roadmap, topic, url, words) -> None:
    with pytest.raises(Invalid) as error:
        submit(owner, roadmap, topic, url=url)
    assert any(words in message for message in error.value.fields["url"])
    assert not Resource.objects.exists()


def test_a_public_ip_literal_is_accepted(owner, roadmap, topic) -> None:
    assert submit(owner, roadmap, topic, url="http://93.184.215.14/page").status == "pending"


def test_hosts_let_through_by_setting_are_accepted(owner, roadmap, topic, settings) -> None:
    settings.LINKCHECK_ALLOW_HOSTS = frozenset({("127.0.0.2", 8123)})
    assert submit(owner, roadmap, topic, url="http://127.0.0.2:8123/ok").status == "pending"
    with pytest.raises(Invalid):
        submit(owner, roadmap, topic, url="http://127.0.0.2:8124/no")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "ab"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "podcast"}, "kind"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_other_fields_are_checked(owner, roadmap, topic, overrides, field) -> None:
    with pytest.raises(Invalid) as error:
        submit(owner, roadmap, topic, **overrides)
    assert field in error.value.fields and error.value.status == 400
    assert not Resource.objects.exists()


def test_a_topic_of_another_roadmap_is_refused(owner, roadmap, topic) -> None:
    from apps.roadmap.models import Roadmap

    other = Roadmap.objects.create(slug="other", title="Other")
    with pytest.raises(Invalid) as error:
        submit(owner, other, topic)
    assert "topic" in error.value.fields


def test_duplicates_in_any_state_are_refused_and_only_an_approved_one_is_named(
    owner, roadmap, topic
) -> None:
    first = submit(owner, roadmap, topic, url="https://blog.example/post")
    for spelling in ("https://BLOG.example/post?utm_medium=x", "https://blog.example:443/post#a"):
        with pytest.raises(Conflict) as duplicate:
            submit(UserFactory(username=f"u{len(spelling)}"), roadmap, topic, url=spelling)
        assert duplicate.value.code == "duplicate"
        assert duplicate.value.extra["existing"] == {"status": "pending"}
        assert "already been suggested" in duplicate.value.message
    first.status = Resource.Status.REJECTED
    first.save()
    with pytest.raises(Conflict) as duplicate:
        submit(owner, roadmap, topic, url="https://blog.example/post")
    assert duplicate.value.extra["existing"] == {"status": "rejected"}
    assert "declined" in duplicate.value.message
    first.status = Resource.Status.APPROVED
    first.save()
    with pytest.raises(Conflict) as duplicate:
        submit(owner, roadmap, topic, url="https://blog.example/./post")
    assert duplicate.value.extra["existing"] == {
        "id": first.pk,
        "url": first.url,
        "status": "approved",
    }
    assert Resource.objects.count() == 1


def test_ten_pending_then_a_409(owner, roadmap, topic) -> None:
    for n in range(10):
        submit(owner, roadmap, topic, url=f"https://blog.example/{n}")
    with pytest.raises(Conflict, match="10 submissions waiting") as limit:
        submit(owner, roadmap, topic, url="https://blog.example/eleven")
    assert limit.value.code == "pending_limit" and limit.value.status == 409
    assert Resource.objects.count() == 10


def test_twenty_a_day_then_a_429_with_retry_after(owner, roadmap, topic) -> None:
    start = timezone.now()
    for n in range(20):
        with time_machine.travel(start + timedelta(minutes=n), tick=False):
            resource = submit(owner, roadmap, topic, url=f"https://blog.example/{n}")
        if n % 2 == 0:  # reviewed, so the pending limit does not bite first
            resource.status = Resource.Status.APPROVED
            resource.save()
    Resource.objects.filter(status="pending").update(status="rejected")
    with (
        time_machine.travel(start + timedelta(hours=2), tick=False),
        pytest.raises(LimitReached) as limit,
    ):
        submit(owner, roadmap, topic, url="https://blog.example/late")
    # The oldest of the twenty leaves the 24-hour window 22 hours later.
    assert 22 * 3600 - 5 <= limit.value.retry_after <= 22 * 3600 + 5
    assert limit.value.code == "daily_limit" and limit.value.status == 429
    assert Resource.objects.count() == 20
    with time_machine.travel(start + timedelta(days=1, minutes=1), tick=False):
        assert submit(owner, roadmap, topic, url="https://blog.example/next-day")


def test_share_lower_bound() -> None:
    assert share_lower_bound(0, 0) == 0
    assert 0.43 < share_lower_bound(3, 0) < 0.44
    assert share_lower_bound(30, 2) > share_lower_bound(3, 0)
    assert share_lower_bound(1, 1) < share_lower_bound(10, 10) < 0.5
    assert 0 <= share_lower_bound(0, 50) < 0.01 and share_lower_bound(10_000, 0) > 0.99


def test_votes_change_and_withdraw_with_exact_counters(owner, outsider, roadmap, topic) -> None:
    resource = approved(roadmap, topic)
    resource = services.vote_cast(user=outsider, resource=resource, value=1)
    assert (resource.upvotes, resource.downvotes) == (1, 0) and resource.score > 0
    resource = services.vote_cast(user=outsider, resource=resource, value=1)
    assert (resource.upvotes, resource.downvotes) == (1, 0)
    resource = services.vote_cast(user=outsider, resource=resource, value=-1)
    assert (resource.upvotes, resource.downvotes) == (0, 1)
    assert resource.score == pytest.approx(wilson_lower_bound(0, 1)) and resource.score < 0
    services.vote_cast(user=owner, resource=resource, value=1)
    resource = services.vote_withdraw(user=outsider, resource=resource)
    resource.refresh_from_db()
    assert (resource.upvotes, resource.downvotes) == (1, 0)
    assert resource.score == pytest.approx(wilson_lower_bound(1, 0))
    assert Vote.objects.count() == 1


def test_no_vote_on_ones_own_or_an_unapproved_resource(owner, outsider, roadmap, topic) -> None:
    mine = approved(roadmap, topic, submitted_by=owner)
    with pytest.raises(NotAllowed) as own:
        services.vote_cast(user=owner, resource=mine, value=1)
    assert own.value.status == 403 and own.value.code == "own_resource"
    pending = submit(owner, roadmap, topic, url="https://blog.example/pending")
    with pytest.raises(Conflict) as unapproved:
        services.vote_cast(user=outsider, resource=pending, value=1)
    assert unapproved.value.code == "not_votable"
    with pytest.raises(Invalid):
        services.vote_cast(user=outsider, resource=mine, value=2)
    assert not Vote.objects.exists()


def test_one_open_report_per_user_and_resource(owner, outsider, roadmap, topic) -> None:
    resource = approved(roadmap, topic)
    report = services.report_create(user=owner, resource=resource, reason="outdated", note="v1")
    with pytest.raises(Conflict) as again:
        services.report_create(user=owner, resource=resource, reason="spam")
    assert again.value.code == "open_report" and again.value.extra == {"report": report.pk}
    services.report_create(user=outsider, resource=resource, reason="spam")
    # resolved longer ago than the cool-down (see the report limits' tests below)
    report.resolved_at = timezone.now() - REPORT_COOLDOWN
    report.save()
    services.report_create(user=owner, resource=resource, reason="broken")
    assert Report.objects.count() == 3
    with pytest.raises(Invalid):
        services.report_create(user=owner, resource=resource, reason="boring")
    with pytest.raises(Invalid) as long_note:
        services.report_create(user=outsider, resource=resource, reason="spam", note="x" * 2001)
    assert "at most 2,000 characters" in long_note.value.fields["note"][0]
    assert Report.objects.count() == 3


@time_machine.travel("2026-11-26 12:00:00+00:00", tick=False)
def test_reports_per_hour_are_limited_with_a_retry_after(owner, roadmap, topic) -> None:
    resources = [
        approved(roadmap, topic, url=f"https://docs.example/{n}")
        for n in range(REPORTS_PER_HOUR + 1)
    ]
    for minute, resource in enumerate(resources[:-1]):
        with time_machine.travel(timezone.now() - timedelta(minutes=50 - minute), tick=False):
            services.report_create(user=owner, resource=resource, reason="spam")
    with pytest.raises(LimitReached) as limited:
        services.report_create(user=owner, resource=resources[-1], reason="spam", note="typed")
    assert limited.value.code == "report_limit"
    assert limited.value.retry_after == 10 * 60  # the oldest leaves the hour in ten minutes
    assert str(REPORTS_PER_HOUR) in limited.value.message
    assert Report.objects.count() == REPORTS_PER_HOUR
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        services.report_create(user=owner, resource=resources[-1], reason="spam")
    assert Report.objects.count() == REPORTS_PER_HOUR + 1


@time_machine.travel("2026-11-26 12:00:00+00:00", tick=False)
def test_a_resolved_report_cools_down_before_the_same_resource_is_reported_again(
    owner, outsider, roadmap, topic
) -> None:
    resource = approved(roadmap, topic)
    report = services.report_create(user=owner, resource=resource, reason="outdated")
    report.resolved_at = timezone.now() - timedelta(hours=1)
    report.save()
    with pytest.raises(Conflict) as cooling:
        services.report_create(user=owner, resource=resource, reason="outdated")
    assert cooling.value.code == "report_cooldown"
    again_at = report.resolved_at + REPORT_COOLDOWN
    assert cooling.value.extra == {"report": report.pk, "reportable_at": again_at.isoformat()}
    services.report_create(user=outsider, resource=resource, reason="outdated")  # others may
    with time_machine.travel(again_at, tick=False):
        services.report_create(user=owner, resource=resource, reason="outdated")
    assert Report.objects.filter(user=owner).count() == 2


_FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@given(address=st.ip_addresses(v=4))
def test_a_full_width_address_gets_the_verdict_of_its_ascii_spelling(address) -> None:
    # The guard's address check is called directly; nothing is fetched.
    ascii_url = f"http://{address}/page"
    full_width_url = f"http://{str(address).translate(_FULL_WIDTH)}/page"
    assert services.url_errors(full_width_url) == services.url_errors(ascii_url)
