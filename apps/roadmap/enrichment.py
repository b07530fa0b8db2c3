"""The enrichment file: what the site adds to a roadmap's README, kept apart from it.

The README stays the faithful source of the roadmap's words. The enrichment adds what the
README leaves out: hours and a phase for every topic, the official site or documentation of
each tool the roadmap names (as approved `docs` or `tool` resources), and the official pages
of the books and courses it lists without a link. It is a JSON document:

    {"format": 1, "roadmap": "<slug>",
     "topics": [{"slug", "est_hours", "phase"?}],
     "resources": [{"topic", "kind", "title", "url", "description"?}],
     "readme_resources": [{"source_key", "url"}]}

Rows are named by natural keys (topic slugs, phase numbers, README source keys, normalised
URLs), never by database ids. This module only reads and checks the file; the service
`roadmap_enrich` writes it, without overwriting anything changed on the site.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from apps.roadmap.url_normalization import normalize_url
from roadmap_site.limits import RESOURCE_TITLE, TOPIC_HOURS

FORMAT = 1
RESOURCE_KINDS = frozenset({"docs", "tool"})


class EnrichmentError(ValueError):
    """The file cannot be used; the message says where and why. Nothing is written."""


@dataclass(frozen=True)
class TopicEnrichment:
    slug: str
    est_hours: int
    phase: int | None


@dataclass(frozen=True)
class ResourceEnrichment:
    topic: str
    kind: str
    title: str
    url: str
    description_md: str

    @property
    def normalized_url(self) -> str:
        return normalize_url(self.url)

    @property
    def source_key(self) -> str:
        return f"url:{self.normalized_url}"


@dataclass(frozen=True)
class ReadmeResourceLink:
    source_key: str
    url: str

    @property
    def normalized_url(self) -> str:
        return normalize_url(self.url)


@dataclass(frozen=True)
class Enrichment:
    roadmap: str
    topics: list[TopicEnrichment]
    resources: list[ResourceEnrichment]
    readme_resources: list[ReadmeResourceLink]


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise EnrichmentError(f"{where}: {message}")


def _string(row: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = row.get(key, "")
    _require(isinstance(value, str), where, f"{key!r} must be a string")
    value = value.strip()
    if required:
        _require(bool(value), where, f"{key!r} is required")
    return value


def _url(row: dict[str, Any], where: str) -> str:
    url = _string(row, "url", where)
    parts = urlsplit(url)
    _require(
        parts.scheme == "https" and bool(parts.hostname),
        where,
        f"url {url!r} must be an absolute https:// URL",
    )
    return url


def _rows(data: dict[str, Any], key: str, *, required: bool = True) -> list[dict[str, Any]]:
    rows = data.get(key, [] if not required else None)
    if not isinstance(rows, list):
        raise EnrichmentError(f"{key}: must be a list")
    for index, row in enumerate(rows):
        _require(isinstance(row, dict), f"{key}[{index}]", "must be an object")
    return rows


def parse_enrichment(text: str) -> Enrichment:
    """Read and check an enrichment document; raise EnrichmentError naming the bad entry."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EnrichmentError(f"not valid JSON: {exc}") from None
    _require(isinstance(data, dict), "document", "must be a JSON object")
    _require(data.get("format") == FORMAT, "format", f"must be {FORMAT}")
    roadmap = _string(data, "roadmap", "roadmap")

    topics: list[TopicEnrichment] = []
    seen_topics: set[str] = set()
    for index, row in enumerate(_rows(data, "topics")):
        where = f"topics[{index}]"
        slug = _string(row, "slug", where)
        where = f"topic {slug!r}"
        _require(slug not in seen_topics, where, "is listed twice")
        seen_topics.add(slug)
        hours = row.get("est_hours")
        if not (
            isinstance(hours, int) and not isinstance(hours, bool) and TOPIC_HOURS.contains(hours)
        ):
            raise EnrichmentError(
                f"{where}: est_hours must be a whole number "
                f"from {TOPIC_HOURS.min} to {TOPIC_HOURS.max}"
            )
        phase = row.get("phase")
        _require(
            phase is None
            or (isinstance(phase, int) and not isinstance(phase, bool) and phase >= 1),
            where,
            "phase must be a phase number (1 or more) or absent",
        )
        topics.append(TopicEnrichment(slug=slug, est_hours=hours, phase=phase))

    resources: list[ResourceEnrichment] = []
    seen_urls: dict[str, str] = {}
    for index, row in enumerate(_rows(data, "resources", required=False)):
        where = f"resources[{index}]"
        resource = ResourceEnrichment(
            topic=_string(row, "topic", where),
            kind=_string(row, "kind", where),
            title=_string(row, "title", where),
            url=_url(row, where),
            description_md=_string(row, "description", where, required=False),
        )
        where = f"resource {resource.title!r}"
        _require(
            resource.kind in RESOURCE_KINDS,
            where,
            f"kind must be one of {', '.join(sorted(RESOURCE_KINDS))}",
        )
        title_error = RESOURCE_TITLE.check(resource.title)
        _require(title_error is None, where, title_error or "")
        key = resource.normalized_url
        _require(key not in seen_urls, where, f"has the same URL as {seen_urls.get(key)!r}")
        seen_urls[key] = resource.title
        resources.append(resource)

    links: list[ReadmeResourceLink] = []
    seen_keys: set[str] = set()
    for index, row in enumerate(_rows(data, "readme_resources", required=False)):
        where = f"readme_resources[{index}]"
        link = ReadmeResourceLink(
            source_key=_string(row, "source_key", where), url=_url(row, where)
        )
        where = f"README resource {link.source_key!r}"
        _require(link.source_key not in seen_keys, where, "is listed twice")
        seen_keys.add(link.source_key)
        _require(
            link.normalized_url not in seen_urls,
            where,
            f"has the same URL as {seen_urls.get(link.normalized_url)!r}",
        )
        seen_urls[link.normalized_url] = link.source_key
        links.append(link)

    return Enrichment(roadmap=roadmap, topics=topics, resources=resources, readme_resources=links)
