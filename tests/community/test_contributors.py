"""Contributor credit: the topic page's credit line, the API's `submitted_by`, the public
contributor page and the `show_contributions` opt-out."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.accounts import services as account_services
from apps.roadmap.models import Resource
from tests.factories import PASSWORD, UserFactory, VoteFactory, approved, pending, resource
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

TOPIC_PAGE = "/roadmaps/ml-engineer/topics/testing/"


def web(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_topic_page_credits_the_contributor_by_display_name_with_a_link(
    roadmap, topic, submitter
) -> None:
    approved(roadmap, topic, submitted_by=submitter, title="Sam's page")
    html = web().get(TOPIC_PAGE).content.decode()
    assert 'Suggested by <a href="/contributors/sam/">Sam</a>' in html


def test_topic_page_credits_no_one_for_imported_resources(roadmap, topic) -> None:
    imported = approved(roadmap, topic, title="From the README")
    assert imported.origin == Resource.Origin.ENRICHMENT
    page = web().get(TOPIC_PAGE)
    assert "From the README" in page.content.decode()
    assert "Suggested by" not in page.content.decode()


def test_credit_reads_deleted_user_after_the_account_is_deleted(roadmap, topic) -> None:
    leaver = UserFactory(username="leaver", display_name="Leaver")
    kept = approved(roadmap, topic, submitted_by=leaver, title="Kept page")
    account_services.user_delete(user=leaver, password=PASSWORD)
    kept.refresh_from_db()
    assert kept.submitted_by is None and kept.status == Resource.Status.APPROVED
    html = web().get(TOPIC_PAGE).content.decode()
    assert "Suggested by deleted user" in html
    api = client_for(None).get(f"/api/v1/resources/{kept.pk}/").json()
    assert api["submitted_by"] == "deleted user"


def test_api_names_the_contributor_and_nobody_for_imported_resources(
    roadmap, topic, submitter
) -> None:
    theirs = approved(roadmap, topic, submitted_by=submitter)
    imported = resource(roadmap, topic)
    anonymous = client_for(None)
    assert anonymous.get(f"/api/v1/resources/{theirs.pk}/").json()["submitted_by"] == "Sam"
    assert anonymous.get(f"/api/v1/resources/{imported.pk}/").json()["submitted_by"] is None


def test_contributor_page_lists_approved_resources_and_votes_received(
    roadmap, topic, submitter
) -> None:
    liked = approved(roadmap, topic, submitted_by=submitter, title="Liked page")
    liked.upvotes, liked.downvotes = 3, 1
    liked.save(update_fields=["upvotes", "downvotes"])
    other = approved(
        roadmap, None, url="https://docs.example/other", submitted_by=submitter, title="Other"
    )
    other.upvotes = 2
    other.save(update_fields=["upvotes"])
    pending(roadmap, topic, submitter, title="Still pending")
    resource(roadmap, topic, status=Resource.Status.REJECTED, submitted_by=submitter, title="No")
    page = web().get("/contributors/sam/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Liked page" in html and "Other" in html
    assert "Still pending" not in html and ">No<" not in html
    assert "<dt>Approved resources</dt><dd>2</dd>" in html
    assert "<dt>Upvotes received</dt><dd>5</dd>" in html
    assert "<dt>Downvotes received</dt><dd>1</dd>" in html
    assert "<dt>Net score</dt><dd>4</dd>" in html


def test_unknown_contributor_is_404(db) -> None:
    assert web().get("/contributors/nobody/").status_code == 404


def test_opted_out_contributor_has_no_page_and_an_unlinked_credit(
    roadmap, topic, submitter
) -> None:
    theirs = approved(roadmap, topic, submitted_by=submitter, title="Private page")
    response = web(submitter).post(
        "/settings/", {"display_name": "Sam", "time_zone": "UTC"}
    )  # the box left unticked
    assert response.status_code == 302
    submitter.refresh_from_db()
    assert submitter.show_contributions is False
    assert web().get("/contributors/sam/").status_code == 404
    html = web().get(TOPIC_PAGE).content.decode()
    assert "Suggested by a contributor" in html
    assert "/contributors/sam/" not in html and "Suggested by Sam" not in html
    api = client_for(None).get(f"/api/v1/resources/{theirs.pk}/").json()
    assert api["submitted_by"] == "a contributor"


def test_profile_page_offers_the_opt_out_ticked_by_default(submitter) -> None:
    html = web(submitter).get("/settings/").content.decode()
    box = re.search(r'<input[^>]*name="show_contributions"[^>]*>', html)
    assert box is not None and "checked" in box.group(0)
    response = web(submitter).post(
        "/settings/",
        {"display_name": "Sam", "time_zone": "UTC", "show_contributions": "on"},
    )
    assert response.status_code == 302
    submitter.refresh_from_db()
    assert submitter.show_contributions is True


def test_contributor_page_query_count_is_pinned(
    roadmap, topic, submitter, django_assert_num_queries
) -> None:
    for n in range(8):
        resource_ = approved(
            roadmap, topic, url=f"https://docs.example/p{n}", submitted_by=submitter
        )
        VoteFactory(resource=resource_)
    client = web()
    # user, the page's count, the page's rows, the totals
    with django_assert_num_queries(4):
        assert client.get("/contributors/sam/").status_code == 200
