"""`manage.py check_links`: the sweep's work in-process, against loopback servers only."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.linkcheck import services
from apps.linkcheck.models import LinkCheck, LinkClaim
from apps.roadmap.models import Resource
from bench.linkcheck_server import Reply, Site, redirect
from tests.factories import resource

pytestmark = pytest.mark.django_db

Health = Resource.Health


@pytest.fixture
def site(serve, settings) -> Site:
    # Explicitly let the checker reach this loopback server, and nothing else private.
    settings.LINKCHECK_ALLOW_PRIVATE = True
    site = Site(
        "127.0.0.2",
        {
            "/ok": Reply(),
            "/gone": Reply(404),
            "/old": redirect("/new", 301),
            "/new": Reply(),
            "/walled": Reply(429, {"Retry-After": "600"}),
        },
    )
    serve(site)
    return site


@pytest.fixture
def links(site, roadmap, topic) -> dict[str, Resource]:
    made = {
        path: resource(roadmap, topic, url=site.url(f"/{path}")) for path in ("ok", "gone", "old")
    }
    made["pending"] = resource(roadmap, topic, url=site.url("/ok?p"), status="pending")
    return made


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("check_links", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def health(item: Resource) -> str:
    item.refresh_from_db()
    return item.health


def test_due_checks_the_approved_links_and_records_each(links, site, roadmap) -> None:
    roadmap.refresh_from_db()
    version = roadmap.content_version
    output = run("--due")
    assert "3 links checked: 1 broken, 1 ok, 1 redirected." in output
    assert health(links["ok"]) == Health.OK
    assert health(links["gone"]) == Health.FAILING
    assert health(links["old"]) == Health.REDIRECTED
    assert links["old"].final_url == site.url("/new")
    assert health(links["pending"]) == Health.UNKNOWN  # not public, not swept
    assert LinkCheck.objects.count() == 3
    gone = LinkCheck.objects.get(resource=links["gone"])
    assert (gone.verdict, gone.status_code, gone.error) == ("broken", 404, "HTTP 404")
    roadmap.refresh_from_db()
    assert roadmap.content_version == version + 3  # three health changes, one bump each
    # Nothing is due any more, and no claim is left behind.
    assert "0 links checked" in run("--due")
    assert not LinkClaim.objects.filter(leased_until__isnull=False).exists()


def test_one_resource_and_all(links) -> None:
    assert "1 links checked: 1 ok." in run("--resource", str(links["pending"].pk))
    assert health(links["pending"]) == Health.OK
    assert "3 links checked" in run("--all")
    assert "3 links checked" in run("--all")  # --all ignores the interval
    assert LinkCheck.objects.filter(resource=links["ok"]).count() == 2


def test_dry_run_checks_nothing(links, site) -> None:
    output = run("--due", "--dry-run")
    assert output.count(site.url("/")) == 3 and "3 resources would be checked." in output
    assert not LinkCheck.objects.exists() and not site.stats.requests


def test_a_link_a_worker_holds_is_left_to_it(links) -> None:
    services.link_claims_take(resources=[links["ok"]], token="worker", now=timezone.now())
    with pytest.raises(CommandError, match="being checked by a worker"):
        run("--resource", str(links["ok"].pk))
    output = run("--all")
    assert "2 links checked" in output and "1 left alone" in output
    assert not LinkCheck.objects.filter(resource=links["ok"]).exists()


def test_a_blocked_host_is_blocked(site, roadmap, topic, settings) -> None:
    walled = resource(roadmap, topic, url=site.url("/walled"))
    run("--resource", str(walled.pk))
    assert health(walled) == Health.BLOCKED


def test_bad_arguments_are_clear_errors(links) -> None:
    with pytest.raises(CommandError, match="No resource with a link has the id 999999"):
        run("--resource", "999999")
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run("--due", "--all")
    assert not LinkCheck.objects.exists()


def test_private_addresses_stay_refused_without_the_setting(links, settings, site) -> None:
    settings.LINKCHECK_ALLOW_PRIVATE = False
    run("--resource", str(links["ok"].pk))
    check = LinkCheck.objects.get()
    assert (check.verdict, check.error) == ("broken", "address not allowed")
    assert not site.stats.requests
