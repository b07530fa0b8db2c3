"""Report limits end to end: a moderator resolves a report through the moderation service, and
the reporter's next report of that resource waits for the cool-down; a burst of reports stops
at the hourly limit. Both through the API (the house error bodies, Retry-After) and the report
page (the message in place, the typed note kept)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from apps.community import services as community
from apps.community.models import Report
from apps.moderation.services.reports import report_resolve
from roadmap_site.limits import REPORT_COOLDOWN, REPORTS_PER_HOUR
from tests.factories import approved
from tests.support.clients import client_for, page_client_for

pytestmark = pytest.mark.django_db
NOW = "2026-11-26 12:00:00+00:00"


def reports_path(resource) -> str:
    return f"/api/v1/resources/{resource.pk}/reports/"


def page_path(resource) -> str:
    return f"/resources/{resource.pk}/report/"


@time_machine.travel(NOW, tick=False)
def test_a_resolved_report_cools_down_in_the_api(owner, moderator, roadmap, topic) -> None:
    resource = approved(roadmap, topic)
    report = community.report_create(user=owner, resource=resource, reason="broken")
    report_resolve(actor=moderator, report=report, note="The link works for me.")
    report.refresh_from_db()
    again_at = report.resolved_at + REPORT_COOLDOWN
    api = client_for(owner)
    refused = api.post(reports_path(resource), {"reason": "broken"}, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "report_cooldown" and body["report"] == report.pk
    assert body["reportable_at"] == again_at.isoformat()
    assert "24 h 0 min" in body["detail"]
    assert Report.objects.count() == 1
    with time_machine.travel(again_at, tick=False):
        allowed = api.post(reports_path(resource), {"reason": "broken"}, format="json")
    assert allowed.status_code == 201 and Report.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_a_resolved_report_cools_down_on_the_page(owner, moderator, roadmap, topic) -> None:
    resource = approved(roadmap, topic)
    report = community.report_create(user=owner, resource=resource, reason="broken")
    report_resolve(actor=moderator, report=report)
    page = page_client_for(owner).post(
        page_path(resource), {"reason": "broken", "note": "Still a 404 here."}
    )
    assert page.status_code == 409
    assert b"you can report it" in page.content and b"again in 24 h 0 min" in page.content
    assert b"Still a 404 here." in page.content  # the typed note stays
    assert Report.objects.count() == 1


def burst(owner, roadmap, topic, count: int) -> list:
    """`count` reports, one a minute from an hour-less-ten-minutes ago, each on its own page."""
    resources = [approved(roadmap, topic, url=f"https://docs.example/{n}") for n in range(count)]
    for minute, resource in enumerate(resources[:REPORTS_PER_HOUR]):
        with time_machine.travel(timezone.now() - timedelta(minutes=50 - minute), tick=False):
            community.report_create(user=owner, resource=resource, reason="spam")
    return resources


@time_machine.travel(NOW, tick=False)
def test_the_hourly_report_limit_in_the_api(owner, roadmap, topic) -> None:
    resources = burst(owner, roadmap, topic, REPORTS_PER_HOUR + 1)
    refused = client_for(owner).post(reports_path(resources[-1]), {"reason": "spam"}, format="json")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "600"
    body = refused.json()
    assert body["code"] == "report_limit" and body["retry_after"] == 600
    assert Report.objects.count() == REPORTS_PER_HOUR


@time_machine.travel(NOW, tick=False)
def test_the_hourly_report_limit_on_the_page(owner, roadmap, topic) -> None:
    resources = burst(owner, roadmap, topic, REPORTS_PER_HOUR + 1)
    page = page_client_for(owner).post(
        page_path(resources[-1]), {"reason": "spam", "note": "Selling pills."}
    )
    assert page.status_code == 429 and page["Retry-After"] == "600"
    assert f"{REPORTS_PER_HOUR} reports in the last hour".encode() in page.content
    assert b"Selling pills." in page.content
    assert Report.objects.count() == REPORTS_PER_HOUR


def test_a_hundred_reports_in_seconds_stop_at_the_limit(owner, roadmap, topic) -> None:
    resources = [approved(roadmap, topic, url=f"https://docs.example/{n}") for n in range(100)]
    api = client_for(owner)
    codes = [
        api.post(reports_path(r), {"reason": "spam"}, format="json").status_code for r in resources
    ]
    assert codes == [201] * REPORTS_PER_HOUR + [429] * (100 - REPORTS_PER_HOUR)
    assert Report.objects.count() == REPORTS_PER_HOUR


def test_the_schema_states_the_report_refusals() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    post = schema.json()["paths"]["/api/v1/resources/{id}/reports/"]["post"]["responses"]
    assert {"201", "400", "401", "404", "409", "429"} <= set(post)
