"""The three-way merge the import and the enrichment share, on its own: base, ours, theirs.

Rows here are unsaved model instances given a pk (so they count as existing): the merge reads
and sets plain fields only, and touches no database.
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from apps.roadmap.models import Section
from apps.roadmap.services.merge import (
    UNKNOWN,
    Decision,
    MergeReport,
    ThreeWayMerge,
    decide,
)

values = st.one_of(st.none(), st.integers(), st.text(max_size=20))
texts = st.text(max_size=30)


def existing(title: str, imported: dict[str, Any]) -> Section:
    return Section(pk=1, slug="s", number=1, title=title, imported=imported)


def merge(**kwargs: Any) -> ThreeWayMerge:
    return ThreeWayMerge(report=MergeReport(), source="import", **kwargs)


# -- the decision for one field


@given(base=values, ours=values, theirs=values)
def test_the_decision_never_loses_a_change_on_the_site(base, ours, theirs) -> None:
    decision = decide(base=base, ours=ours, theirs=theirs)
    if ours == theirs:
        assert decision is Decision.TAKE
    elif theirs == base:
        assert decision is Decision.KEEP
    elif ours == base:
        assert decision is Decision.TAKE
    else:
        assert decision is Decision.CONFLICT
    # Whatever happens, a site value that differs from the base is never replaced.
    if ours != base and ours != theirs:
        assert decision is not Decision.TAKE


@given(ours=values, theirs=values)
def test_with_no_base_known_only_an_equal_value_counts_as_untouched(ours, theirs) -> None:
    decision = decide(base=UNKNOWN, ours=ours, theirs=theirs)
    assert decision is (Decision.TAKE if ours == theirs else Decision.CONFLICT)


# -- the merge of rows


@given(base=texts, theirs=texts)
def test_a_field_untouched_on_the_site_takes_the_new_value(base, theirs) -> None:
    section = existing(base, {"title": base})
    changed = merge().apply(section, {"title": theirs}, "section s")
    assert section.title == theirs
    assert section.imported["title"] == theirs
    assert ("title" in changed) == (theirs != base)


@given(base=texts, ours=texts)
def test_a_field_the_source_did_not_change_keeps_the_sites_value(base, ours) -> None:
    section = existing(ours, {"title": base})
    report = MergeReport()
    changed = ThreeWayMerge(report=report, source="import").apply(
        section, {"title": base}, "section s"
    )
    assert section.title == ours
    assert changed == [] and report.conflicts == []


@given(base=texts, ours=texts, theirs=texts)
def test_both_changed_keeps_the_sites_value_and_reports_it(base, ours, theirs) -> None:
    assume(len({base, ours, theirs}) == 3)
    section = existing(ours, {"title": base})
    report = MergeReport()
    changed = ThreeWayMerge(report=report, source="import").apply(
        section, {"title": theirs}, "section s"
    )
    assert section.title == ours
    assert section.imported == {"title": base}  # the base stays: the conflict stays visible
    assert changed == []
    assert len(report.conflicts) == 1
    assert report.conflicts[0].startswith("section s: title was changed on the site")


@given(base=texts, ours=texts, theirs=texts)
def test_merging_the_same_values_twice_changes_nothing_the_second_time(base, ours, theirs) -> None:
    section = existing(ours, {"title": base})
    first = merge()
    first.apply(section, {"title": theirs}, "section s")
    after = (section.title, dict(section.imported))
    second = merge()
    assert second.apply(section, {"title": theirs}, "section s") == []
    assert (section.title, section.imported) == after
    assert second.report.conflicts == first.report.conflicts


@given(ours=texts, theirs=texts)
def test_a_new_row_takes_every_value(ours, theirs) -> None:
    section = Section(slug="s", number=1, title=ours)
    changed = merge().apply(section, {"title": theirs}, "section s")
    assert section.title == theirs and section.imported == {"title": theirs}
    assert "imported" in changed


@given(ours=texts, theirs=texts)
def test_without_a_recorded_base_the_import_takes_the_files_value(ours, theirs) -> None:
    section = existing(ours, {})
    merge().apply(section, {"title": theirs}, "section s")
    assert section.title == theirs


@given(ours=texts, theirs=texts, pristine=texts)
def test_without_a_recorded_base_the_pristine_value_is_the_base(ours, theirs, pristine) -> None:
    section = existing(ours, {})
    report = MergeReport()
    ThreeWayMerge(report=report, source="enrichment", state_key="enrichment").apply(
        section, {"title": theirs}, "section s", pristine={"title": pristine}
    )
    if ours in (pristine, theirs):
        assert section.title == theirs and report.conflicts == []
    elif theirs == pristine:  # the source says what the row said untouched: the site's stays
        assert section.title == ours and report.conflicts == []
    else:
        assert section.title == ours and len(report.conflicts) == 1


@given(ours=texts, theirs=texts)
def test_a_field_missing_from_pristine_has_no_base(ours, theirs) -> None:
    section = existing(ours, {})
    report = MergeReport()
    ThreeWayMerge(report=report, source="enrichment", state_key="enrichment").apply(
        section, {"title": theirs}, "section s", pristine={}
    )
    assert section.title == ours  # only ever the same value: nothing to take
    assert (report.conflicts == []) == (ours == theirs)


@given(import_base=texts, theirs=texts)
def test_a_source_with_its_own_state_leaves_the_other_sources_base_alone(
    import_base, theirs
) -> None:
    section = existing(import_base, {"title": import_base})
    ThreeWayMerge(report=MergeReport(), source="enrichment", state_key="enrichment").apply(
        section, {"title": theirs}, "section s", pristine={"title": import_base}
    )
    assert section.imported["title"] == import_base
    assert section.imported["enrichment"] == {"title": theirs}
    assert section.title == theirs
