"""Verdicts, retries and politeness, judged by loopback servers' own counters."""

from __future__ import annotations

import itertools
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from apps.linkcheck.checker import (
    CheckerConfig,
    LinkResult,
    Verdict,
    backoff_delay,
    is_soft_404,
    parse_retry_after,
)
from apps.linkcheck.guard import Guard
from bench.linkcheck_server import (
    IN_FLIGHT_GRACE,
    Reply,
    Site,
    SiteStats,
    redirect,
    unused_port,
)
from tests.support.linkcheck import FAST, check, check_one, methods


def head_then(reply: Reply, head: Reply | None = None):
    """A script answering HEAD with `head` and GET with `reply`."""
    return lambda request: (head or reply) if request.method == "HEAD" else reply


# Verdict rules ---------------------------------------------------------------------------


def test_2xx_is_ok_with_one_head_request(serve) -> None:
    site = Site("127.0.0.2", {"/page": Reply(200), "/created": Reply(204)})
    serve(site)
    results = check([site.url("/page"), site.url("/created")])
    assert [(r.verdict, r.status_code, r.attempts) for r in results] == [
        (Verdict.OK, 200, 1),
        (Verdict.OK, 204, 1),
    ]
    assert results[0].final_url == site.url("/page")
    assert methods(site, "/page") == ["HEAD"]


@pytest.mark.parametrize("head_status", [403, 404, 405, 501])
def test_get_after_head_refused(serve, head_status: int) -> None:
    site = Site("127.0.0.2", {"/page": head_then(Reply(200), Reply(head_status))})
    serve(site)
    assert check_one(site.url("/page")).verdict == Verdict.OK
    assert methods(site, "/page") == ["HEAD", "GET"]


def test_get_after_head_fails(serve) -> None:
    site = Site("127.0.0.2", {"/page": head_then(Reply(200), Reply(reset=True))})
    serve(site)
    result = check_one(site.url("/page"))
    assert (result.verdict, result.attempts) == (Verdict.OK, 1)
    assert methods(site, "/page") == ["HEAD", "GET"]


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_is_redirected_and_keeps_the_final_url(serve, status: int) -> None:
    site = Site("127.0.0.2", {"/old": redirect("/new/", status), "/new/": Reply()})
    serve(site)
    result = check_one(site.url("/old"))
    assert (result.verdict, result.status_code) == (Verdict.REDIRECTED, 200)
    assert result.final_url == site.url("/new/")


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirect_is_ok(serve, status: int) -> None:
    site = Site("127.0.0.2", {"/now": redirect("/today", status), "/today": Reply()})
    serve(site)
    result = check_one(site.url("/now"))
    assert (result.verdict, result.final_url) == (Verdict.OK, site.url("/today"))


def test_a_chain_is_redirected_only_when_every_hop_is_permanent(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/a": redirect("/b", 301),
            "/b": redirect("/c", 302),
            "/c": Reply(),
            "/x": redirect("/y", 301),
            "/y": redirect("/z", 308),
            "/z": Reply(),
        },
    )
    serve(site)
    mixed, permanent = check([site.url("/a"), site.url("/x")])
    assert (mixed.verdict, mixed.final_url) == (Verdict.OK, site.url("/c"))
    assert (permanent.verdict, permanent.final_url) == (Verdict.REDIRECTED, site.url("/z"))


def test_redirect_to_another_host_is_followed_hop_by_hop(serve) -> None:
    new = Site("127.0.0.3", {"/docs/": Reply()})
    old = Site("127.0.0.2", {})
    serve(old, new)
    old.scripts["/docs"] = redirect(new.url("/docs/"))
    result = check_one(old.url("/docs"))
    assert (result.verdict, result.final_url) == (Verdict.REDIRECTED, new.url("/docs/"))
    assert len(old.stats.requests) == len(new.stats.requests) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_are_broken(serve, status: int) -> None:
    site = Site("127.0.0.2", {"/gone": Reply(status)})
    serve(site)
    result = check_one(site.url("/gone"))
    assert (result.verdict, result.status_code, result.error) == (
        Verdict.BROKEN,
        status,
        f"HTTP {status}",
    )
    assert result.attempts == 1  # a 404 is not retried


def test_connection_refused_is_broken() -> None:
    result = check_one(f"http://127.0.0.2:{unused_port('127.0.0.2')}/")
    assert (result.verdict, result.error, result.attempts) == (
        Verdict.BROKEN,
        "connection refused",
        1,
    )


def test_dns_failure_is_broken() -> None:
    from apps.linkcheck.guard import NameNotResolved

    async def no_such_name(host: str, port: int) -> list[str]:
        raise NameNotResolved(f"{host}: Name or service not known")

    result = check_one("https://gone.example/page", guard=Guard(resolver=no_such_name))
    assert result.verdict == Verdict.BROKEN
    assert result.error.startswith("DNS failure")


def test_redirect_loop_is_broken(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/a": redirect("/b"),
            "/b": redirect("/c", 302),
            "/c": redirect("/a"),
            "/self": redirect("/self"),
        },
    )
    serve(site)
    loop, itself = check([site.url("/a"), site.url("/self")])
    assert (loop.verdict, loop.error, loop.status_code) == (Verdict.BROKEN, "redirect loop", 301)
    assert (itself.verdict, itself.error) == (Verdict.BROKEN, "redirect loop")
    assert site.stats.paths()["/a"] == 1  # the loop is seen, not walked again


def _no_dns(host: str, port: int):
    raise AssertionError(f"the checker asked DNS for {host!r}")


@pytest.mark.parametrize(
    "location",
    [
        "http://[::zz]/",
        "http://exa mple/",
        "http://256.1.1.1/",
        "https://blog.example:99999/",
        "http://\u00e9x\u00e2\u00ff\u00a0.\u00bf/%zz",
        "http://exa%mple/",
        "http://[::1/",
        "http://-bad-.example/",
    ],
)
def test_a_redirect_to_an_unreadable_location_is_broken_not_a_reset(serve, location) -> None:
    site = Site("127.0.0.2", {"/old": redirect(location, 301)})
    serve(site)
    guard = Guard(allow_private=True, resolver=_no_dns)
    result = check_one(site.url("/old"), guard=guard)
    assert (result.verdict, result.status_code, result.attempts) == (Verdict.BROKEN, 301, 1)
    assert result.error.startswith("HTTP 301 to an unreadable Location")
    assert methods(site, "/old") == ["HEAD"]  # neither retried nor fetched again with GET


@pytest.mark.parametrize("location", ["", "   "])
def test_a_redirect_with_an_empty_location_is_broken(serve, location) -> None:
    site = Site("127.0.0.2", {"/old": redirect(location, 301)})
    serve(site)
    result = check_one(site.url("/old"))
    assert (result.verdict, result.status_code, result.attempts) == (Verdict.BROKEN, 301, 1)
    assert result.error == "HTTP 301 without a Location"


def test_at_most_ten_redirects(serve) -> None:
    scripts = {f"/{n}": redirect(f"/{n + 1}", 302) for n in range(11)}
    site = Site("127.0.0.2", {**scripts, "/11": Reply()})
    serve(site)
    ten, eleven = check([site.url("/1"), site.url("/0")])
    assert ten.verdict == Verdict.OK
    assert (eleven.verdict, eleven.error) == (Verdict.BROKEN, "too many redirects")


def test_soft_404_redirect_to_the_site_root(serve) -> None:
    site = Site(
        "127.0.0.2",
        {"/": Reply(), "/deleted-post": redirect("/", 301), "/index.html": redirect("/", 301)},
    )
    serve(site)
    deleted, index = check([site.url("/deleted-post"), site.url("/index.html")])
    assert (deleted.verdict, deleted.status_code) == (Verdict.SOFT_404, 200)
    assert deleted.error == f"soft 404: redirected to {site.url('/')}"
    assert index.verdict == Verdict.REDIRECTED  # the index page moving to / is no soft 404


def test_soft_404_redirect_to_a_not_found_page(serve) -> None:
    site = Site(
        "127.0.0.2",
        {
            "/guide": redirect("/errors/404.html", 302),
            "/errors/404.html": Reply(),
            "/paper": redirect("/page-not-found?from=paper", 302),
            "/page-not-found": Reply(),
        },
    )
    serve(site)
    results = check([site.url("/guide"), site.url("/paper")])
    assert [r.verdict for r in results] == [Verdict.SOFT_404, Verdict.SOFT_404]
    assert all(r.error.startswith("soft 404") for r in results)


@pytest.mark.parametrize(
    ("original", "final", "soft"),
    [
        ("https://a.org/post", "https://a.org/", True),
        ("https://a.org/post", "https://www.a.org/", True),
        ("https://a.org/post", "https://a.org/index.php", True),
        ("https://a.org/post", "https://a.org/404", True),
        ("https://a.org/post", "https://a.org/not_found.html", True),
        ("https://a.org/post", "https://a.org/search?error=404", True),
        ("https://a.org/", "https://a.org/", False),
        ("https://a.org/", "https://a.org/en/", False),
        ("https://a.org/docs", "https://a.org/docs/", False),
        ("https://a.org/ok", "https://a.org/ok-now", False),
        ("https://bit.ly/x", "https://project.org/", False),
        ("http://a.org/404", "https://a.org/404", False),
    ],
)
def test_soft_404_rules(original: str, final: str, soft: bool) -> None:
    assert is_soft_404(original, final) is soft


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(401), "HTTP 401"),
        (Reply(403, {"cf-mitigated": "challenge"}), "HTTP 403 from a bot wall"),
        (Reply(403, {"Server": "cloudflare"}), "HTTP 403 from a bot wall"),
        (Reply(999), "HTTP 999"),
    ],
    ids=["401", "403 cf-mitigated", "403 cloudflare", "999"],
)
def test_blocked_is_never_called_dead(serve, reply: Reply, error: str) -> None:
    site = Site("127.0.0.2", {"/wall": reply})
    serve(site)
    result = check_one(site.url("/wall"))
    assert (result.verdict, result.error, result.attempts) == (Verdict.BLOCKED, error, 1)


def test_plain_403_is_broken(serve) -> None:
    site = Site("127.0.0.2", {"/private": Reply(403)})
    serve(site)
    assert check_one(site.url("/private")).verdict == Verdict.BROKEN


# Retry rules -----------------------------------------------------------------------------


def test_429_is_retried_then_blocked(serve) -> None:
    site = Site("127.0.0.2", {"/busy": Reply(429)})
    serve(site)
    result = check_one(site.url("/busy"))
    assert (result.verdict, result.status_code, result.attempts) == (Verdict.BLOCKED, 429, 3)
    assert methods(site, "/busy") == ["HEAD"] * 3


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried_then_error(serve, status: int) -> None:
    site = Site("127.0.0.2", {"/down": Reply(status)})
    serve(site)
    result = check_one(site.url("/down"))
    assert (result.verdict, result.status_code, result.attempts) == (Verdict.ERROR, status, 3)
    assert len(site.stats.requests) == 3


def test_503_then_fine_is_ok(serve) -> None:
    site = Site("127.0.0.2", {"/flaky": lambda r: Reply(503) if r.number == 1 else Reply()})
    serve(site)
    result = check_one(site.url("/flaky"))
    assert (result.verdict, result.attempts) == (Verdict.OK, 2)


def test_retries_back_off_exponentially(serve) -> None:
    site = Site("127.0.0.2", {"/down": Reply(500)})
    serve(site)
    check_one(site.url("/down"), config=replace(FAST, backoff=0.2))
    first, second, third = (request.arrived for request in site.stats.requests)
    # Never earlier than the jittered minimum: 0.5 x 0.2 s, then 0.5 x 0.4 s. (How much later
    # depends on the machine's load; the exact delays are tested below without a clock.)
    assert second - first >= 0.1
    assert third - second >= 0.2


def test_the_backoff_doubles_within_its_jitter() -> None:
    assert [backoff_delay(0.2, attempt, jitter=1.0) for attempt in (1, 2, 3)] == [0.2, 0.4, 0.8]
    assert backoff_delay(0.2, 2, jitter=0.5) == pytest.approx(0.2)
    assert backoff_delay(0.2, 2, jitter=1.5) == pytest.approx(0.6)
    drawn = [backoff_delay(1.0, 1) for _ in range(200)]
    assert min(drawn) >= 0.5 and max(drawn) <= 1.5 and len(set(drawn)) > 100


def test_a_reset_connection_is_retried(serve) -> None:
    site = Site("127.0.0.2", {"/reset": lambda r: Reply(reset=True) if r.number <= 2 else Reply()})
    serve(site)
    result = check_one(site.url("/reset"))
    assert (result.verdict, result.attempts) == (Verdict.OK, 2)  # HEAD reset, GET reset, HEAD


def test_reset_every_time_is_error(serve) -> None:
    site = Site("127.0.0.2", {"/reset": Reply(reset=True)})
    serve(site)
    result = check_one(site.url("/reset"))
    assert (result.verdict, result.error, result.attempts) == (
        Verdict.ERROR,
        "connection reset",
        3,
    )


def test_hanging_response_is_an_error_after_the_timeouts(serve) -> None:
    site = Site("127.0.0.2", {"/hang": Reply(hang=True)})
    serve(site)
    start = time.monotonic()
    result = check_one(site.url("/hang"))
    assert (result.verdict, result.error) == (Verdict.ERROR, "timeout")
    assert result.attempts >= 2  # a timeout is retried
    assert result.elapsed_ms <= FAST.check_timeout * 1000 + 100
    assert time.monotonic() - start < FAST.check_timeout + 1


def test_the_whole_check_has_one_deadline(serve) -> None:
    # Each hop answers within the read timeout, but ten of them outlast the whole check.
    scripts = {f"/{n}": Reply(302, {"Location": f"/{n + 1}"}, b"", delay=0.2) for n in range(10)}
    site = Site("127.0.0.2", {**scripts, "/10": Reply()})
    serve(site)
    result = check_one(site.url("/0"), config=replace(FAST, check_timeout=1.0))
    assert (result.verdict, result.error, result.attempts) == (Verdict.ERROR, "timeout", 1)
    assert 900 <= result.elapsed_ms <= 1500


def test_a_slow_answer_within_the_timeouts_is_ok(serve) -> None:
    site = Site("127.0.0.2", {"/slow": Reply(delay=0.2)})
    serve(site)
    assert check_one(site.url("/slow")).verdict == Verdict.OK


def test_at_most_64_kib_of_a_huge_body_is_read(serve) -> None:
    from apps.linkcheck.checker import LinkChecker
    from tests.support.linkcheck import LOOPBACK

    site = Site("127.0.0.2", {"/huge": head_then(Reply(stream=-1), Reply(405))})
    serve(site)

    import asyncio

    async def run() -> tuple[LinkResult, int]:
        async with LinkChecker(LOOPBACK, FAST) as checker:
            result = await checker.check(site.url("/huge"))
            return result, checker.stats.largest_body_read

    start = time.monotonic()
    result, read = asyncio.run(run())
    assert result.verdict == Verdict.OK
    assert read == 64 * 1024
    assert time.monotonic() - start < 3.0
    time.sleep(0.1)
    # The server stopped once the client hung up (only socket buffers beyond what we read).
    assert site.stats.bytes_sent < 32 * 1024 * 1024


# Retry-After rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_host", "grace"),
    [(1, 0.0), (2, IN_FLIGHT_GRACE)],
    ids=["one at a time: nothing at all", "two at a time: one may be on its way"],
)
def test_429_retry_after_pauses_the_whole_host(serve, per_host: int, grace: float) -> None:
    site = Site(
        "127.0.0.2",
        {"/limited": lambda r: Reply(429, {"Retry-After": "1"}) if r.number == 1 else Reply()},
        default=Reply(),
    )
    serve(site)
    urls = [site.url("/limited")] + [site.url(f"/page/{n}") for n in range(8)]
    config = replace(FAST, host_gap=0.05, per_host=per_host)
    results = check(urls, config=config)
    assert all(r.verdict == Verdict.OK for r in results)
    assert results[0].attempts == 2
    [(sent, ends)] = site.stats.pauses
    assert site.stats.early(grace) == []
    later = [r.arrived for r in site.stats.requests if r.arrived > sent + grace]
    assert later and min(later) >= ends  # nothing at all during the pause
    retry = [r for r in site.stats.requests if r.path == "/limited"][1]
    assert retry.arrived >= ends


def test_503_retry_after_pauses_the_host_then_is_ok(serve) -> None:
    site = Site(
        "127.0.0.2",
        {"/maint": lambda r: Reply(503, {"Retry-After": "1"}) if r.number == 1 else Reply()},
        default=Reply(),
    )
    serve(site)
    results = check([site.url("/maint"), site.url("/other")], config=replace(FAST, host_gap=0.3))
    assert [r.verdict for r in results] == [Verdict.OK, Verdict.OK]
    assert site.stats.early() == []
    assert len(site.stats.pauses) == 1


def test_429_with_retry_after_every_time_is_blocked_after_its_retries(serve) -> None:
    site = Site("127.0.0.2", {"/busy": Reply(429, {"Retry-After": "1"})})
    serve(site)
    result = check_one(site.url("/busy"), config=replace(FAST, check_timeout=5))
    assert (result.verdict, result.attempts) == (Verdict.BLOCKED, 3)
    assert site.stats.early() == []
    arrivals = [r.arrived for r in site.stats.requests]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(arrivals))


def test_a_pause_longer_than_the_cap_leaves_the_host_alone(serve) -> None:
    site = Site("127.0.0.2", {"/busy": Reply(429, {"Retry-After": "3600"})}, default=Reply())
    serve(site)
    config = replace(FAST, per_host=1, host_gap=0.05)
    results = check([site.url("/busy"), site.url("/a"), site.url("/b")], config=config)
    assert [r.verdict for r in results] == [Verdict.BLOCKED] * 3
    assert all("longer than we wait" in r.error for r in results)
    assert len(site.stats.requests) == 1
    assert site.stats.early() == []


def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


# Politeness ------------------------------------------------------------------------------


def test_per_host_concurrency_never_exceeds_its_limit(serve) -> None:
    a = Site("127.0.0.2", default=Reply(delay=0.05))
    b = Site("127.0.0.3", default=Reply(delay=0.05))
    serve(a, b)
    urls = [site.url(f"/{n}") for n in range(12) for site in (a, b)]
    results = check(urls, config=replace(FAST, per_host=2))
    assert all(r.verdict == Verdict.OK for r in results)
    assert a.stats.max_in_flight == 2
    assert b.stats.max_in_flight == 2


def test_requests_in_flight_never_exceed_the_global_limit(serve) -> None:
    shared = SiteStats()
    sites = [Site(f"127.0.0.{n}", default=Reply(delay=0.05), stats=shared) for n in range(2, 6)]
    serve(*sites)
    urls = [site.url(f"/{n}") for n in range(6) for site in sites]
    check(urls, config=replace(FAST, max_in_flight=3, per_host=2))
    assert shared.max_in_flight == 3
    assert len(shared.requests) == 24


def test_a_minimum_gap_between_requests_to_one_host(serve) -> None:
    site = Site("127.0.0.2", default=Reply())
    serve(site)
    check([site.url(f"/{n}") for n in range(6)], config=replace(FAST, host_gap=0.2))
    arrivals = sorted(r.arrived for r in site.stats.requests)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    # The client never starts early; the server, a thread in the same busy process, may
    # stamp one arrival a little late, which shortens the gap after it by as much.
    assert min(gaps) >= 0.17, gaps


def test_results_are_cached_per_url_for_a_run(serve) -> None:
    site = Site("127.0.0.2", {"/page": Reply()})
    serve(site)
    url = site.url("/page")
    results = check([url, url, f"{url}#section", f"{url}?utm_source=x"])
    assert len(site.stats.requests) == 1
    assert [r.url for r in results] == [url, url, f"{url}#section", f"{url}?utm_source=x"]
    assert {r.verdict for r in results} == {Verdict.OK}


def test_the_user_agent_is_sent(serve) -> None:
    site = Site("127.0.0.2", {"/page": Reply()})
    serve(site)
    agent = "Mozilla/5.0 (compatible; Test checker; +https://roadmap.example/)"
    check_one(site.url("/page"), config=replace(FAST, user_agent=agent))
    assert site.stats.requests[0].headers["user-agent"] == agent


def test_result_shape() -> None:
    result = LinkResult("http://a/", Verdict.OK, 200, "http://a/", 12, 1, None)
    assert result.as_dict() == {
        "url": "http://a/",
        "verdict": "ok",
        "status_code": 200,
        "final_url": "http://a/",
        "elapsed_ms": 12,
        "attempts": 1,
        "error": None,
    }
    assert CheckerConfig().per_host == 2
