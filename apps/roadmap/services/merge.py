"""The three-way merge that the README import and the enrichment both write with, and its report.

Each imported row keeps, in its `imported` JSON, the values its source gave last time (the
base). For each field, with `ours` the site's value and `theirs` the source's new one:

    ours == theirs      nothing to do (the base becomes theirs)
    theirs == base      the source did not change it: the site's value stays, whatever it is
    ours == base        the site did not change it: the source's new value is taken
    otherwise           both changed: the site's value stays and the conflict is reported

So a re-import never overwrites what a moderator wrote, field by field (docs/roadmap-format.md).
The README import keeps its base at the top level of `imported`; the enrichment keeps its own
under `imported["enrichment"]`, beside (never instead of) the import's.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from apps.roadmap.models import Imported, Phase, Roadmap, Section, Topic


class _Unknown(enum.Enum):
    UNKNOWN = enum.auto()


# No base is known for a field: only a site value equal to the source's counts as untouched.
UNKNOWN: Final = _Unknown.UNKNOWN


class Decision(enum.Enum):
    TAKE = "take"  # the source's value is taken (and may equal the site's)
    KEEP = "keep"  # the site's value stays; the source did not change this field
    CONFLICT = "conflict"  # both changed: the site's value stays, and the conflict is reported


def decide(*, base: Any, ours: Any, theirs: Any) -> Decision:
    """The merge of one field. `base` may be UNKNOWN."""
    if ours == theirs:
        return Decision.TAKE
    if base is not UNKNOWN and theirs == base:
        return Decision.KEEP
    if base is not UNKNOWN and ours == base:
        return Decision.TAKE
    return Decision.CONFLICT


@dataclass
class KindCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class MergeReport:
    """What an import or an enrichment did, by kind of row; what it kept and why."""

    roadmap: Roadmap | None = None
    counts: dict[str, KindCount] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, kind: str) -> KindCount:
        return self.counts.setdefault(kind, KindCount())

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.retired or c.deleted for c in self.counts.values())


# Relations travel by natural key: a topic's section by slug, its phase by number, a resource's
# topic by slug. `topics` (of a goal or a project) is the sorted list of the topics' slugs.
_NATURAL_KEY = {"section": "slug", "phase": "number", "topic": "slug"}
LINKED_TOPICS = "topics"


@dataclass
class ThreeWayMerge:
    """Merges a source's values into rows, field by field, and records the new base.

    `state_key` is where the base lives inside `imported` (None: at its top level). `source`
    names the source in conflict messages. The dictionaries resolve natural keys to rows.
    """

    report: MergeReport
    source: str
    state_key: str | None = None
    sections: dict[str, Section] = field(default_factory=dict)
    phases: dict[int, Phase] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)

    def apply(
        self,
        obj: Imported,
        values: Mapping[str, Any],
        label: str,
        *,
        pristine: Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Merge `values` into `obj` (not saved); return the names of the fields changed.

        A field with no recorded base is judged against `pristine`, its untouched value (a
        field missing from `pristine` has an UNKNOWN base). Without `pristine`, a field with no
        recorded base takes the source's value. A new row (no pk) takes every value. A changed
        `topics` is not set here (a many-to-many needs a saved row): the caller links it.
        """
        imported: dict[str, Any] = dict(obj.imported or {})
        base = self._state(imported)
        fresh = obj.pk is None
        changed: list[str] = []
        for name, theirs in values.items():
            ours = self.current(obj, name)
            if name in base:
                known = base[name]
            elif pristine is None:
                known = ours
            else:
                known = pristine.get(name, UNKNOWN)
            decision = Decision.TAKE if fresh else decide(base=known, ours=ours, theirs=theirs)
            if decision is Decision.CONFLICT:
                self.report.conflicts.append(self._conflict(label, name, theirs))
                continue
            base[name] = theirs
            if decision is Decision.TAKE and ours != theirs:
                self._set(obj, name, theirs)
                changed.append(name)
        merged = base if self.state_key is None else {**imported, self.state_key: base}
        if merged != obj.imported:
            obj.imported = merged
            changed.append("imported")
        return changed

    def _state(self, imported: dict[str, Any]) -> dict[str, Any]:
        if self.state_key is None:
            return imported
        return dict(imported.get(self.state_key, {}))

    def _conflict(self, label: str, name: str, theirs: Any) -> str:
        value = repr(theirs)
        shown = f" {value}" if len(value) <= 80 else ""
        return (
            f"{label}: {name} was changed on the site since the last {self.source}; "
            f"the {self.source}'s value{shown} was not applied"
        )

    @staticmethod
    def current(obj: Imported, name: str) -> Any:
        """The site's value of a field, as the source names it."""
        if name in _NATURAL_KEY:
            if getattr(obj, f"{name}_id") is None:
                return None
            return getattr(getattr(obj, name), _NATURAL_KEY[name])
        if name == LINKED_TOPICS:
            return sorted(t.slug for t in getattr(obj, name).all()) if obj.pk else []
        return getattr(obj, name)

    def _rows(self, name: str) -> Mapping[Any, Imported]:
        if name == "section":
            return self.sections
        if name == "phase":
            return self.phases
        return self.topics

    def _set(self, obj: Imported, name: str, value: Any) -> None:
        if name == LINKED_TOPICS:
            return
        if name in _NATURAL_KEY:
            setattr(obj, name, self._rows(name)[value] if value is not None else None)
        else:
            setattr(obj, name, value)


def save_merged(
    obj: Imported, changed: list[str], counter: KindCount, *, relinked: bool = False
) -> None:
    """Save only what changed, and count it: bookkeeping alone is not a content change."""
    if obj.pk is None:
        obj.save()
        counter.created += 1
        return
    if changed:
        obj.save(update_fields=changed)
    if relinked or [name for name in changed if name != "imported"]:
        counter.updated += 1
    else:
        counter.unchanged += 1
