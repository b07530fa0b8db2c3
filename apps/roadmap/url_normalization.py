"""One normal form for resource URLs, so the same page is never listed twice.

Two URLs that lead to the same page for every practical purpose normalise alike: scheme and
host in lower case, the host in punycode, no default port, no user-info, no fragment, no
tracking parameters, `/` for an empty path, percent-escapes in one spelling. The other query
parameters keep their order and their spelling, since servers may care about both.
"""

from __future__ import annotations

import re
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


def _normalize_escapes(text: str, safe: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, quote(text, safe=safe))


def _is_tracking(parameter: str) -> bool:
    key = unquote(parameter.split("=", 1)[0]).lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def _host(hostname: str) -> str:
    host = hostname.rstrip(".").lower()
    if ":" in host:  # an IPv6 literal
        return f"[{host}]"
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"the host {hostname!r} is not a valid domain name: {exc}") from None


def normalize_url(url: str) -> str:
    """The normal form of an absolute http(s) URL. Raises ValueError for anything else."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("only http and https URLs can be normalised")
    if not parts.hostname:
        raise ValueError("the URL has no host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the URL's port is not a number from 0 to 65535") from None
    netloc = _host(parts.hostname)
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = _normalize_escapes(parts.path, _PATH_SAFE) or "/"
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p)]
    query = "&".join(_normalize_escapes(p, _QUERY_SAFE) for p in kept)
    return urlunsplit((scheme, netloc, path, query, ""))
