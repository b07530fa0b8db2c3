"""Writes to roadmap content. Each function is one use case and runs in one transaction.

By sub-domain: `touch` (the versions every public change bumps), `merge` (the three-way
merge and report that the import and the enrichment share), `importing` (the README) and
`enriching` (hours, phases and official links), `revisions` (a topic's revision and its
change log, which every public change of its text or resources bumps). Callers import from here.
"""

from __future__ import annotations

from apps.roadmap.services.enriching import ENRICHMENT_STATE, roadmap_enrich
from apps.roadmap.services.importing import Progress, roadmap_import, topic_phase_numbers
from apps.roadmap.services.merge import KindCount, MergeReport
from apps.roadmap.services.revisions import resource_revise, topic_revise, topic_text_revise
from apps.roadmap.services.touch import (
    community_touch,
    pages_touch,
    pages_version,
    pages_versions,
    roadmap_touch,
)

__all__ = [
    "ENRICHMENT_STATE",
    "KindCount",
    "MergeReport",
    "Progress",
    "community_touch",
    "pages_touch",
    "pages_version",
    "pages_versions",
    "resource_revise",
    "roadmap_enrich",
    "roadmap_import",
    "roadmap_touch",
    "topic_phase_numbers",
    "topic_revise",
    "topic_text_revise",
]
