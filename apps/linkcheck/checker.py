"""The link checker: one verdict per URL, polite to every host, behind the SSRF guard.

A library with no Django in it: the policy, limits and timeouts come in as arguments
(`Guard`, `CheckerConfig`), so the management command, a Celery task or a test can drive it.
The rules a verdict follows are in docs/linkcheck.md; in short:

- HEAD first; GET when HEAD answers 403, 404, 405 or 501, or fails after connecting.
- Redirects are followed here, hop by hop (each hop checked by the guard), at most 10.
- 429 and 503 with Retry-After pause the whole host; 429, 5xx, timeouts and resets are
  retried with jittered exponential backoff.
- At most `max_in_flight` requests at once, at most `per_host` to one host, and a minimum
  gap between the starts of two requests to one host.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import re
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx

from apps.linkcheck.guard import NOT_ALLOWED, AddressNotAllowed, Guard, NameNotResolved
from apps.linkcheck.transport import GuardedTransport
from apps.linkcheck.verdicts import Page, Verdict, judge_page
from apps.linkcheck.verdicts import is_soft_404 as is_soft_404  # where callers found it
from apps.roadmap.url_normalization import NOT_HTTP, URLProblem, normalize_url, read_http_url

DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; RoadmapLinkChecker/1.0)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
GET_AFTER_HEAD = frozenset({403, 404, 405, 501})
BOT_WALL_HEADERS = ("cf-mitigated", "cf-chl-bypass", "x-datadome", "x-amzn-waf-action")
BOT_WALL_SERVERS = ("cloudflare", "akamaighost", "ddos-guard")

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class LinkResult:
    """The verdict on one URL, as the command prints it and a LinkCheck row will store it."""

    url: str
    verdict: Verdict
    status_code: int | None
    final_url: str | None
    elapsed_ms: int  # time spent in requests (not waiting for a turn at the host)
    attempts: int
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": str(self.verdict)}


def backoff_delay(base: float, attempt: int, jitter: float | None = None) -> float:
    """The wait before retry `attempt` (1, 2, ...): base, then doubling, times a jitter drawn
    from 0.5 to 1.5 so that many checkers do not retry in step."""
    factor = random.uniform(0.5, 1.5) if jitter is None else jitter
    return base * 2 ** (attempt - 1) * factor


@dataclass(frozen=True)
class CheckerConfig:
    max_in_flight: int = 32
    per_host: int = 2
    host_gap: float = 0.1  # seconds between the starts of two requests to one host
    tries: int = 3
    backoff: float = 0.5  # the first retry waits about this long, then it doubles (jittered)
    retry_after_cap: float = 60.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    check_timeout: float = 30.0  # all requests of one check together
    max_redirects: int = 10
    body_limit: int = 64 * 1024
    read_pages: bool = True  # GET a 2xx HTML page (bounded) so the page rules can judge it
    user_agent: str = DEFAULT_USER_AGENT


@dataclass
class CheckerStats:
    requests: int = 0
    largest_body_read: int = 0


@dataclass(frozen=True)
class _Answer:
    """One HTTP answer, or the remembered answer of a host that asked for too long a pause."""

    status: int
    headers: httpx.Headers
    url: str
    final: bool = False  # no retry: the host asked for a longer pause than we wait
    paused_host: bool = False
    note: str | None = None
    body: bytes | None = None  # the first `body_limit` bytes of a GET's body; None after HEAD


class _Failure(Exception):
    """A request that got no HTTP answer.

    `retry`: worth another attempt (timeouts, resets); the others are final (refused address,
    DNS failure, connection refused, TLS failure). `get_instead`: HEAD failed after the
    connection was made, so GET may still work.
    """

    def __init__(
        self, message: str, *, retry: bool, get_instead: bool = False, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry
        self.get_instead = get_instead
        self.status = status
        self.url: str | None = None


class _Budget:
    """The whole-check timeout: request time adds up across hops and attempts."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds
        self.spent = 0.0

    @asynccontextmanager
    async def spend(self) -> Any:
        if self.left <= 0:
            raise _Failure("timeout", retry=False)
        start = time.monotonic()
        try:
            async with asyncio.timeout(self.left):
                yield
        except TimeoutError:
            raise _Failure("timeout", retry=False) from None
        finally:
            elapsed = time.monotonic() - start
            self.left -= elapsed
            self.spent += elapsed


class HostTurns:
    """One host's turn-taking: a few requests at once, a gap between starts, and pauses.
    The politeness rule in one place: the link checker and the forge adapters both take turns
    through it."""

    def __init__(self, per_host: int, gap: float) -> None:
        self._slots = asyncio.Semaphore(per_host)
        self._starts = asyncio.Lock()
        self._gap = gap
        self._next_start = 0.0
        self._paused_until = 0.0
        self.closed: _Answer | None = None

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    @asynccontextmanager
    async def turn(self) -> Any:
        """Wait for a slot and for the gap and any pause to pass; yields `sent`.

        The next request may start `gap` seconds after this one's headers are on the wire
        (the caller calls `sent()` then), so connection set-up never eats into the gap the
        host sees.
        """
        async with self._slots:
            await self._starts.acquire()
            released = False

            def sent() -> None:
                nonlocal released
                if not released:
                    released = True
                    self._next_start = time.monotonic() + self._gap
                    self._starts.release()

            try:
                # A pause can begin while we sleep, so look again after every sleep.
                while (wait := max(self._next_start, self._paused_until) - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                yield sent
            finally:
                sent()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def has_bot_wall_signs(headers: httpx.Headers) -> bool:
    if any(name in headers for name in BOT_WALL_HEADERS):
        return True
    server = headers.get("server", "").lower()
    if server.startswith(BOT_WALL_SERVERS):
        return True
    cookies = " ".join(headers.get_list("set-cookie")).lower()
    return "__cf_bm=" in cookies or "datadome=" in cookies


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _failure_from(exc: Exception) -> _Failure:
    if isinstance(exc, AddressNotAllowed):
        return _Failure(NOT_ALLOWED, retry=False)
    if isinstance(exc, NameNotResolved):
        return _Failure(f"DNS failure: {exc}", retry=False)
    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure("connect timeout", retry=True)
    if isinstance(exc, httpx.TimeoutException):
        return _Failure("timeout", retry=True, get_instead=True)
    if isinstance(exc, httpx.ConnectError):
        for cause in _causes(exc):
            if isinstance(cause, ConnectionRefusedError):
                return _Failure("connection refused", retry=False)
            if isinstance(cause, ssl.SSLError):
                return _Failure(f"TLS failure: {cause}", retry=False)
        return _Failure(f"connection failed: {exc}", retry=True)
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return _Failure("connection reset", retry=True, get_instead=True)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError):
        return _Failure(f"invalid URL: {exc}", retry=False)
    return _Failure(f"{type(exc).__name__}: {exc}", retry=True)


class _UnreadableLocation(Exception):
    """A redirect whose Location is no URL we could follow: a final answer, not a reset."""

    def __init__(self, status: int, location: str, reason: str) -> None:
        shown = location if len(location) <= 80 else location[:77] + "..."
        super().__init__(f"HTTP {status} to an unreadable Location {shown!r}: {reason}")
        self.status = status


def location_problem(base: str, location: str) -> str | None:
    """Why a redirect's Location cannot be followed from `base`, or None if it can."""
    try:
        httpx.URL(base).join(httpx.URL(location))  # what httpx itself will do with it
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        return str(exc).rstrip(".") + "."
    try:
        read_http_url(urljoin(base, location))
    except (URLProblem, ValueError) as problem:
        # Another scheme (file:, ftp:) reads fine; the guard refuses it at the hop.
        return None if str(problem) == NOT_HTTP else str(problem)
    return None


async def _refuse_unreadable_location(response: httpx.Response) -> None:
    """A response hook. httpx reads a redirect's Location before it hands the response back,
    and a Location it cannot parse surfaces as a protocol error, which looks like a reset and
    would be retried. Judged here first, the redirect gets a verdict of its own. An empty
    Location is left to `_follow` ("without a Location")."""
    location = response.headers.get("location", "").strip()
    if response.status_code not in REDIRECT_STATUSES or not location:
        return
    reason = location_problem(str(response.request.url), location)
    if reason is not None:
        raise _UnreadableLocation(response.status_code, location, reason)


def _cache_key(url: str) -> str:
    try:
        return normalize_url(url)
    except ValueError:
        return url.strip()


def is_html(headers: httpx.Headers) -> bool:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower() in HTML_TYPES


def _page(answer: _Answer) -> Page | None:
    if answer.body is None or not is_html(answer.headers):
        return None
    charset = None
    for param in answer.headers.get("content-type", "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return Page.read(answer.body, charset)


def _verdict(answer: _Answer, url: str, hops: list[int]) -> tuple[Verdict, str | None]:
    status = answer.status
    if 200 <= status < 300:
        judged = judge_page(url, answer.url, hops, _page(answer))
        if judged is not None:
            return judged
        if hops and all(code in PERMANENT_REDIRECTS for code in hops):
            return Verdict.REDIRECTED, None
        return Verdict.OK, None
    if status in (401, 429, 999):
        return Verdict.BLOCKED, answer.note or f"HTTP {status}"
    if status == 403 and has_bot_wall_signs(answer.headers):
        return Verdict.BLOCKED, "HTTP 403 from a bot wall"
    if 500 <= status < 600:
        return Verdict.ERROR, answer.note or f"HTTP {status}"
    return Verdict.BROKEN, answer.note or f"HTTP {status}"


class LinkChecker:
    """Check URLs with one shared client; use as `async with LinkChecker(...) as checker`."""

    def __init__(
        self,
        guard: Guard,
        config: CheckerConfig | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.config = config or CheckerConfig()
        self.stats = CheckerStats()
        self._guard = guard
        self._ssl_context = ssl_context
        self._network_backend = network_backend
        self._client: httpx.AsyncClient | None = None
        self._in_flight = asyncio.Semaphore(self.config.max_in_flight)
        self._hosts: dict[str, HostTurns] = {}
        self._results: dict[str, asyncio.Future[LinkResult]] = {}

    async def __aenter__(self) -> LinkChecker:
        config = self.config
        limits = httpx.Limits(
            max_connections=config.max_in_flight,
            max_keepalive_connections=config.max_in_flight,
            keepalive_expiry=5.0,
        )
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(
                self._guard,
                limits=limits,
                ssl_context=self._ssl_context,
                network_backend=self._network_backend,
            ),
            trust_env=False,
            follow_redirects=False,
            event_hooks={"response": [_refuse_unreadable_location]},
            timeout=httpx.Timeout(
                connect=config.connect_timeout,
                read=config.read_timeout,
                write=config.read_timeout,
                pool=config.read_timeout,
            ),
            headers={
                "User-Agent": config.user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "Accept-Encoding": "identity",
            },
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._client is not None
        await self._client.aclose()

    async def check(self, url: str) -> LinkResult:
        """The verdict on one URL; each URL is checked once per run, however often asked."""
        key = _cache_key(url)
        if key not in self._results:
            self._results[key] = asyncio.ensure_future(self._check(url))
        result = await asyncio.shield(self._results[key])
        return result if result.url == url else replace(result, url=url)

    async def check_many(
        self, urls: Iterable[str], on_result: Callable[[LinkResult], None] | None = None
    ) -> list[LinkResult]:
        """Verdicts in the order of `urls`; `on_result` hears each as soon as it is known."""

        async def one(url: str) -> LinkResult:
            result = await self.check(url)
            if on_result is not None:
                on_result(result)
            return result

        return list(await asyncio.gather(*(one(url) for url in urls)))

    def _host(self, name: str) -> HostTurns:
        if name not in self._hosts:
            self._hosts[name] = HostTurns(self.config.per_host, self.config.host_gap)
        return self._hosts[name]

    async def _check(self, url: str) -> LinkResult:
        budget = _Budget(self.config.check_timeout)

        def result(verdict: Verdict, status: int | None, final: str | None, error: str | None):
            elapsed = round(budget.spent * 1000)
            return LinkResult(url, verdict, status, final, elapsed, attempts, error)

        attempts = 0
        try:
            self._guard.check_url(url)
        except AddressNotAllowed:
            return result(Verdict.BROKEN, None, url, NOT_ALLOWED)
        while True:
            attempts += 1
            try:
                answer, hops = await self._follow(url, budget)
            except _Failure as failure:
                last_try = not failure.retry or attempts >= self.config.tries or budget.left <= 0
                if last_try:
                    verdict = Verdict.ERROR if failure.retry or budget.left <= 0 else Verdict.BROKEN
                    return result(verdict, failure.status, failure.url, failure.message)
                await self._back_off(attempts)
                continue
            retry = not answer.final and (answer.status == 429 or 500 <= answer.status < 600)
            if retry and attempts < self.config.tries and budget.left > 0:
                if not answer.paused_host:  # a paused host already makes the retry wait
                    await self._back_off(attempts)
                continue
            verdict, error = _verdict(answer, url, hops)
            return result(verdict, answer.status, answer.url, error)

    async def _back_off(self, attempt: int) -> None:
        await asyncio.sleep(backoff_delay(self.config.backoff, attempt))

    async def _follow(self, url: str, budget: _Budget) -> tuple[_Answer, list[int]]:
        """Follow redirects hop by hop; each hop passes the guard again."""
        current = url
        visited: set[str] = set()
        hops: list[int] = []

        def stop(message: str, status: int | None = None) -> _Failure:
            made = _Failure(message, retry=False, status=status)
            made.url = current
            return made

        while True:
            try:
                target = self._guard.check_url(current)
            except AddressNotAllowed:
                raise stop(NOT_ALLOWED) from None
            if target.url in visited:
                raise stop("redirect loop", hops[-1])
            visited.add(target.url)
            try:
                answer = await self._exchange(target.url, target.host, budget)
            except _Failure as failure:
                failure.url = current
                raise
            if answer.status not in REDIRECT_STATUSES or answer.final:
                return answer, hops
            location = answer.headers.get("location", "").strip()
            if not location:
                note = f"HTTP {answer.status} without a Location"
                return replace(answer, note=note), hops
            hops.append(answer.status)
            current = urlunsplit(urlsplit(urljoin(target.url, location))._replace(fragment=""))
            if len(hops) > self.config.max_redirects:
                raise stop("too many redirects", hops[-1])

    async def _exchange(self, url: str, host: str, budget: _Budget) -> _Answer:
        """HEAD, and GET when HEAD is refused or fails after connecting."""
        try:
            answer = await self._request("HEAD", url, host, budget)
        except _Failure as failure:
            if not failure.get_instead or budget.left <= 0:
                raise
            return await self._request("GET", url, host, budget)
        if answer.status in GET_AFTER_HEAD:
            return await self._request("GET", url, host, budget)
        if self.config.read_pages and 200 <= answer.status < 300 and is_html(answer.headers):
            # The status says the page is there; only its text says what it has become.
            return await self._request("GET", url, host, budget)
        return answer

    async def _request(self, method: str, url: str, host_name: str, budget: _Budget) -> _Answer:
        assert self._client is not None
        host = self._host(host_name)
        on_sent: list[Callable[[], None]] = []

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event == "http11.send_request_headers.complete":
                for sent in on_sent:
                    sent()

        # Built before the turn: the time from a turn's start to its headers going out is
        # added to every gap the host sees, so nothing that can be done earlier is done then.
        try:
            request = self._client.build_request(method, url, extensions={"trace": trace})
        except Exception as exc:
            raise _failure_from(exc) from exc
        async with host.turn() as sent:
            if host.closed is not None:
                return replace(host.closed, url=url)
            on_sent.append(sent)
            async with self._in_flight, budget.spend():
                try:
                    self.stats.requests += 1
                    response = await self._client.send(request, stream=True)
                except _UnreadableLocation as exc:
                    raise _Failure(str(exc), retry=False, status=exc.status) from exc
                except Exception as exc:  # one bad URL must not end the run
                    raise _failure_from(exc) from exc
                answer = _Answer(response.status_code, response.headers, url)
                # Pause before anything else can take a turn at this host.
                answer = self._heed_retry_after(host, answer)
                body = bytearray()
                try:
                    # A HEAD answer's (empty) body is read too: closed unread, httpcore drops
                    # the connection, and the next request to the host pays for a new one.
                    await self._read_capped(response, body)
                except httpx.HTTPError:
                    pass  # the status is what counts; a body cut short changes nothing
                finally:
                    await response.aclose()
                if method == "GET":
                    answer = replace(answer, body=bytes(body))
        return answer

    def _heed_retry_after(self, host: HostTurns, answer: _Answer) -> _Answer:
        if answer.status not in (429, 503):
            return answer
        seconds = parse_retry_after(answer.headers.get("retry-after"))
        if seconds is None:
            return answer
        if seconds > self.config.retry_after_cap:
            # Waiting less than asked would be early; waiting longer stalls the run. The host
            # is left alone for the rest of the run, and its URLs say why.
            note = f"the host asked for a pause of {seconds:.0f} s, longer than we wait"
            host.closed = replace(answer, final=True, note=note)
            return host.closed
        host.pause(seconds)
        return replace(answer, paused_host=True)

    async def _read_capped(self, response: httpx.Response, kept: bytearray) -> None:
        """Read at most `body_limit` bytes into `kept`, so a small body leaves the connection
        reusable and the page rules see the page's head. The client asks for no compression
        (`Accept-Encoding: identity`), so the raw bytes are the page's text."""
        limit = self.config.body_limit
        read = 0
        async for chunk in response.aiter_raw():
            read = min(read + len(chunk), limit)
            if len(kept) < limit:
                kept += chunk[: limit - len(kept)]
            if read >= limit:
                break
        self.stats.largest_body_read = max(self.stats.largest_body_read, read)


def check_urls(
    urls: Iterable[str],
    *,
    guard: Guard,
    config: CheckerConfig | None = None,
    on_result: Callable[[LinkResult], None] | None = None,
) -> list[LinkResult]:
    """Check URLs from synchronous code (the management command, a Celery task)."""

    async def run() -> list[LinkResult]:
        async with LinkChecker(guard, config) as checker:
            return await checker.check_many(urls, on_result)

    return asyncio.run(run())
