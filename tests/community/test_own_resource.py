"""One's own suggestion: the vote arrows are not offered ("Your suggestion" instead); a vote
sent anyway is refused with the reason, on the page and in the API's house shape."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.community.models import Vote
from tests.factories import approved

pytestmark = pytest.mark.django_db

TOPIC_PAGE = "/roadmaps/ml-engineer/topics/testing/"


def web(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def item_html(page: str, pk: int) -> str:
    start = page.index(f'id="resource-{pk}"')
    return page[start : page.index("</li>", start)]


def test_the_submitter_sees_your_suggestion_instead_of_vote_arrows(owner, outsider, roadmap, topic):
    mine = approved(roadmap, topic, submitted_by=owner, title="Mine")
    theirs = approved(roadmap, topic, url="https://docs.example/other", title="Theirs")
    page = web(owner).get(TOPIC_PAGE).content.decode()
    own = item_html(page, mine.pk)
    assert "Your suggestion" in own
    assert 'name="value"' not in own and "vote-button" not in own
    assert 'class="vote-score"' in own  # the score still shows
    assert 'name="value"' in item_html(page, theirs.pk)
    # Everyone else, signed in or not, gets the arrows on it.
    for viewer in (outsider, None):
        other = item_html(web(viewer).get(TOPIC_PAGE).content.decode(), mine.pk)
        assert "Your suggestion" not in other and 'name="value"' in other


def test_a_vote_on_ones_own_resource_says_why_everywhere(owner, roadmap, topic) -> None:
    mine = approved(roadmap, topic, submitted_by=owner)
    page = web(owner).post(f"/resources/{mine.pk}/vote/", {"value": "1"})
    assert page.status_code == 403
    assert b"You cannot vote on a resource you submitted." in page.content
    api = APIClient()
    api.force_login(owner)
    answer = api.put(f"/api/v1/resources/{mine.pk}/vote/", {"value": 1}, format="json")
    assert answer.status_code == 403
    assert answer.json() == {
        "detail": "You cannot vote on a resource you submitted.",
        "code": "own_resource",
    }
    assert not Vote.objects.exists()
