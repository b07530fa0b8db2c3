"""The SSRF guard end to end, by the network rule: only loopback is ever dialled.

Every loopback spelling goes to a listener that counts connections, and the count must stay
zero. The other refused ranges are tested in test_guard.py through the address check alone,
never by letting the checker connect.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path

import httpcore
import httpx
import pytest

from apps.linkcheck.checker import Verdict
from apps.linkcheck.guard import NOT_ALLOWED, AddressNotAllowed, Guard, NameNotResolved
from apps.linkcheck.transport import GuardedTransport
from bench.linkcheck_server import Reply, Site, redirect
from tests.support.linkcheck import LOOPBACK, check, check_one
from tests.support.services import require_service


@pytest.fixture
def listeners(serve) -> tuple[Site, Site]:
    """Counting listeners on 127.0.0.1 and ::1, answering 200 to anything that gets through."""
    v4, v6 = Site("127.0.0.1", default=Reply()), Site("::1", default=Reply())
    serve(v4, v6)
    return v4, v6


def v4_spellings(port: int) -> list[str]:
    hosts = [
        "127.0.0.1",
        "127.0.0.1.",
        "2130706433",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "0x7f000001",
        "017700000001",
        "127.1",
        "127.0.1",
        "0x7f.1",
        "localhost",
        "LOCALHOST",
        "localhost.",
        "app.localhost",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "0.0.0.0",  # noqa: S104 (Linux delivers 0.0.0.0 to loopback)
        "0",
    ]
    return [f"{scheme}://{host}:{port}/" for host in hosts for scheme in ("http", "https")]


def v6_spellings(port: int) -> list[str]:
    hosts = ["[::1]", "[0:0:0:0:0:0:0:1]", "[0::1]", "[::]", "[::127.0.0.1]"]
    return [f"http://{host}:{port}/" for host in hosts]


def test_every_loopback_spelling_is_refused_without_a_connection(listeners) -> None:
    v4, v6 = listeners
    urls = v4_spellings(v4.port) + v6_spellings(v6.port)
    results = check(urls, guard=Guard())
    assert [(r.url, r.verdict, r.error) for r in results] == [
        (url, Verdict.BROKEN, NOT_ALLOWED) for url in urls
    ]
    assert v4.stats.connections == 0
    assert v6.stats.connections == 0


def test_the_listeners_do_count_what_gets_through(listeners) -> None:
    # The control for the test above: let private addresses through, and they connect.
    v4, v6 = listeners
    results = check(
        [f"http://127.0.0.1:{v4.port}/", f"http://2130706433:{v4.port}/a", v6.url("/")],
        guard=LOOPBACK,
    )
    assert {r.verdict for r in results} == {Verdict.OK}
    assert v4.stats.connections >= 1
    assert v6.stats.connections == 1


@pytest.mark.parametrize("spelling", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "0x7f.1"])
def test_the_transport_refuses_on_its_own(listeners, spelling: str) -> None:
    # Past the URL check, the connection itself is guarded: httpx with our transport alone.
    v4, _ = listeners

    async def fetch() -> None:
        transport = GuardedTransport(Guard(), limits=httpx.Limits())
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(f"http://{spelling}:{v4.port}/")

    with pytest.raises(AddressNotAllowed):
        asyncio.run(fetch())
    assert v4.stats.connections == 0


def resolver_for(answers: dict[str, list[str]]):
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        if host not in answers:
            raise NameNotResolved(host)
        return answers[host]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def test_a_name_resolving_to_a_private_address_is_refused(listeners) -> None:
    v4, _ = listeners
    resolve = resolver_for({"intranet.example": ["127.0.0.1"], "mixed.example": ["127.0.0.1"]})
    results = check(
        [f"http://intranet.example:{v4.port}/admin", f"https://mixed.example:{v4.port}/"],
        guard=Guard(resolver=resolve),
    )
    assert [(r.verdict, r.error) for r in results] == [(Verdict.BROKEN, NOT_ALLOWED)] * 2
    assert resolve.asked == ["intranet.example", "mixed.example"]
    assert v4.stats.connections == 0


def test_a_redirect_to_a_refused_address_is_refused_at_the_hop(serve, listeners) -> None:
    v4, v6 = listeners
    allowed = Site("127.0.0.2")
    serve(allowed)
    targets = {
        "/to-loopback": f"http://127.0.0.1:{v4.port}/",
        "/to-decimal": f"http://2130706433:{v4.port}/",
        "/to-localhost": f"http://localhost:{v4.port}/",
        "/to-ipv6": f"http://[::1]:{v6.port}/",
        "/to-mapped": f"http://[::ffff:127.0.0.1]:{v4.port}/",
        "/to-name": f"http://intranet.example:{v4.port}/",
        "/to-file": "file:///etc/passwd",
        "/to-same-host-other-port": f"http://127.0.0.2:{v4.port}/",
    }
    allowed.scripts = {path: redirect(target, 302) for path, target in targets.items()}
    guard = Guard(
        allow_hosts=frozenset({("127.0.0.2", allowed.port)}),
        resolver=resolver_for({"intranet.example": ["127.0.0.1"]}),
    )
    results = check([allowed.url(path) for path in targets], guard=guard)
    for result, target in zip(results, targets.values(), strict=True):
        assert (result.verdict, result.error, result.final_url) == (
            Verdict.BROKEN,
            NOT_ALLOWED,
            target,
        )
    assert len(allowed.stats.requests) == len(targets)  # the allowed hop was made
    assert v4.stats.connections == v6.stats.connections == 0


def test_an_allowed_host_is_let_through_by_exact_host_and_port(serve) -> None:
    site = Site("127.0.0.2", default=Reply())
    serve(site)
    guard = Guard(allow_hosts=frozenset({("127.0.0.2", site.port)}))
    assert check_one(site.url("/"), guard=guard).verdict == Verdict.OK
    assert site.stats.connections == 1


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Stands in for the network: records where a connection would go, connects nowhere."""

    def __init__(self) -> None:
        self.dialled: list[tuple[str, int]] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.dialled.append((host, port))
        raise httpcore.ConnectError("recorded, not connected")


def test_dns_rebinding_cannot_swap_the_checked_address() -> None:
    # The name answers a public address first and loopback afterwards. The connection must go
    # to the address that was checked, and a later answer is checked again, never trusted.
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    backend = RecordingBackend()
    result = check_one(
        "http://rebind.example/", guard=Guard(resolver=rebinding), network_backend=backend
    )
    assert backend.dialled == [("93.184.216.34", 80)]  # the first, checked answer only
    assert (result.verdict, result.error, result.attempts) == (Verdict.BROKEN, NOT_ALLOWED, 2)


def test_the_connection_goes_to_the_resolved_address_and_keeps_the_name(serve) -> None:
    site = Site("127.0.0.3", default=Reply())
    serve(site)
    resolve = resolver_for({"docs.example": ["127.0.0.3"]})
    guard = Guard(allow_hosts=frozenset({("docs.example", site.port)}), resolver=resolve)
    results = check([f"http://docs.example:{site.port}/{n}" for n in range(3)], guard=guard)
    assert {r.verdict for r in results} == {Verdict.OK}
    assert {r.headers["host"] for r in site.stats.requests} == {f"docs.example:{site.port}"}
    assert len(resolve.asked) == site.stats.connections  # one resolution per connection


def test_no_proxy_is_taken_from_the_environment(serve, listeners, monkeypatch) -> None:
    v4, _ = listeners
    proxy = f"http://127.0.0.1:{v4.port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    site = Site("127.0.0.2", default=Reply())
    serve(site)
    assert check_one(site.url("/page")).verdict == Verdict.OK
    assert len(site.stats.requests) == 1
    assert v4.stats.connections == 0


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for secure.example, made with openssl."""
    openssl = shutil.which("openssl")
    require_service("openssl", openssl is not None, "install the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=secure.example"),
            *("-addext", "subjectAltName=DNS:secure.example"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def tls_site(address: str, certificate: tuple[Path, Path], names: list[str]) -> Site:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    return Site(address, default=Reply(), tls=context)


def test_tls_failure_is_broken(serve, certificate) -> None:
    site = tls_site("127.0.0.4", certificate, [])
    serve(site)
    result = check_one(site.url("/"))
    assert result.verdict == Verdict.BROKEN
    assert result.error.startswith("TLS failure")


def test_tls_verifies_the_name_while_connecting_to_the_checked_address(serve, certificate) -> None:
    names: list[str] = []
    site = tls_site("127.0.0.4", certificate, names)
    serve(site)
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    guard = Guard(
        allow_hosts=frozenset({("secure.example", site.port)}),
        resolver=resolver_for({"secure.example": ["127.0.0.4"]}),
    )
    result = check_one(f"https://secure.example:{site.port}/", guard=guard, ssl_context=trusting)
    assert result.verdict == Verdict.OK
    assert names == ["secure.example"]  # SNI names the host, not the address
    by_address = check_one(site.url("/"), ssl_context=trusting)
    assert by_address.verdict == Verdict.BROKEN  # the certificate is for the name only
