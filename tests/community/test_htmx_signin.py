"""htmx controls that need a sign-in send the browser to the sign-in page as a whole page
(HX-Redirect, back to the page the user was on), never paste that page into the control; and a
refusal answered to htmx is a marked fragment shown beside the control.

One mechanism (roadmap_site/htmx.py) for every htmx endpoint, tested over all of them.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from apps.community.models import Report, Vote
from apps.progress.models import ResourceTick, TopicProgress
from tests.factories import approved

pytestmark = pytest.mark.django_db

TOPIC_PAGE = "/roadmaps/ml-engineer/topics/testing/"


def web(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def endpoints(roadmap, topic, owner) -> list[tuple[str, str, dict]]:
    """Every control the site drives with htmx: method, path, what the control sends."""
    item = approved(roadmap, topic, submitted_by=owner)
    return [
        ("post", f"/resources/{item.pk}/vote/", {"value": "1"}),
        ("post", f"{TOPIC_PAGE}status/", {"status": "done"}),
        ("post", f"/roadmaps/ml-engineer/resources/{item.pk}/tick/", {"ticked": "1"}),
        ("post", f"{TOPIC_PAGE}note/", {"note": "mine", "version": "0"}),
        ("post", f"/resources/{item.pk}/report/", {"reason": "spam", "note": ""}),
        ("get", f"/moderation/resources/{item.pk}/merge/candidates/", {"q": "good"}),
    ]


def written() -> tuple[int, int, int, int]:
    return (
        Vote.objects.count(),
        TopicProgress.objects.count(),
        ResourceTick.objects.count(),
        Report.objects.count(),
    )


@pytest.mark.parametrize(
    "index", range(6), ids=["vote", "status", "tick", "note", "report", "merge-search"]
)
def test_a_signed_out_htmx_control_redirects_the_whole_page_to_sign_in(endpoints, index) -> None:
    method, path, data = endpoints[index]
    answer = getattr(web(), method)(
        path,
        data,
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{TOPIC_PAGE}?sort=new",
    )
    assert answer.status_code == 200
    target = urlsplit(answer["HX-Redirect"])
    assert target.path == "/accounts/login/"
    assert parse_qs(target.query) == {"next": [f"{TOPIC_PAGE}?sort=new"]}
    assert answer.content == b""  # no sign-in page pasted into the control
    assert written() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "current",
    [
        "https://elsewhere.example/phish",
        "//elsewhere.example/phish",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_foreign_or_missing_current_url_is_not_where_sign_in_comes_back(endpoints, current):
    method, path, data = endpoints[0]
    headers = {"HTTP_HX_REQUEST": "true"}
    if current:
        headers["HTTP_HX_CURRENT_URL"] = current
    answer = getattr(web(), method)(path, data, **headers)
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == "/accounts/login/"  # no `next`: the default landing
    assert written() == (0, 0, 0, 0)


def test_without_htmx_the_sign_in_redirect_is_unchanged(endpoints) -> None:
    _method, path, data = endpoints[0]
    plain = web().post(path, data)
    assert plain.status_code == 302
    location = urlsplit(plain["Location"])
    assert location.path == "/accounts/login/" and parse_qs(location.query) == {"next": [path]}
    assert "HX-Redirect" not in plain


def test_a_signed_in_htmx_vote_still_swaps_its_control(endpoints, outsider) -> None:
    _method, path, data = endpoints[0]
    answer = web(outsider).post(
        path, data, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{TOPIC_PAGE}"
    )
    assert answer.status_code == 200 and "HX-Redirect" not in answer
    assert b'class="vote-control"' in answer.content and b"<html" not in answer.content
    assert Vote.objects.count() == 1


def test_an_htmx_refusal_is_a_marked_fragment_placed_after_the_control(endpoints, owner) -> None:
    """The owner's own resource: the service refuses; htmx gets the reason beside the control."""
    _method, path, data = endpoints[0]
    answer = web(owner).post(path, data, HTTP_HX_REQUEST="true")
    assert answer.status_code == 403
    assert answer["HX-Refusal"] == "true" and answer["HX-Reswap"] == "afterend"
    assert b"You cannot vote on a resource you submitted." in answer.content
    assert b"<html" not in answer.content
    assert Vote.objects.count() == 0


def test_a_whole_page_answered_to_htmx_with_a_4xx_is_never_marked_for_swapping(
    owner, roadmap, topic
) -> None:
    """A page (not a fragment) must never be pasted into a control, refusal or not."""
    answer = web(owner).post(
        "/roadmaps/ml-engineer/submit/", {"url": "not a url", "title": ""}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 400 and b"<!doctype html>" in answer.content.lower()
    assert "HX-Refusal" not in answer and "HX-Reswap" not in answer


def test_a_views_own_form_fragment_is_swapped_where_the_view_says(owner, roadmap, topic) -> None:
    """The note form answered again (a 400, the typed text kept) replaces the form, as its own
    hx-swap says; only the house's refusal fragment goes after the control."""
    answer = web(owner).post(
        f"{TOPIC_PAGE}note/", {"note": "x", "version": "not a number"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 400 and b"<!doctype html>" not in answer.content.lower()
    assert b">x</textarea>" in answer.content
    assert "HX-Refusal" not in answer and "HX-Reswap" not in answer
