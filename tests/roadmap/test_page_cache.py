"""The public pages from the cache (roadmap_site/page_cache.py): one query for a repeat, every
change on the next request, nothing personal in the shared bytes, the same security headers,
304s, Cache-Control for public and personal pages, and http and https kept apart."""

from __future__ import annotations

import re

import pytest
from csp.middleware import CSPMiddleware
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from apps.community.services import vote_cast
from apps.linkcheck import services as linkcheck
from apps.linkcheck.checker import LinkResult, Verdict
from apps.moderation.services import resources as moderation_resources
from apps.moderation.services import submissions, topics
from apps.roadmap.models import Resource
from apps.roadmap.services import community_touch, pages_touch, pages_version, pages_versions
from roadmap_site import page_cache
from roadmap_site.page_cache import CACHED_PAGES, PageCacheMiddleware, public_cache_control
from tests.factories import resource

pytestmark = pytest.mark.django_db

ROADMAP = "/roadmaps/ml-engineer/"
TOPIC = "/roadmaps/ml-engineer/topics/testing/"
PAGES = {
    "roadmap:home": "/",
    "roadmap:roadmap": ROADMAP,
    "roadmap:phase": "/roadmaps/ml-engineer/phases/foundations/",
    "roadmap:section": "/roadmaps/ml-engineer/sections/1/",
    "roadmap:topic": TOPIC,
    "roadmap:projects": "/roadmaps/ml-engineer/projects/",
    "roadmap:faq": "/roadmaps/ml-engineer/faq/",
    "roadmap:outcomes": "/roadmaps/ml-engineer/outcomes/",
    "moderation:modlog": "/modlog/",
}
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Strict-Transport-Security",
)
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture
def site(roadmap, topic):
    return resource(roadmap, topic, title="Good read")


def test_every_cached_page_is_measured_here() -> None:
    assert set(PAGES) == set(CACHED_PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_repeat_costs_one_query_and_the_same_bytes(site, name, django_assert_num_queries) -> None:
    client = Client()
    first = client.get(PAGES[name])
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the pages' version
        again = client.get(PAGES[name])
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_nothing_personal_in_the_shared_bytes_and_no_cookie_goes_out(site, name) -> None:
    client = Client()
    answers = [client.get(PAGES[name]) for _ in range(3)]
    for answer in answers:
        assert answer.status_code == 200
        assert not answer.cookies, answer.cookies
        assert "Set-Cookie" not in answer
        body = answer.content.decode()
        assert "csrfmiddlewaretoken" not in body
        assert "nonce" not in body
        assert "<script>" not in body and "<script nonce" not in body


def _nonces(answer) -> list[str]:
    return re.findall(r"'nonce-([^']+)'", answer.get("Content-Security-Policy", ""))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_answer_shares_a_nonce_rendered_cached_304_or_signed_in(site, outsider, name) -> None:
    """The cached pages need no nonce: no inline script or style in them, and no nonce in
    any answer's policy, whether rendered, from the cache or a 304; the signed-in page is
    rendered each time, and any nonce it uses is its own."""
    visitor = Client()
    rendered, cached = visitor.get(PAGES[name]), visitor.get(PAGES[name])
    revalidated = visitor.get(PAGES[name], HTTP_IF_NONE_MATCH=cached["ETag"])
    assert (rendered.status_code, cached.status_code, revalidated.status_code) == (200, 200, 304)
    for answer in (rendered, cached):
        body = answer.content.decode()
        assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body)
        assert not INLINE_STYLE.search(body), INLINE_STYLE.search(body)
    learner = Client()
    learner.force_login(outsider)
    signed_in = [learner.get(PAGES[name]) for _ in range(2)]
    assert all(answer.status_code == 200 for answer in signed_in)
    for answer in (rendered, cached, revalidated):
        assert _nonces(answer) == []
    seen = [nonce for answer in signed_in for nonce in _nonces(answer)]
    assert len(seen) == len(set(seen))


def test_a_page_that_uses_a_nonce_is_never_stored_and_each_answer_has_its_own(site) -> None:
    """Should a cached page's view ever use the nonce, its answer is not stored: the next
    request renders again, with a new nonce (the stack as settings.MIDDLEWARE orders it)."""
    renders = []

    def view(request):
        renders.append(1)
        return HttpResponse(f"<script nonce='{request.csp_nonce}'>1</script>")

    stack = PageCacheMiddleware(AuthenticationMiddleware(CSPMiddleware(view)))
    answers = []
    for _ in range(3):
        request = RequestFactory().get(PAGES["roadmap:faq"])
        SessionMiddleware(lambda _request: HttpResponse()).process_request(request)
        answers.append(stack(request))
    assert len(renders) == 3
    nonces = [nonce for answer in answers for nonce in _nonces(answer)]
    assert len(nonces) == 3 and len(set(nonces)) == 3
    for answer, nonce in zip(answers, nonces, strict=True):
        assert nonce in answer.content.decode()
        assert answer["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_security_headers_from_the_cache_equal_the_views(site, name, settings) -> None:
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client(**HTTPS)
    rendered = client.get(PAGES[name])
    cached = client.get(PAGES[name])
    assert rendered.status_code == cached.status_code == 200
    for header in SECURITY_HEADERS:
        assert rendered.has_header(header), header
        assert cached[header] == rendered[header], header
    for answer in (rendered, cached):
        assert answer["Cache-Control"] == public_cache_control()
        assert "Cookie" in answer["Vary"]


def test_cache_control_is_short_and_public(settings, site) -> None:
    settings.PAGE_CACHE_MAX_AGE = 17
    settings.PAGE_CACHE_STALE_WHILE_REVALIDATE = 42
    answer = Client().get(ROADMAP)
    assert answer["Cache-Control"] == "public, max-age=17, stale-while-revalidate=42"


def test_if_none_match_answers_304_with_no_body(site, django_assert_num_queries) -> None:
    client = Client()
    etag = client.get(TOPIC)["ETag"]
    with django_assert_num_queries(1):
        answer = client.get(TOPIC, HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 304
    assert answer.content == b""
    assert answer["ETag"] == etag
    assert answer["Cache-Control"] == public_cache_control()
    assert answer.has_header("Content-Security-Policy")
    assert client.get(TOPIC, HTTP_IF_NONE_MATCH='"p0-other"').status_code == 200


def test_head_answers_like_get_without_a_body(site) -> None:
    client = Client()
    for _ in range(2):  # rendered, then from the cache
        head = client.head(TOPIC)
        assert head.status_code == 200
        assert head.content == b""
        assert head["ETag"] == client.get(TOPIC)["ETag"]
        assert head["Content-Type"].startswith("text/html")


def test_http_and_https_are_cached_apart(site, django_assert_max_num_queries) -> None:
    client = Client()
    secure = client.get(ROADMAP, **HTTPS)
    with django_assert_max_num_queries(100) as plain_queries:
        plain = client.get(ROADMAP)
    assert len(plain_queries.captured_queries) > 1  # rendered, not the https copy
    assert secure["ETag"] != plain["ETag"]
    assert client.get(ROADMAP, HTTP_IF_NONE_MATCH=secure["ETag"]).status_code == 200


def test_the_theme_cookie_has_its_own_copy(site) -> None:
    client = Client()
    assert "data-theme" not in client.get(ROADMAP).content.decode()
    client.cookies["theme"] = "dark"
    assert 'data-theme="dark"' in client.get(ROADMAP).content.decode()
    client.cookies["theme"] = "neon"  # not a theme: the plain copy
    assert "data-theme" not in client.get(ROADMAP).content.decode()


def test_an_edit_shows_on_the_next_request(site, topic, moderator) -> None:
    client = Client()
    assert "Renamed topic" not in client.get(TOPIC).content.decode()
    assert "Renamed topic" not in client.get(ROADMAP).content.decode()
    topics.topic_edit(actor=moderator, topic=topic, title="Renamed topic")
    assert "Renamed topic" in client.get(TOPIC).content.decode()
    assert "Renamed topic" in client.get(ROADMAP).content.decode()
    assert "Renamed topic" in client.get("/modlog/").content.decode()


def test_a_vote_shows_on_the_next_request(site, outsider) -> None:
    client = Client()
    score = re.compile(rf'id="resource-{site.pk}".*?class="vote-score"[^>]*>(-?\d+)', re.S)
    assert score.search(client.get(TOPIC).content.decode())[1] == "0"
    vote_cast(user=outsider, resource=site, value=1)
    assert score.search(client.get(TOPIC).content.decode())[1] == "1"


def test_an_approval_shows_on_the_next_request(site, roadmap, topic, moderator, submitter) -> None:
    pending = resource(
        roadmap, topic, status=Resource.Status.PENDING, submitted_by=submitter, title="Fresh pick"
    )
    client = Client()
    assert "Fresh pick" not in client.get(TOPIC).content.decode()
    submissions.submission_approve(actor=moderator, resource=pending)
    assert "Fresh pick" in client.get(TOPIC).content.decode()


# The pages keyed by the community version too: what a vote, a link's health or a log entry
# that changes no content shows on.
COMMUNITY_PAGES = {"roadmap:roadmap", "roadmap:topic", "moderation:modlog"}


def test_the_pages_keyed_by_the_community_version_are_those_that_show_it() -> None:
    assert {name for name, page in CACHED_PAGES.items() if page.community} == COMMUNITY_PAGES


def _snapshot(client: Client) -> dict[str, tuple[str, bytes]]:
    answers = {name: client.get(path) for name, path in PAGES.items()}
    assert all(answer.status_code == 200 for answer in answers.values())
    return {name: (answer["ETag"], answer.content) for name, answer in answers.items()}


def _kept_and_moved(before, client, max_queries) -> tuple[set[str], set[str]]:
    """Which pages kept their copy (one query, the same ETag and bytes) and which were
    rendered again (more queries, a new ETag)."""
    kept, moved = set(), set()
    for name, path in PAGES.items():
        with max_queries(100) as queries:
            answer = client.get(path)
        if answer["ETag"] == before[name][0]:
            assert answer.content == before[name][1]
            assert len(queries.captured_queries) == 1, name  # the versions
            kept.add(name)
        else:
            assert len(queries.captured_queries) > 1, name
            moved.add(name)
    return kept, moved


def test_a_vote_renders_the_topic_page_again_and_leaves_the_others_cached(
    site, outsider, django_assert_max_num_queries
) -> None:
    client = Client()
    before = _snapshot(client)
    vote_cast(user=outsider, resource=site, value=1)
    kept, moved = _kept_and_moved(before, client, django_assert_max_num_queries)
    assert moved == COMMUNITY_PAGES
    assert kept == set(PAGES) - COMMUNITY_PAGES
    faq = client.get(PAGES["roadmap:faq"], HTTP_IF_NONE_MATCH=before["roadmap:faq"][0])
    assert faq.status_code == 304  # a browser's copy of the FAQ is still good
    topic = client.get(TOPIC, HTTP_IF_NONE_MATCH=before["roadmap:topic"][0])
    assert topic.status_code == 200


def test_a_health_change_leaves_the_pages_that_do_not_show_it_cached(
    site, django_assert_max_num_queries
) -> None:
    client = Client()
    before = _snapshot(client)
    token = linkcheck.new_token()
    now = timezone.now()
    assert linkcheck.link_claims_take(resources=[site], token=token, now=now) == [site.pk]
    failed = LinkResult(
        url=site.url,
        verdict=Verdict.BROKEN,
        status_code=404,
        final_url=site.url,
        elapsed_ms=5,
        attempts=1,
        error=None,
    )
    assert linkcheck.link_check_record(resource_id=site.pk, token=token, result=failed, started=now)
    kept, moved = _kept_and_moved(before, client, django_assert_max_num_queries)
    assert moved == COMMUNITY_PAGES
    assert kept == set(PAGES) - COMMUNITY_PAGES


def test_a_log_entry_that_changes_no_content_shows_on_the_log_only(
    site, roadmap, topic, moderator, submitter, django_assert_max_num_queries
) -> None:
    pending = resource(
        roadmap, topic, status=Resource.Status.PENDING, submitted_by=submitter, title="Spam pick"
    )
    client = Client()
    before = _snapshot(client)
    submissions.submission_reject(actor=moderator, resource=pending, reason="Off topic here.")
    kept, moved = _kept_and_moved(before, client, django_assert_max_num_queries)
    assert "moderation:modlog" in moved
    assert kept >= set(PAGES) - COMMUNITY_PAGES
    assert "Spam pick" in client.get("/modlog/").content.decode()


def test_an_edit_renders_every_page_again(site, topic, moderator) -> None:
    client = Client()
    before = _snapshot(client)
    topics.topic_edit(actor=moderator, topic=topic, title="Renamed topic")
    after = _snapshot(client)
    assert all(after[name][0] != before[name][0] for name in PAGES)


def test_both_versions_are_read_in_one_query_and_the_combined_one_moves_with_either(
    django_assert_num_queries,
) -> None:
    with django_assert_num_queries(1):
        content, community = pages_versions()
    combined = pages_version()
    community_touch()
    assert pages_versions() == (content, community + 1)
    assert pages_version() > combined
    combined = pages_version()
    pages_touch()
    assert pages_versions() == (content + 1, community + 1)
    assert pages_version() > combined


def test_a_copy_gone_from_the_cache_is_rendered_and_still_answers_its_etag(site) -> None:
    client = Client()
    etag = client.get(TOPIC)["ETag"]
    cache.clear()
    page_cache._LOCAL.clear()
    again = client.get(TOPIC, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again.has_header("Content-Security-Policy")


def test_a_retirement_and_its_log_entry_show_on_the_next_request(site, moderator) -> None:
    client = Client()
    assert "Good read" in client.get(TOPIC).content.decode()
    assert "Good read" not in client.get("/modlog/").content.decode()
    moderation_resources.resource_retire(actor=moderator, resource=site)
    assert "Good read" not in client.get(TOPIC).content.decode()
    assert "Good read" in client.get("/modlog/").content.decode()


def test_a_health_change_shows_on_the_next_request(site) -> None:
    client = Client()
    assert "health-" not in client.get(TOPIC).content.decode()
    token = linkcheck.new_token()
    now = timezone.now()
    assert linkcheck.link_claims_take(resources=[site], token=token, now=now) == [site.pk]
    failed = LinkResult(
        url=site.url,
        verdict=Verdict.BROKEN,
        status_code=404,
        final_url=site.url,
        elapsed_ms=5,
        attempts=1,
        error=None,
    )
    assert linkcheck.link_check_record(resource_id=site.pk, token=token, result=failed, started=now)
    site.refresh_from_db()
    assert site.health != Resource.Health.OK
    assert "health-" in client.get(TOPIC).content.decode()


def test_a_signed_in_visitor_is_never_served_the_cached_copy(site, outsider) -> None:
    Client().get(TOPIC)  # cached for visitors
    client = Client()
    client.force_login(outsider)
    answer = client.get(TOPIC)
    body = answer.content.decode()
    assert "Sign out" in body and "Sign in to upvote" not in body
    assert answer["Cache-Control"] == "private, no-store"


def test_a_visitor_with_a_pending_message_goes_to_the_view(site) -> None:
    client = Client()
    client.get(TOPIC)
    client.cookies["messages"] = "anything"
    assert client.get(TOPIC)["Cache-Control"] == "private, no-store"


def test_unknown_query_parameters_go_to_the_view_and_are_not_stored(
    site, django_assert_max_num_queries
) -> None:
    client = Client()
    for _ in range(2):
        with django_assert_max_num_queries(100) as queries:
            answer = client.get(TOPIC + "?utm_source=forum")
        assert answer.status_code == 200
        assert len(queries.captured_queries) > 1
        assert answer["Cache-Control"] == "private, no-store"


def test_the_free_only_view_of_a_topic_is_cached_apart_from_the_whole_list(
    roadmap, topic, django_assert_num_queries
) -> None:
    resource(roadmap, topic, title="Open notes")
    paid = resource(roadmap, topic, title="Paid course")
    Resource.objects.filter(pk=paid.pk).update(access=Resource.Access.PAYWALLED)
    pages_touch()
    client = Client()
    whole, free = client.get(TOPIC), client.get(TOPIC + "?free=1")
    with django_assert_num_queries(1):  # the pages' version
        free_again = client.get(TOPIC + "?free=1")
    assert free_again.content == free.content
    assert b"Paid course" in whole.content and b"Open notes" in whole.content
    assert b"Paid course" not in free.content and b"Open notes" in free.content
    assert free["ETag"] != whole["ETag"]
    assert free_again["Cache-Control"].startswith("public")


PERSONAL_PAGES = [
    ROADMAP,
    TOPIC,
    "/",
    "/roadmaps/ml-engineer/dashboard/",
    "/roadmaps/ml-engineer/enrol/",
    "/roadmaps/ml-engineer/submit/",
    "/settings/",
    "/settings/tokens/",
    "/my/submissions/",
    "/moderation/",
]


@pytest.mark.parametrize("path", PERSONAL_PAGES)
def test_pages_for_a_signed_in_user_are_private(site, moderator, path) -> None:
    client = Client()
    client.force_login(moderator)
    answer = client.get(path)
    assert answer.status_code in (200, 302), answer.status_code
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    assert "public" not in answer["Cache-Control"]


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_forms_for_visitors_are_private(site, path) -> None:
    answer = Client().get(path)
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]


def test_the_theme_toggle_refuses_another_sites_form(site) -> None:
    strict = Client(enforce_csrf_checks=True)
    foreign = strict.post("/theme/", {"theme": "dark"}, HTTP_ORIGIN="https://evil.invalid")
    assert foreign.status_code == 403
    own = strict.post("/theme/", {"theme": "dark"}, HTTP_ORIGIN="http://testserver")
    assert own.status_code == 302
    assert own.cookies["theme"].value == "dark"
    referred = strict.post("/theme/", {"theme": ""}, HTTP_REFERER="http://testserver/faq/")
    assert referred.status_code == 302


def test_a_visitors_vote_arrows_lead_to_sign_in(site) -> None:
    body = Client().get(TOPIC).content.decode()
    assert 'action="/accounts/login/"' in body and 'method="get"' in body
    assert f'name="next" value="{TOPIC}"' in body
