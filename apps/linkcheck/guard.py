"""The SSRF guard: which URLs and addresses the link checker may reach.

A URL someone submits must never make the checker talk to our own network. The guard refuses
every address that is not globally routable (loopback, private, link-local with the cloud
metadata address, carrier-grade NAT, multicast, reserved, unspecified, IPv6 unique-local and
link-local) in every spelling: IPv4 written in decimal, octal, hex or short form, and IPv4
carried inside IPv6 (mapped, compatible, 6to4, NAT64, Teredo).

It works at two moments. `Guard.check_url` looks at a URL before any request: the scheme, and
a host written as an address. `Guard.resolve` runs when a connection is made: it resolves the
name, checks every address the name resolves to, and returns them, so the transport connects
to an address that was checked (a second DNS answer can never swap it). Both run for every
redirect hop.

Nothing here needs Django: the policy (`allow_private`, `allow_hosts`) and the resolver are
plain arguments, so tests inject a resolver and no test needs DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# A resolver takes a host name and a port and returns the addresses the name resolves to.
Resolver = Callable[[str, int], Awaitable[list[str]]]

ALLOWED_SCHEMES = {"http": 80, "https": 443}
NOT_ALLOWED = "address not allowed"

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Names that mean this machine whatever DNS says (RFC 6761).
_LOCAL_NAMES = re.compile(r"(^|\.)localhost$")
# A host whose last label looks numeric is an IPv4 address to URL parsers and to inet_aton.
_NUMERIC_LABEL = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")


class AddressNotAllowed(Exception):
    """The guard refused a URL or an address; no connection was made."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{NOT_ALLOWED}: {detail}" if detail else NOT_ALLOWED)
        self.detail = detail


class NameNotResolved(Exception):
    """The host name does not resolve (DNS failure)."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, in any of the forms that tunnel one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client; the server half is a public relay
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def is_address_allowed(address: IPAddress | str) -> bool:
    """Whether a public link checker may connect to this address: globally routable only."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address)
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_address_allowed(embedded):
            return False
        if address.is_site_local:
            return False
    elif address in _CGNAT:
        return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _ipv4_number(part: str) -> int:
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)
    return int(part, 10)


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a URL host spells, in any spelling URL parsers and inet_aton accept.

    `2130706433`, `0177.0.0.1`, `0x7f.0.0.1`, `127.1` and `[::ffff:127.0.0.1]` (brackets
    already removed by urlsplit) all spell 127.0.0.1. Returns None for a host name, and raises
    ValueError for a host that looks numeric but is no valid address (`256.1.1.1`, `08.1`).
    """
    host = host.removesuffix(".")  # one trailing dot, as in a fully qualified name
    if ":" in host:
        return ipaddress.IPv6Address(host)  # ValueError for a malformed literal
    labels = host.split(".")
    if not _NUMERIC_LABEL.match(labels[-1]):
        return None
    if len(labels) > 4 or not all(_NUMERIC_LABEL.match(label) for label in labels):
        raise ValueError(f"{host!r} looks like an IPv4 address but is not one")
    numbers = [_ipv4_number(label) for label in labels]
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        raise ValueError(f"{host!r} is out of range for an IPv4 address")
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


@dataclass(frozen=True)
class Target:
    """A URL the guard let through, with its host and port spelled canonically."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress | None  # set when the URL names an address instead of a host name


async def system_resolver(host: str, port: int) -> list[str]:
    """The machine's resolver (getaddrinfo), off the event loop."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise NameNotResolved(f"{host}: {exc}") from None
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class Guard:
    """The policy: only public addresses, unless allowed outright for tests and staging.

    `allow_private` lets every address through (tests and benchmarks only; a deploy check
    warns when the setting is on). `allow_hosts` lets through exact `(host, port)` pairs.
    """

    allow_private: bool = False
    allow_hosts: frozenset[tuple[str, int]] = frozenset()
    resolver: Resolver = field(default=system_resolver, compare=False)

    def _host_allowed(self, host: str, port: int) -> bool:
        return self.allow_private or (host, port) in self.allow_hosts

    def _check_address(self, host: str, port: int, address: IPAddress) -> None:
        if not (self._host_allowed(host, port) or is_address_allowed(address)):
            raise AddressNotAllowed(f"{host} is {address}")

    def check_url(self, url: str) -> Target:
        """Refuse a URL before any request: wrong scheme, local names, address literals."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise AddressNotAllowed(f"unreadable URL: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise AddressNotAllowed(f"scheme {scheme or 'missing'!r}")
        if not parts.hostname:
            raise AddressNotAllowed("no host")
        port = ALLOWED_SCHEMES[scheme] if port is None else port
        try:
            address = parse_ip_host(parts.hostname)
        except ValueError as exc:
            raise AddressNotAllowed(str(exc)) from None
        if address is None:
            host = parts.hostname.rstrip(".")
            if _LOCAL_NAMES.search(host) and not self._host_allowed(host, port):
                raise AddressNotAllowed(f"{host} is this machine")
            netloc = parts.netloc
        else:
            host = str(address)
            self._check_address(host, port, address)
            shown = f"[{host}]" if address.version == 6 else host
            netloc = shown if parts.port is None else f"{shown}:{parts.port}"
            if parts.username is not None or parts.password is not None:
                netloc = f"{parts.netloc.rpartition('@')[0]}@{netloc}"
        canonical = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
        return Target(canonical, scheme, host, port, address)

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address the host resolves to, each checked; refused if any one is refused.

        One refused address refuses the name: a name that answers both a public and a private
        address is an attack, not a mirror.
        """
        host = host.rstrip(".")
        try:
            literal = parse_ip_host(host)
        except ValueError as exc:
            raise AddressNotAllowed(str(exc)) from None
        if literal is not None:
            answers: Iterable[str | IPAddress] = [literal]
        else:
            if _LOCAL_NAMES.search(host) and not self._host_allowed(host, port):
                raise AddressNotAllowed(f"{host} is this machine")
            answers = await self.resolver(host, port)
        addresses: list[IPAddress] = []
        for answer in answers:
            address = ipaddress.ip_address(answer)
            self._check_address(host, port, address)
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise NameNotResolved(f"{host}: no addresses")
        return addresses
