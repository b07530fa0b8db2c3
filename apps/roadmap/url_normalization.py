"""One normal form for resource URLs, so the same page is never listed twice.

Two URLs that lead to the same page for every practical purpose normalise alike: scheme and
host in lower case, the host mapped by UTS-46 and written in punycode, no default port, no
user-info, no fragment, no tracking parameters, `/` for an empty path, dot segments removed
(RFC 3986, 5.2.4), runs of slashes in the path collapsed to one, percent-escapes in one
spelling. The other query parameters keep their order and their spelling, since servers may
care about both.

Reading a URL never raises anything but `URLProblem` (a ValueError), whose message is a
sentence for the person who typed the URL.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import idna

TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ref_src"})
TRACKING_PREFIXES = ("utm_",)
DEFAULT_PORTS = {"http": 80, "https": 443}

# RFC 3986 unreserved characters never need escaping; their escapes are decoded.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# What may stay literal in a path or query; everything else is percent-encoded as UTF-8.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
# A host label after mapping: letters, digits, hyphens inside, underscores (seen in the wild).
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$")
# A host whose last label is a number is an IPv4 address to URL parsers (the WHATWG rule).
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_IPV4_CHARACTERS = re.compile(r"^[0-9a-fx.]+$")
LABEL_MAX, HOST_MAX = 63, 253

NOT_HTTP = "The URL must start with http:// or https://."
UNREADABLE = "The URL cannot be read: check its host, brackets, spaces and special characters."
NO_HOST = "The URL must name a host, like https://example.org/page."
BAD_HOST = "The URL's host is not valid"
BAD_PORT = "The URL's port must be a number from 1 to 65535."
BAD_IPV4 = "Write an IP address as four numbers from 0 to 255, like 93.184.215.14."


class URLProblem(ValueError):
    """A URL that cannot be read or normalised; the message is meant for its author."""


@dataclass(frozen=True)
class HttpURL:
    """An http(s) URL, read: the host mapped and in ASCII, the port checked."""

    scheme: str
    host: str  # a domain name in punycode, an IPv4 form, or an IPv6 address (no brackets)
    port: int | None
    path: str
    query: str
    has_userinfo: bool
    numeric: bool  # the host is an IPv4 form in some spelling (`127.1`, `0x7f.0.0.1`, ...)

    @property
    def ipv6(self) -> bool:
        return ":" in self.host


def _bad_host(reason: str) -> URLProblem:
    return URLProblem(f"{BAD_HOST}: {reason}.")


def _port(text: str) -> int | None:
    if text == "":
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 65535:
        raise URLProblem(BAD_PORT)
    return int(text)


def _split_host_port(netloc: str) -> tuple[str, str]:
    """The host (brackets kept) and the port text of a netloc without user-info."""
    if netloc.startswith("["):
        host, bracket, rest = netloc.partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise URLProblem(UNREADABLE)
        return host + "]", rest[1:]
    host, _, port = netloc.partition(":")
    return host, port


def _ipv6_host(literal: str) -> str:
    inside = literal[1:-1]
    if "%" in inside:
        raise _bad_host("an IPv6 address with a zone cannot be reached from the web")
    try:
        return str(ipaddress.IPv6Address(inside))
    except ValueError:
        raise _bad_host(f"[{inside}] is not an IPv6 address") from None


def _domain_labels(host: str) -> list[str]:
    """The host's labels in ASCII (punycode), each checked."""
    labels = host.split(".")
    ascii_labels = []
    for label in labels:
        if not label:
            raise _bad_host("it has an empty part between dots")
        if not label.isascii():
            try:
                label = idna.encode(label, uts46=False).decode("ascii")
            except (idna.IDNAError, UnicodeError, ValueError):
                raise _bad_host(f"{label!r} is not a valid international name") from None
        elif label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError, ValueError):
                raise _bad_host(f"{label!r} is not valid punycode") from None
        if len(label) > LABEL_MAX:
            raise _bad_host(f"a part between dots is longer than {LABEL_MAX} characters")
        if not _LABEL.match(label):
            raise _bad_host(f"{label!r} has characters a host name cannot have")
        ascii_labels.append(label)
    if len(".".join(ascii_labels)) > HOST_MAX:
        raise _bad_host(f"it is longer than {HOST_MAX} characters")
    return ascii_labels


def _host(text: str) -> tuple[str, bool]:
    """The host in ASCII after UTS-46 mapping, and whether it is an IPv4 form."""
    if text.startswith("["):
        return _ipv6_host(text), False
    try:
        mapped = idna.uts46_remap(text, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        raise _bad_host("it has characters a host name cannot have") from None
    mapped = mapped.lower().removesuffix(".")
    if not mapped:
        raise URLProblem(NO_HOST)
    if _NUMERIC_LABEL.match(mapped.rsplit(".", 1)[-1]):
        if not _IPV4_CHARACTERS.match(mapped):
            raise URLProblem(BAD_IPV4)
        return mapped, True
    return ".".join(_domain_labels(mapped)), False


def read_http_url(url: str) -> HttpURL:
    """Read an absolute http(s) URL; raises URLProblem, and nothing else, when it cannot."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise URLProblem(UNREADABLE) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise URLProblem(NOT_HTTP)
    _userinfo, at, hostinfo = parts.netloc.rpartition("@")
    host_text, port_text = _split_host_port(hostinfo)
    if not host_text:
        raise URLProblem(NO_HOST)
    port = _port(port_text)
    host, numeric = _host(host_text)
    return HttpURL(scheme, host, port, parts.path, parts.query, bool(at), numeric)


def _normalize_escapes(text: str, safe: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, quote(text, safe=safe))


def remove_dot_segments(path: str) -> str:
    """RFC 3986, 5.2.4: `/a/./b/../c` is `/a/c`; `..` never climbs above the root."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    return "/".join(output)


def _path(path: str) -> str:
    """The path's normal form. Runs of slashes become one: `//x` and `/x` are one page on the
    servers most sites run on (nginx and Apache merge them by default)."""
    path = _normalize_escapes(path, _PATH_SAFE)
    path = re.sub(r"/{2,}", "/", path)
    path = remove_dot_segments(path)
    return path if path.startswith("/") else "/" + path


def _is_tracking(parameter: str) -> bool:
    key = unquote(parameter.split("=", 1)[0]).lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def probable_twins(normalized_url: str) -> list[str]:
    """The other spellings of a normal form that probably lead to the same page: the other
    scheme, and the host with or without `www.`. Not exact duplicates (a site may serve
    different pages on them), so they are shown to people, never refused."""
    parts = urlsplit(normalized_url)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        return []
    bare = parts.netloc.removeprefix("www.")
    spellings = {
        urlunsplit((scheme, host, parts.path, parts.query, ""))
        for scheme in DEFAULT_PORTS
        for host in (bare, f"www.{bare}")
    }
    return sorted(spellings - {normalized_url})


def normalize_url(url: str) -> str:
    """The normal form of an absolute http(s) URL. Raises URLProblem (a ValueError) for
    anything else, and for an IPv4 host not written as four numbers."""
    read = read_http_url(url)
    host = read.host
    if read.numeric:
        try:
            host = str(ipaddress.IPv4Address(host))
        except ValueError:
            raise URLProblem(BAD_IPV4) from None
    netloc = f"[{host}]" if read.ipv6 else host
    if read.port is not None and read.port != DEFAULT_PORTS[read.scheme]:
        netloc = f"{netloc}:{read.port}"
    kept = [p for p in read.query.split("&") if p and not _is_tracking(p)]
    query = "&".join(_normalize_escapes(p, _QUERY_SAFE) for p in kept)
    return urlunsplit((read.scheme, netloc, _path(read.path), query, ""))
