"""An httpx transport whose every TCP connection goes to an address the guard checked.

httpx resolves and connects inside httpcore's network backend. `GuardedNetworkBackend`
takes that step over: it asks the guard to resolve the host (checking every address), then
connects to one of those very addresses. The request keeps the host name, so the Host header,
TLS SNI and certificate checks still use the name; only the address is pinned. A name whose
DNS answer changes between a check and a connect (DNS rebinding) therefore cannot reach an
address the guard never saw: there is only one resolution, and it is the checked one.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from apps.linkcheck.guard import AddressNotAllowed, Guard

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class GuardedNetworkBackend(AsyncNetworkBackend):
    """Resolve through the guard, connect to a checked address, never to the name."""

    def __init__(self, guard: Guard, inner: AsyncNetworkBackend | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._guard.resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took over {timeout} s") from None
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # resolve() never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        raise AddressNotAllowed("unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own HTTP/1.1 transport, with the guarded network backend and no proxy."""

    def __init__(
        self,
        guard: Guard,
        *,
        limits: httpx.Limits,
        ssl_context: ssl.SSLContext | None = None,
        network_backend: AsyncNetworkBackend | None = None,
    ) -> None:
        ssl_context = ssl_context or httpx.create_ssl_context(trust_env=False)
        super().__init__(verify=ssl_context, limits=limits, trust_env=False)
        # The parent builds the same pool with httpcore's default backend; this one differs
        # only in the backend, which is not a parameter httpx passes through.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedNetworkBackend(guard, network_backend),
        )
