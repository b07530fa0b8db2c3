"""The SSRF guard's address rules, tested on addresses alone: nothing here connects."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from apps.linkcheck.guard import (
    AddressNotAllowed,
    Guard,
    NameNotResolved,
    is_address_allowed,
    parse_ip_host,
)

REFUSED = {
    # IPv4
    "127.0.0.1": "loopback",
    "127.255.255.254": "loopback, top of the range",
    "10.0.0.1": "private",
    "172.16.0.1": "private",
    "172.31.255.255": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local: the cloud metadata service",
    "169.254.0.1": "link-local",
    "100.64.0.1": "carrier-grade NAT",
    "100.127.255.254": "carrier-grade NAT",
    "224.0.0.1": "multicast",
    "239.255.255.250": "multicast (SSDP)",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    "0.0.0.0": "unspecified",  # noqa: S104
    "0.1.2.3": "this network",
    "192.0.0.1": "IETF protocol assignments",
    "192.0.2.1": "documentation",
    "198.18.0.1": "benchmarking",
    # IPv6
    "::1": "loopback",
    "::": "unspecified",
    "fc00::1": "unique-local",
    "fd12:3456:789a::1": "unique-local",
    "fe80::1": "link-local",
    "fe80::1%eth0": "link-local with a zone",
    "fec0::1": "site-local (deprecated)",
    "ff02::1": "multicast",
    "ff05::2": "multicast",
    "2001:db8::1": "documentation",
    "100::1": "discard-only",
    # IPv4 inside IPv6
    "::ffff:127.0.0.1": "IPv4-mapped loopback",
    "::ffff:10.0.0.1": "IPv4-mapped private",
    "::ffff:169.254.169.254": "IPv4-mapped metadata",
    "::ffff:100.64.0.1": "IPv4-mapped CGNAT",
    "::127.0.0.1": "IPv4-compatible loopback",
    "::10.0.0.1": "IPv4-compatible private",
    "2002:7f00:1::1": "6to4 of 127.0.0.1",
    "2002:a9fe:a9fe::1": "6to4 of 169.254.169.254",
    "2002:c0a8:101::1": "6to4 of 192.168.1.1",
    "64:ff9b::7f00:1": "NAT64 of 127.0.0.1",
    "64:ff9b::a9fe:a9fe": "NAT64 of 169.254.169.254",
    "64:ff9b:1::a00:1": "local-use NAT64 of 10.0.0.1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe": "Teredo whose client is 127.0.0.1",
}

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "2002:808:808::1",  # 6to4 of a public address
]
# Mapped and NAT64 forms lie in ::/8, which Python counts as reserved: refused even when the
# IPv4 inside is public. A checker with IPv4 of its own never needs them.
REFUSED_THOUGH_PUBLIC_INSIDE = ["::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", REFUSED, ids=[f"{a} {why}" for a, why in REFUSED.items()])
def test_refused_ranges(address: str) -> None:
    assert not is_address_allowed(address)
    assert not is_address_allowed(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_address_allowed(address)


@pytest.mark.parametrize("address", REFUSED_THOUGH_PUBLIC_INSIDE)
def test_ipv4_in_ipv6_is_refused_even_for_public_ipv4(address: str) -> None:
    assert not is_address_allowed(address)


SPELLINGS_OF_LOOPBACK = [
    "127.0.0.1",
    "127.0.0.1.",
    "2130706433",
    "0177.0.0.1",
    "0x7f.0.0.1",
    "0X7F.0.0.1",
    "0x7f000001",
    "017700000001",
    "127.1",
    "127.0.1",
    "0x7f.1",
    "0177.1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
]


@pytest.mark.parametrize("host", SPELLINGS_OF_LOOPBACK)
def test_every_spelling_of_an_address_is_read(host: str) -> None:
    address = parse_ip_host(host)
    assert address is not None
    assert not is_address_allowed(address)
    if address.version == 4:
        assert address == ipaddress.IPv4Address("127.0.0.1")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0", "0.0.0.0"),  # noqa: S104
        ("3232235777", "192.168.1.1"),
        ("0xa9.0376.43518", "169.254.169.254"),
    ],
)
def test_other_spellings(host: str, expected: str) -> None:
    assert parse_ip_host(host) == ipaddress.ip_address(expected)


@pytest.mark.parametrize("host", ["example.com", "127.0.0.1.example.com", "docs.python.org"])
def test_names_are_not_addresses(host: str) -> None:
    assert parse_ip_host(host) is None


@pytest.mark.parametrize(
    "host", ["256.1.1.1", "1.2.3.4.5", "08.1.1.1", "0x100.1.1.1", "example.123"]
)
def test_numeric_hosts_that_are_no_address_are_refused(host: str) -> None:
    with pytest.raises(ValueError):
        parse_ip_host(host)
    with pytest.raises(AddressNotAllowed):
        Guard().check_url(f"http://{host}/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "//example.com/",
        "http:///nohost",
        "http://example.com:99999/",
        "http://localhost/",
        "http://LOCALHOST./",
        "http://api.localhost/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://0xa9fea9fe/",
        "http://user:pass@10.0.0.1/",
    ],
)
def test_check_url_refuses(url: str) -> None:
    with pytest.raises(AddressNotAllowed):
        Guard().check_url(url)


def test_check_url_passes_names_and_public_addresses_canonically() -> None:
    guard = Guard()
    assert guard.check_url("https://Example.com/a?b=1#frag").url == "https://Example.com/a?b=1"
    target = guard.check_url("http://0x08.0x08.0x08.0x08:8080/x")
    assert (target.url, target.host, target.port) == ("http://8.8.8.8:8080/x", "8.8.8.8", 8080)


def test_allow_private_and_exact_allow_hosts() -> None:
    assert Guard(allow_private=True).check_url("http://127.1:8000/").url == "http://127.0.0.1:8000/"
    pinned = Guard(allow_hosts=frozenset({("127.0.0.1", 8000), ("localhost", 9000)}))
    assert pinned.check_url("http://127.0.0.1:8000/").host == "127.0.0.1"
    assert pinned.check_url("http://localhost:9000/").host == "localhost"
    for refused in ("http://127.0.0.1:8001/", "http://127.0.0.2:8000/", "http://localhost/"):
        with pytest.raises(AddressNotAllowed):
            pinned.check_url(refused)


def resolver_for(answers: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise NameNotResolved(host)
        return answers[host]

    return resolve


def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    guard = Guard(resolver=resolver_for({"intranet.example": ["10.1.2.3"]}))
    guard.check_url("http://intranet.example/")  # a name passes the URL check...
    with pytest.raises(AddressNotAllowed):  # ...and is refused when it resolves
        asyncio.run(guard.resolve("intranet.example", 80))


def test_one_refused_answer_refuses_the_name() -> None:
    guard = Guard(resolver=resolver_for({"mixed.example": ["93.184.216.34", "169.254.169.254"]}))
    with pytest.raises(AddressNotAllowed):
        asyncio.run(guard.resolve("mixed.example", 443))


def test_resolve_returns_every_checked_address_once() -> None:
    guard = Guard(
        resolver=resolver_for({"ok.example": ["93.184.216.34", "2606:4700::1", "93.184.216.34"]})
    )
    addresses = asyncio.run(guard.resolve("ok.example", 443))
    assert [str(a) for a in addresses] == ["93.184.216.34", "2606:4700::1"]


def test_resolve_refuses_local_names_without_asking_the_resolver() -> None:
    asked = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.216.34"]

    with pytest.raises(AddressNotAllowed):
        asyncio.run(Guard(resolver=resolve).resolve("localhost", 80))
    assert asked == []


def test_dns_failure_is_reported() -> None:
    with pytest.raises(NameNotResolved):
        asyncio.run(Guard(resolver=resolver_for({})).resolve("nowhere.example", 80))
