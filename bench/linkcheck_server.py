"""Scripted HTTP/1.1 servers on loopback addresses, for the link checker's tests and benchmark.

Each `Site` listens on its own 127.0.0.x address (Linux answers on all of 127.0.0.0/8, so
127.0.0.2 and 127.0.0.3 are distinct hosts to a client) and answers each path from a script:
a `Reply`, or a function of the `Request` for answers that change over time (503 then 200,
a rate limit). Every site keeps its own counters, and the tests and the benchmark judge a
client by them: requests and their arrival times, requests in flight at once, connections,
and requests that arrived while a Retry-After the site had sent was still running.

The servers run on an event loop in a thread of their own, so the client under test keeps
its loop to itself. Nothing here listens anywhere but the addresses it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# A request that arrives this soon after a Retry-After was sent was already on its way: a
# client with two requests in flight cannot un-send the second when the first is answered.
IN_FLIGHT_GRACE = 0.05
CHUNK = 16 * 1024
REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    303: "See Other",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    999: "Request denied",
}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"<html><head><title>A page</title></head><body>Hello</body></html>"
    delay: float = 0.0  # seconds before the status line
    hang: bool = False  # never answer; wait until the client gives up
    stream: int = 0  # stream this many body bytes instead of `body` (-1: no end)
    drip: float = 0.0  # seconds between streamed chunks
    reset: bool = False  # reset the connection instead of answering


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status, {"Location": location}, b"")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    arrived: float  # time.monotonic()
    number: int  # how many requests this path has had on this site, this one included


Script = Reply | Callable[[Request], Reply]


@dataclass
class SiteStats:
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    bytes_sent: int = 0
    busy: float = 0.0  # seconds spent answering, summed over requests (the hosts' work)
    longest: float = 0.0  # the longest single answer, in seconds
    pauses: list[tuple[float, float]] = field(default_factory=list)  # (sent, ends)

    def early(self, grace: float = IN_FLIGHT_GRACE) -> list[Request]:
        """Requests that arrived during a pause the site had asked for."""
        return [
            request
            for request in self.requests
            if any(sent + grace < request.arrived < ends for sent, ends in self.pauses)
        ]

    def paths(self) -> Counter[str]:
        return Counter(request.path for request in self.requests)


class Site:
    """One loopback host: an address, a port the OS picks, and a script per path."""

    def __init__(
        self,
        address: str,
        scripts: dict[str, Script] | None = None,
        *,
        default: Script | None = None,
        stats: SiteStats | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.address = address
        self.tls = tls
        self.scripts: dict[str, Script] = dict(scripts or {})
        self.default: Script = default or Reply(404, body=b"<title>Not found</title>")
        self.port = 0
        self.stats = stats or SiteStats()  # sites may share one, to count across hosts
        self._counts: Counter[str] = Counter()

    def url(self, path: str = "/") -> str:
        return f"{'https' if self.tls else 'http'}://{self.authority}{path}"

    @property
    def authority(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"

    def _reply(self, method: str, path: str, headers: dict[str, str]) -> tuple[Request, Reply]:
        self._counts[path] += 1
        request = Request(method, path, headers, time.monotonic(), self._counts[path])
        self.stats.requests.append(request)
        script = self.scripts.get(path.split("?", 1)[0], self.default)
        return request, script(request) if callable(script) else script

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        try:
            while await self._one(reader, writer):
                pass
        except (
            ConnectionError,
            ssl.SSLError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            asyncio.CancelledError,  # the servers stopping with a kept-alive connection open
        ):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        _, reply = self._reply(method, target, headers)
        stats = self.stats
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        began = time.monotonic()
        try:
            return await self._answer(method, reply, reader, writer)
        finally:
            stats.in_flight -= 1
            took = time.monotonic() - began
            stats.busy += took
            stats.longest = max(stats.longest, took)

    async def _answer(
        self,
        method: str,
        reply: Reply,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        if reply.hang:
            # Wait for the client to hang up (bounded, so a forgotten client cannot pin us).
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(reader.read(1), timeout=120)
            return False
        if reply.reset:
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        if reply.delay:
            await asyncio.sleep(reply.delay)
        headers = {"Server": "loopback-test", **reply.headers}
        if reply.stream:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(len(reply.body))
        reason = REASONS.get(reply.status, "Status")
        head = f"HTTP/1.1 {reply.status} {reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in headers.items()
        )
        writer.write(head.encode("latin-1") + b"\r\n")
        retry_after = reply.headers.get("Retry-After")
        if retry_after is not None and retry_after.isdigit():
            sent = time.monotonic()
            self.stats.pauses.append((sent, sent + int(retry_after)))
        if method != "HEAD":
            if reply.stream:
                await self._stream(reply, writer)
            else:
                writer.write(reply.body)
                self.stats.bytes_sent += len(reply.body)
        await writer.drain()
        return not reply.stream

    async def _stream(self, reply: Reply, writer: asyncio.StreamWriter) -> None:
        left = reply.stream if reply.stream > 0 else 1 << 30
        chunk = b"x" * CHUNK
        while left > 0:
            piece = chunk[: min(CHUNK, left)]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
            self.stats.bytes_sent += len(piece)
            left -= len(piece)
            if reply.drip:
                await asyncio.sleep(reply.drip)
        writer.write(b"0\r\n\r\n")


class LoopbackServers:
    """Serve several sites from one background thread; use as a context manager."""

    def __init__(self, *sites: Site) -> None:
        self.sites = sites
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []

    def __enter__(self) -> LoopbackServers:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        for site in self.sites:
            server = await asyncio.start_server(
                site.serve, site.address, site.port or 0, ssl=site.tls
            )
            site.port = server.sockets[0].getsockname()[1]
            self._servers.append(server)

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def unused_port(address: str = "127.0.0.1") -> int:
    """A port with nothing listening on it: connecting there is refused."""
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]
