"""Community pages: submit (with the already-here panel), my submissions, votes, reports, XSS."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.community.models import Report, Vote
from apps.roadmap.models import Resource
from tests.factories import approved, resource
from tests.support.url_strategies import url_shaped

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


FORM = {
    "topic": "",
    "url": "https://blog.example/testing-ml",
    "title": "Testing ML code",
    "kind": "article",
    "description": "A practical guide.",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/roadmaps/ml-engineer/submit/"),
        ("post", "/roadmaps/ml-engineer/submit/"),
        ("get", "/my/submissions/"),
        ("post", "/resources/1/vote/"),
        ("get", "/resources/1/report/"),
        ("post", "/resources/1/report/"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(roadmap, method, path) -> None:
    response = getattr(web(None), method)(path, FORM)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Resource.objects.exists()


def test_submit_from_a_topic_then_follow_it(owner, roadmap, topic) -> None:
    page = web(owner).get("/roadmaps/ml-engineer/submit/?topic=testing")
    assert page.status_code == 200
    assert f'<option value="{topic.pk}" selected>' in page.content.decode()
    response = web(owner).post("/roadmaps/ml-engineer/submit/", {**FORM, "topic": topic.pk})
    assert response.status_code == 302 and response["Location"] == "/my/submissions/"
    listing = web(owner).get("/my/submissions/").content.decode()
    assert "Testing ML code" in listing and "Pending" in listing


def test_errors_are_summarised_and_nothing_is_written(owner, roadmap, topic) -> None:
    response = web(owner).post(
        "/roadmaps/ml-engineer/submit/",
        {**FORM, "url": "http://10.0.0.1/admin", "title": "x"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "<title>Error: " in text and "There is a problem" in text
    assert 'href="#id_url"' in text and "public address" in text
    assert 'href="#id_title"' in text
    assert not Resource.objects.exists()


def test_a_duplicate_shows_the_already_here_panel(owner, outsider, roadmap, topic) -> None:
    existing = approved(roadmap, topic, url="https://blog.example/testing-ml", title="Known")
    response = web(outsider).post(
        "/roadmaps/ml-engineer/submit/", {**FORM, "url": "https://blog.example/testing-ml#x"}
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Already here" in text
    assert f"/roadmaps/ml-engineer/topics/testing/#resource-{existing.pk}" in text
    assert Resource.objects.count() == 1


def test_the_limits_refuse_on_the_page_and_write_nothing(owner, roadmap, topic) -> None:
    for n in range(10):
        approved(roadmap, topic, url=f"https://blog.example/{n}", submitted_by=owner)
    Resource.objects.update(status=Resource.Status.PENDING)
    pending = web(owner).post("/roadmaps/ml-engineer/submit/", FORM)
    assert pending.status_code == 409 and "10 submissions waiting" in pending.content.decode()
    assert 'value="Testing ML code"' in pending.content.decode()  # what was typed is kept
    assert Resource.objects.count() == 10
    Resource.objects.update(status=Resource.Status.APPROVED)
    for n in range(10, 20):
        approved(roadmap, topic, url=f"https://blog.example/{n}", submitted_by=owner)
    limited = web(owner).post("/roadmaps/ml-engineer/submit/", FORM)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 23 * 3600
    assert "in the last 24 hours" in limited.content.decode()
    assert Resource.objects.count() == 20


def test_my_submissions_shows_only_mine_with_the_reason(owner, outsider, roadmap, topic):
    web(owner).post("/roadmaps/ml-engineer/submit/", FORM)
    Resource.objects.update(status="rejected", review_reason="Paywalled, sorry.")
    mine = web(owner).get("/my/submissions/").content.decode()
    assert "Rejected" in mine and "Paywalled, sorry." in mine
    theirs = web(outsider).get("/my/submissions/").content.decode()
    assert "Testing ML code" not in theirs and "You have not suggested a resource yet" in theirs


def test_votes_work_without_javascript_and_with_htmx(owner, outsider, roadmap, topic) -> None:
    resource = approved(roadmap, topic, submitted_by=owner)
    path = f"/resources/{resource.pk}/vote/"
    plain = web(outsider).post(path, {"value": "1"})
    assert plain.status_code == 302 and plain["Location"] == "/roadmaps/ml-engineer/topics/testing/"
    assert Vote.objects.get().value == 1
    partial = web(outsider).post(path, {"value": "-1"}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in text
    assert 'aria-pressed="true"' in text and ">-1<" in text
    withdrawn = web(outsider).post(path, {"value": "0"}, HTTP_HX_REQUEST="true")
    assert ">0<" in withdrawn.content.decode() and not Vote.objects.exists()
    own = web(owner).post(path, {"value": "1"}, HTTP_HX_REQUEST="true")
    assert own.status_code == 403 and not Vote.objects.exists()
    assert b"you submitted" in own.content and b"<html" not in own.content
    plain_own = web(owner).post(path, {"value": "1"})
    assert plain_own.status_code == 403 and b"<html" in plain_own.content  # the styled page
    assert not Vote.objects.exists()
    bad = web(outsider).post(path, {"value": "7"})
    assert bad.status_code == 400 and b"A vote is up, down or withdrawn." in bad.content
    assert not Vote.objects.exists()


def test_report_page(owner, roadmap, topic) -> None:
    resource = approved(roadmap, topic)
    path = f"/resources/{resource.pk}/report/"
    assert web(owner).get(path).status_code == 200
    assert web(owner).post(path, {"reason": "outdated"}).status_code == 302
    again = web(owner).post(path, {"reason": "spam"})
    assert again.status_code == 409 and b"already reported" in again.content
    missing = web(owner).post(path, {"reason": ""})
    assert missing.status_code == 400 and b"There is a problem" in missing.content
    assert Report.objects.count() == 1


XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<a href=javascript:alert(1)>click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<<script>alert(1)//<</script>",
]
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "base", "meta", "svg", "math", "style",
                  "link", "body"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}


class ActiveContent(HTMLParser):
    """Collects what a browser would run: dangerous elements, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = "".join((value or "").split()).lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}=")
            if name in URL_ATTRIBUTES and value.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {name}={value[:20]}")


def assert_harmless(html: str) -> None:
    """No element, handler or URL that runs script; escaped text is fine."""
    parser = ActiveContent()
    parser.feed(html)
    assert parser.found == []


def main_of(page: str) -> str:
    """The page's main element: the layout around it carries the site's own forms."""
    return page.split('<main id="main">', 1)[1].split("</main>", 1)[0]


RAW_HTML = [p for p in XSS if p.startswith(("<", '"', "'")) and "<scr<" not in p and "<<" not in p]


@pytest.mark.parametrize("payload", RAW_HTML)
def test_the_harmlessness_check_catches_each_raw_payload(payload) -> None:
    assert len(RAW_HTML) >= 20
    with pytest.raises(AssertionError):
        assert_harmless(payload)


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_titles_and_descriptions_comes_out_harmless(owner, roadmap, topic, payload):
    resource = approved(
        roadmap,
        topic,
        url=f"https://blog.example/{abs(hash(payload))}",
        title=payload[:200],
        description_md=payload,
    )
    Resource.objects.create(
        roadmap=roadmap,
        topic=topic,
        url="https://blog.example/pending",
        normalized_url="https://blog.example/pending",
        title=payload[:200],
        description_md=payload,
        status="pending",
        origin="community",
        submitted_by=owner,
    )
    topic_page = web(owner).get("/roadmaps/ml-engineer/topics/testing/").content.decode()
    assert_harmless(main_of(topic_page))
    assert payload[:200] not in main_of(topic_page) or "<" not in payload
    assert_harmless(main_of(web(owner).get("/my/submissions/").content.decode()))
    api = web(owner).get(f"/api/v1/resources/{resource.pk}/").json()
    assert_harmless(api["description_html"])


def test_topic_resources_best_first_or_newest_first(owner, outsider, roadmap, topic) -> None:
    from datetime import timedelta

    from django.utils import timezone

    old = approved(roadmap, topic, url="https://docs.example/old", title="Old and loved")
    old.created_at = timezone.now() - timedelta(days=30)
    old.save()
    approved(roadmap, topic, url="https://docs.example/new", title="New and unvoted")
    broken = approved(roadmap, topic, url="https://docs.example/gone", title="Gone")
    broken.health = Resource.Health.BROKEN
    broken.save()
    for voter in (owner, outsider):
        web(voter).post(f"/resources/{old.pk}/vote/", {"value": "1"})
    best = web(owner).get("/roadmaps/ml-engineer/topics/testing/").content.decode()
    assert best.index("Old and loved") < best.index("New and unvoted") < best.index("Gone")
    assert "web.archive.org/web/*/https://docs.example/gone" in best
    newest = web(owner).get("/roadmaps/ml-engineer/topics/testing/?sort=new").content.decode()
    assert newest.index("Gone") < newest.index("New and unvoted") < newest.index("Old and loved")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(url=st.one_of(st.text(max_size=60), url_shaped()))
def test_any_url_on_the_form_gets_a_redirect_or_a_field_error(owner, roadmap, topic, url) -> None:
    response = web(owner).post("/roadmaps/ml-engineer/submit/", {**FORM, "url": url})
    assert response.status_code in (302, 400), (url, response.status_code)
    if "\x00" in url:
        # A NUL byte in any form is refused before a view runs (error_views.ApiErrorsMiddleware)
        assert response.status_code == 400
        assert "The request could not be read" in response.content.decode()
        assert not Resource.objects.filter(status=Resource.Status.PENDING).exists()
    elif response.status_code == 400:
        assert 'href="#id_url"' in response.content.decode()
    Resource.objects.all().delete()  # no limit is ever reached


@pytest.mark.parametrize(
    ("status", "words"), [("pending", "already been suggested"), ("rejected", "declined")]
)
def test_the_page_says_only_suggested_or_declined_for_another_users_submission(
    owner, outsider, roadmap, topic, status, words
) -> None:
    theirs = resource(
        roadmap,
        topic,
        submitted_by=owner,
        url="https://secret.example/draft",
        title="Owner's private title",
        status=status,
        review_reason="Moderator's private reason",
    )
    response = web(outsider).post(
        "/roadmaps/ml-engineer/submit/", {**FORM, "url": "https://secret.example//draft"}
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert words in text and "Already here" not in text
    for secret in ("Owner&#x27;s private title", "Owner's private title", "private reason"):
        assert secret not in text
    assert f"#resource-{theirs.pk}" not in text and "Owner Example" not in text
    assert 'value="https://secret.example//draft"' in text  # what was typed is kept
    assert Resource.objects.count() == 1


def test_a_probable_duplicate_goes_through_and_the_page_names_it(outsider, roadmap, topic):
    approved(roadmap, topic, url="https://blog.example/testing-ml", title="Known page")
    response = web(outsider).post(
        "/roadmaps/ml-engineer/submit/",
        {**FORM, "url": "http://www.blog.example/testing-ml"},
        follow=True,
    )
    assert response.redirect_chain == [("/my/submissions/", 302)]
    text = response.content.decode()
    assert "It looks like “Known page”" in text and "https://blog.example/testing-ml" in text
    assert Resource.objects.count() == 2
