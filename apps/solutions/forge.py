"""The forge adapters: read a public repository's file list and README, never its code.

A library like the link checker (no Django): the forges' base URLs, the guard and the
politeness come in as arguments, so the services pass settings and the tests a loopback fake.
Every request goes through the link checker's guarded transport (`GuardedTransport`: each
connection to an address the SSRF guard checked) and its politeness (`CheckerConfig`: the
user agent, timeouts, a gap between two requests to one host, Retry-After heeded up to a cap,
bodies read up to a cap). Nothing fetched is executed, imported or unpacked: the file list is
names, the README is text.

- GitHub: `GET {api}/repos/{owner}/{name}` (the default branch), `GET {api}/repos/{owner}/
  {name}/git/trees/{branch}?recursive=1` (the file list), `GET {raw}/{owner}/{name}/{branch}/
  {path}` (the README's text).
- GitLab: `GET {base}/api/v4/projects/{path, encoded}` (the id and default branch), `GET
  {base}/api/v4/projects/{id}/repository/tree?recursive=true&per_page=100&page=N` (the file
  list, page by page), `GET {base}/api/v4/projects/{id}/repository/files/{path, encoded}/raw?
  ref={branch}` (the README's text).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from apps.linkcheck.checker import CheckerConfig, HostTurns, parse_retry_after
from apps.linkcheck.guard import Guard
from apps.linkcheck.transport import GuardedTransport
from apps.solutions.evidence import readme_path
from apps.solutions.repository import GITHUB, GITLAB, RepositoryRef

MAX_FILES = 20_000  # entries of the file list kept; a bigger repository is read in part
LIST_BYTES = 8 * 1024 * 1024  # a file list's JSON, at most
README_BYTES = 512 * 1024  # a README's text, at most
GITLAB_PAGES = 50  # pages of 100 entries


class ForgeError(Exception):
    """The repository could not be read; the message is for its owner."""


@dataclass(frozen=True)
class Snapshot:
    files: list[str]
    readme: str | None
    branch: str
    truncated: bool = False


class Fetcher:
    """One polite, guarded client for one repository read: `async with Fetcher(...) as f`."""

    def __init__(self, guard: Guard, config: CheckerConfig, *, network_backend: Any = None) -> None:
        self._guard = guard
        self._config = config
        self._network_backend = network_backend
        self._hosts: dict[str, HostTurns] = {}
        self._client: httpx.AsyncClient | None = None
        self.requests = 0

    async def __aenter__(self) -> Fetcher:
        config = self._config
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(
                self._guard,
                limits=httpx.Limits(max_connections=config.per_host),
                network_backend=self._network_backend,
            ),
            trust_env=False,
            follow_redirects=True,
            max_redirects=config.max_redirects,
            timeout=httpx.Timeout(
                connect=config.connect_timeout,
                read=config.read_timeout,
                write=config.read_timeout,
                pool=config.read_timeout,
            ),
            headers={"User-Agent": config.user_agent},
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._client is not None
        await self._client.aclose()

    async def get(self, url: str, *, limit: int, accept: str) -> tuple[int, bytes, httpx.Headers]:
        """The status, the body (at most `limit` bytes: more is a ForgeError) and headers.
        429/503 with Retry-After within the cap are waited out and tried again, once."""
        assert self._client is not None
        self._guard.check_url(url)
        host = self._hosts.setdefault(
            httpx.URL(url).host, HostTurns(self._config.per_host, self._config.host_gap)
        )
        for attempt in (1, 2):
            async with host.turn():
                try:
                    async with asyncio.timeout(self._config.check_timeout):
                        status, body, headers = await self._exchange(url, limit, accept)
                except TimeoutError:
                    raise ForgeError("The forge took too long to answer.") from None
                except httpx.TooManyRedirects:
                    raise ForgeError("The forge redirected too many times.") from None
                except httpx.HTTPError as exc:
                    raise ForgeError(
                        f"The forge could not be reached ({type(exc).__name__})."
                    ) from None
            if status in (429, 503) and attempt == 1:
                pause = parse_retry_after(headers.get("retry-after"))
                if pause is not None and pause <= self._config.retry_after_cap:
                    host.pause(pause)
                    continue
            return status, body, headers
        return status, body, headers

    async def _exchange(
        self, url: str, limit: int, accept: str
    ) -> tuple[int, bytes, httpx.Headers]:
        assert self._client is not None
        self.requests += 1
        async with self._client.stream("GET", url, headers={"Accept": accept}) as response:
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    raise ForgeError(f"The forge's answer is larger than {limit // 1024} KB.")
            return response.status_code, bytes(body), response.headers

    async def get_json(self, url: str, *, limit: int = LIST_BYTES) -> tuple[Any, httpx.Headers]:
        status, body, headers = await self.get(url, limit=limit, accept="application/json")
        _refuse_status(status)
        try:
            return json.loads(body), headers
        except ValueError:
            raise ForgeError("The forge's answer was not JSON.") from None

    async def get_text(self, url: str) -> str | None:
        status, body, _ = await self.get(url, limit=README_BYTES, accept="text/plain, */*")
        if status == 404:
            return None
        _refuse_status(status)
        return body.decode("utf-8", errors="replace")


def _refuse_status(status: int) -> None:
    if status == 404:
        raise ForgeError("The repository was not found, or it is not public.")
    if status in (401, 403):
        raise ForgeError("The forge refused to show the repository (private, or rate limited).")
    if status == 429 or status >= 500:
        raise ForgeError(f"The forge is busy (HTTP {status}); the check is tried again later.")
    if status != 200:
        raise ForgeError(f"The forge answered HTTP {status}.")


def _strings(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 1000:
        raise ForgeError(f"The forge's answer had no usable {what}.")
    return value


class ForgeAdapter(Protocol):
    async def read(self, fetcher: Fetcher, path: str) -> Snapshot: ...


@dataclass(frozen=True)
class GitHubAdapter:
    api_url: str = "https://api.github.com"
    raw_url: str = "https://raw.githubusercontent.com"

    async def read(self, fetcher: Fetcher, path: str) -> Snapshot:
        repo, _ = await fetcher.get_json(f"{self.api_url}/repos/{path}", limit=256 * 1024)
        branch = _strings(repo.get("default_branch") if isinstance(repo, dict) else None, "branch")
        tree, _ = await fetcher.get_json(
            f"{self.api_url}/repos/{path}/git/trees/{quote(branch, safe='')}?recursive=1"
        )
        entries = tree.get("tree") if isinstance(tree, dict) else None
        if not isinstance(entries, list):
            raise ForgeError("The forge's answer had no file list.")
        files = [
            e["path"]
            for e in entries
            if isinstance(e, dict) and e.get("type") == "blob" and isinstance(e.get("path"), str)
        ]
        truncated = bool(tree.get("truncated")) or len(files) > MAX_FILES
        readme = await _readme(
            fetcher, files, lambda p: f"{self.raw_url}/{path}/{quote(branch)}/{quote(p)}"
        )
        return Snapshot(files[:MAX_FILES], readme, branch, truncated)


@dataclass(frozen=True)
class GitLabAdapter:
    base_url: str = "https://gitlab.com"

    async def read(self, fetcher: Fetcher, path: str) -> Snapshot:
        api = f"{self.base_url}/api/v4/projects"
        project, _ = await fetcher.get_json(f"{api}/{quote(path, safe='')}", limit=256 * 1024)
        if not isinstance(project, dict) or not isinstance(project.get("id"), int):
            raise ForgeError("The forge's answer had no project id.")
        branch = _strings(project.get("default_branch"), "branch")
        base = f"{api}/{project['id']}/repository"
        files: list[str] = []
        truncated = False
        for page in range(1, GITLAB_PAGES + 1):
            entries, headers = await fetcher.get_json(
                f"{base}/tree?recursive=true&per_page=100&page={page}&ref={quote(branch, safe='')}"
            )
            if not isinstance(entries, list):
                raise ForgeError("The forge's answer had no file list.")
            files += [
                e["path"]
                for e in entries
                if isinstance(e, dict)
                and e.get("type") == "blob"
                and isinstance(e.get("path"), str)
            ]
            if not headers.get("x-next-page") or len(files) >= MAX_FILES:
                break
        else:
            truncated = True
        readme = await _readme(
            fetcher,
            files,
            lambda p: f"{base}/files/{quote(p, safe='')}/raw?ref={quote(branch, safe='')}",
        )
        return Snapshot(files[:MAX_FILES], readme, branch, truncated or len(files) > MAX_FILES)


async def _readme(fetcher: Fetcher, files: list[str], url_of: Any) -> str | None:
    found = readme_path(files)
    return None if found is None else await fetcher.get_text(url_of(found))


@dataclass(frozen=True)
class Forges:
    """The adapters by forge name, as configured."""

    github: GitHubAdapter
    gitlab: GitLabAdapter

    def for_ref(self, ref: RepositoryRef) -> ForgeAdapter:
        return self.github if ref.forge == GITHUB else self.gitlab if ref.forge == GITLAB else _no()


def _no() -> ForgeAdapter:
    raise ForgeError("Only GitHub and GitLab repositories can be read.")


def read_repository(
    ref: RepositoryRef, *, forges: Forges, guard: Guard, config: CheckerConfig
) -> Snapshot:
    """Read a repository from synchronous code (the Celery task); raises ForgeError."""

    async def run() -> Snapshot:
        async with Fetcher(guard, config) as fetcher:
            try:
                return await forges.for_ref(ref).read(fetcher, ref.path)
            except ForgeError:
                raise
            except Exception as exc:  # a guard refusal, a name that does not resolve
                raise ForgeError(f"The repository could not be read: {exc}"[:400]) from None

    return asyncio.run(run())
