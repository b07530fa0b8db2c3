"""The enrichment: what the site adds to the README (hours, phases, official links).

It writes with the import's three-way merge (`services.merge`), keeping its own base in
`imported["enrichment"]`, beside (never instead of) the README import's. Before the enrichment
first sets a field, its base is the field's untouched value: null hours, the phase the import
chose, the README's blank URL. A value changed on the site since then is a person's decision
and is kept.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.roadmap.enrichment import Enrichment, EnrichmentError
from apps.roadmap.models import Phase, Resource, Roadmap, Topic, TopicChange
from apps.roadmap.services.merge import UNKNOWN, KindCount, MergeReport, ThreeWayMerge, save_merged
from apps.roadmap.services.revisions import merged_resource_revise, resource_revise
from apps.roadmap.services.touch import roadmap_touch
from apps.roadmap.url_normalization import normalize_url
from apps.search.services import index_roadmap

ENRICHMENT_STATE = "enrichment"  # the key, inside `imported`, of the enrichment's own base


def _check_names(
    enrichment: Enrichment, phases: dict[int, Phase], topics: dict[str, Topic]
) -> None:
    """Refuse, writing nothing, a file that names a topic or phase the roadmap lacks."""
    named = {t.slug for t in enrichment.topics} | {r.topic for r in enrichment.resources}
    missing = sorted(named - set(topics))
    if missing:
        raise EnrichmentError(f"the roadmap has no topic {', '.join(map(repr, missing))}")
    bad_phases = sorted({t.phase for t in enrichment.topics if t.phase is not None} - set(phases))
    if bad_phases:
        raise EnrichmentError(f"the roadmap has no phase {', '.join(map(str, bad_phases))}")


def _enrich_topics(
    enrichment: Enrichment, topics: dict[str, Topic], merge: ThreeWayMerge, report: MergeReport
) -> None:
    counter = report.count("topics")
    for item in enrichment.topics:
        topic = topics[item.slug]
        values: dict[str, Any] = {"est_hours": item.est_hours}
        pristine: dict[str, Any] = {"est_hours": None}
        if item.phase is not None:
            values["phase"] = item.phase
            pristine["phase"] = (topic.imported or {}).get("phase", UNKNOWN)
        changed = merge.apply(topic, values, f"topic {item.slug}", pristine=pristine)
        save_merged(topic, changed, counter)
    unplanned = sorted(
        slug for slug, t in topics.items() if t.retired_at is None and t.est_hours is None
    )
    if unplanned:
        report.notes.append(f"topics without hours: {', '.join(unplanned)}")


class _Resources:
    """The roadmap's resources by source key and by normalised URL, kept current as rows move."""

    def __init__(self, roadmap: Roadmap) -> None:
        self.existing = list(roadmap.resources.select_related("topic"))
        self.by_key = {r.source_key: r for r in self.existing if r.source_key}
        self.by_url = {r.normalized_url: r for r in self.existing if r.normalized_url}

    def note(self, resource: Resource) -> None:
        self.by_key[resource.source_key] = resource
        self.by_url[resource.normalized_url] = resource


def _enrich_resources(
    enrichment: Enrichment,
    roadmap: Roadmap,
    rows: _Resources,
    merge: ThreeWayMerge,
    report: MergeReport,
) -> None:
    counter = report.count("resources")
    seen: set[int] = set()
    for item in enrichment.resources:
        resource = rows.by_key.get(item.source_key) or rows.by_url.get(item.normalized_url)
        if resource is not None and resource.origin != Resource.Origin.ENRICHMENT:
            report.notes.append(
                f"{item.url} is already on the site as a {resource.origin} resource; "
                "it was left as it is"
            )
            counter.unchanged += 1
            continue
        if resource is None:
            resource = Resource(
                roadmap=roadmap, origin=Resource.Origin.ENRICHMENT, source_key=item.source_key
            )
        values = {
            "title": item.title,
            "url": item.url,
            "kind": item.kind,
            "description_md": item.description_md,
            "topic": item.topic,
            "status": Resource.Status.APPROVED,
        }
        topic_before, created = resource.topic_id, resource.pk is None
        changed = merge.apply(resource, values, f"resource {item.url}", pristine={})
        if "url" in changed:
            resource.normalized_url = normalize_url(resource.url)
            if resource.pk is not None:
                changed.append("normalized_url")
        if resource.pk is not None and [name for name in changed if name != "imported"]:
            resource.updated_at = timezone.now()
            changed.append("updated_at")
        save_merged(resource, changed, counter)
        merged_resource_revise(
            resource=resource, changed=changed, created=created, topic_before=topic_before
        )
        rows.note(resource)
        seen.add(resource.pk)
    _retire_gone_resources(rows.existing, seen, counter)


def _retire_gone_resources(existing: list[Resource], seen: set[int], counter: KindCount) -> None:
    """An enrichment resource the file no longer lists is retired, unless a moderator
    changed its status since the last load."""
    for resource in existing:
        state = (resource.imported or {}).get(ENRICHMENT_STATE, {})
        if (
            resource.origin == Resource.Origin.ENRICHMENT
            and resource.pk not in seen
            and resource.status != Resource.Status.RETIRED
            and resource.status == state.get("status")
        ):
            resource.status = Resource.Status.RETIRED
            resource.imported = {
                **resource.imported,
                ENRICHMENT_STATE: {**state, "status": Resource.Status.RETIRED},
            }
            resource.updated_at = timezone.now()
            resource.save(update_fields=["status", "imported", "updated_at"])
            resource_revise(resource=resource, kind=TopicChange.Kind.RESOURCE_REMOVED)
            counter.retired += 1


def _link_readme_resources(
    enrichment: Enrichment, rows: _Resources, merge: ThreeWayMerge, report: MergeReport
) -> None:
    """The official pages of README resources listed without a link."""
    counter = report.count("readme_resources")
    for link in enrichment.readme_resources:
        resource = rows.by_key.get(link.source_key)
        if resource is None or resource.origin != Resource.Origin.README:
            raise EnrichmentError(
                f"README resource {link.source_key!r} is not on the site: check the key "
                "against the imported README"
            )
        holder = rows.by_url.get(link.normalized_url)
        if holder is not None and holder.pk != resource.pk:
            report.conflicts.append(
                f"README resource {link.source_key}: {link.url} is already the URL of "
                f"{holder.title!r}; it was not applied"
            )
            counter.unchanged += 1
            continue
        pristine = {"url": (resource.imported or {}).get("url", UNKNOWN)}
        label = f"README resource {link.source_key}"
        changed = merge.apply(resource, {"url": link.url}, label, pristine=pristine)
        merged_resource_revise(
            resource=resource, changed=changed, created=False, topic_before=resource.topic_id
        )
        if "url" in changed:
            resource.normalized_url = normalize_url(resource.url)
            resource.updated_at = timezone.now()
            changed += ["normalized_url", "updated_at"]
            rows.by_url[resource.normalized_url] = resource
        save_merged(resource, changed, counter)


@transaction.atomic
def roadmap_enrich(*, enrichment: Enrichment) -> MergeReport:
    """Apply an enrichment (see apps.roadmap.enrichment) to its imported roadmap.

    Loading the same enrichment twice changes nothing. Values changed on the site (hours,
    phase, a retired or edited resource, a URL) are kept and reported as conflicts. A
    resource whose URL the site already holds from the README or the community is left alone.
    Raises EnrichmentError, writing nothing, when the file names what the roadmap lacks.
    """
    report = MergeReport()
    roadmap = Roadmap.objects.select_for_update().filter(slug=enrichment.roadmap).first()
    if roadmap is None:
        raise EnrichmentError(
            f"roadmap {enrichment.roadmap!r} does not exist: import its README first"
        )
    report.roadmap = roadmap
    phases = {p.number: p for p in roadmap.phases.all()}
    topics = {t.slug: t for t in roadmap.topics.select_related("phase")}
    _check_names(enrichment, phases, topics)
    merge = ThreeWayMerge(
        report=report,
        source="enrichment",
        state_key=ENRICHMENT_STATE,
        phases=phases,
        topics=topics,
    )
    _enrich_topics(enrichment, topics, merge, report)
    rows = _Resources(roadmap)
    _enrich_resources(enrichment, roadmap, rows, merge, report)
    _link_readme_resources(enrichment, rows, merge, report)
    if report.changed:
        roadmap_touch(roadmap=roadmap)
    index_roadmap(roadmap)
    return report
