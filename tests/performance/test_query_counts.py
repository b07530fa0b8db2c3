"""Query counts do not grow with content (issue 18).

Each scale (1x, 10x, 100x `seed_synthetic`, with use around it: tests/support/query_counts.py)
is seeded once for this module, in a transaction rolled back after its pages are measured; the
tests then compare the table. A count that differs between scales is a query per row somewhere
(prefetch, select_related or annotate it); the pin is what the page costs today.
"""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from tests.support.query_counts import SCALES, measure, measured_names, seed_scale

pytestmark = pytest.mark.django_db  # the test database is set up for this module's fixture

# Each page's query count on its first request (a cache miss), the same at every scale. A
# signed-in request's session, user and moderator role are one query (apps/accounts/sessions.py).
# Every
# anonymous page's count includes the pages' version (roadmap_site/page_cache.py); a cached
# answer costs that one query alone (tests/roadmap/test_page_cache.py).
PINNED: dict[str, int] = {
    "home (anonymous)": 4,
    "home (learner)": 9,
    # issue 18: the page reads only what it shows (roadmap_page), 12 when it read the tree
    "roadmap (anonymous)": 8,
    # The signed-in roadmap, phase and section pages: the first request renders the shared
    # shell (the view's queries, the pages' version) and fills the learner's layer; "again" is
    # the layer alone from the kept shell: the session with its user (one query,
    # apps/accounts/sessions.py), the pages' version, the learner's
    # enrolments, and (roadmap, section) their progress rows with the check-in weeks in one
    # UNION (roadmap_site/page_layer.py; the roadmap page's was 22 before, then 17 while the
    # shell read the whole tree; issue 18: the shell's view reads only what the page shows,
    # `roadmap_page`, and the banner reads the plan's topics in one query kept per version)
    "roadmap (learner)": 12,
    # "again" on the roadmap, phase and section pages: the learner's page kept filled under
    # their personal version, read with the session (page_layer.personal_key): the session
    # and the pages' version alone (4, 3 and 4 before)
    "roadmap (learner), again": 2,
    "phase (anonymous)": 5,
    "phase (learner)": 7,
    "phase (learner), again": 2,
    "section (anonymous)": 5,
    "section (learner)": 8,
    "section (learner), again": 2,
    # the previous and the next topic are a query each, one row read, not all the roadmap's
    # topics (apps/progress/selectors.topic_neighbours; was 5, one query reading them all)
    "topic (anonymous)": 6,
    # The signed-in topic page (17 before its layer): the shell (the view's queries and the
    # topic's neighbours), then the layer; "again": the session with its user, the pages'
    # version, the enrolments and the learner's marks on the topic (their row, votes, ticks,
    # done rows and check-ins' hours: one UNION): the layer's 2. The learners' effort figures
    # are in the shell: every answer moves the community version
    # (progress.services.effort_touch).
    "topic (learner)": 9,
    "topic (learner), again": 4,
    # paginated (issue 18): the count of the page's rows is one more query (was 4, 8, 3 and 6)
    "projects (anonymous)": 5,
    "projects (learner)": 7,
    "faq (anonymous)": 4,
    "faq (learner)": 5,
    "outcomes (anonymous)": 3,
    "outcomes (learner)": 4,
    "modlog (anonymous)": 5,
    "modlog (learner)": 6,
    # not in the page cache (apps/search/views.py): the engine's one statement (counts per kind
    # and the page); a learner adds the session with its user and role, "My plan", and the
    # hits' statuses (one query for all of them)
    "search (anonymous)": 1,
    "search (learner)": 4,
    # Kept per learner (roadmap_site/dashboard_layer.py; 11 before). The first request: the
    # session with its user and role; the page's key (the enrolments with their fingerprints in
    # one query, the pages' versions); the view: the roadmap, the enrolment, one pass (topics,
    # progress rows, check-ins, this week's goals and their topics; the pace from the same
    # pass), the goal's solution; the key again (a page whose rows moved while it rendered is
    # not kept). "again": the session with its user and the key alone (the header's "My plan"
    # from its enrolments).
    "dashboard (learner)": 12,
    # "again": the learner's page kept filled under their personal version (3 before: the
    # enrolments with their fingerprints)
    "dashboard (learner), again": 2,
    # the session with its user and role, the counts (3: resources in one, reports, open flags
    # on solutions and reviews), the tab's list, its duplicates, the header's "My plan"
    "moderation queue (moderator)": 7,
    "api roadmaps": 2,
    "api resources": 2,
    "api modlog": 2,
    # the counts per kind and the page, in one statement (apps/search/selectors.py)
    "api search": 1,
    "api submissions (learner)": 3,
    "api checkins (learner)": 4,
    "api progress (learner)": 6,
    "api plan (learner)": 5,
    "api queue (moderator)": 8,  # the counts gained the open flags
    "api resource checks (moderator)": 4,
    "api topic revisions (moderator)": 3,
}


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def table(django_db_setup, django_db_blocker) -> dict[str, dict[int, int]]:
    counts: dict[str, dict[int, int]] = {name: {} for name in measured_names()}
    with django_db_blocker.unblock():
        for scale in SCALES:
            try:
                with transaction.atomic():
                    started = time.monotonic()
                    site = seed_scale(scale)
                    seeded = time.monotonic() - started
                    for name, count in measure(site).items():
                        counts[name][scale] = count
                    print(
                        f"{scale}x: seeded in {seeded:.1f} s, measured in "
                        f"{time.monotonic() - started - seeded:.1f} s"
                    )
                    raise _Rollback
            except _Rollback:
                pass
    return counts


def test_every_measured_page_is_pinned() -> None:
    assert sorted(PINNED) == sorted(measured_names())


# Where a page reads less at a larger scale, by scale: the roadmap page draws its map only up
# to limits.ROADMAP_PAGE_MAP_TOPICS topics (100x has 3,800) and reads them only then (the signed-in
# page's shell is the same view).
FEWER: dict[str, dict[int, int]] = {
    "roadmap (anonymous)": {100: 7},
    "roadmap (learner)": {100: 11},
}


def test_query_counts_are_the_same_at_every_scale_and_pinned(table) -> None:
    """The first request, with an empty cache (tests/support/query_counts.py `measure`). One
    test for the whole table, so that under xdist one worker seeds the scales, not each."""
    expected = {
        name: {**dict.fromkeys(SCALES, PINNED[name]), **FEWER.get(name, {})} for name in table
    }
    differing = {name: counts for name, counts in table.items() if counts != expected[name]}
    assert not differing, f"measured {differing}, pinned {[(n, PINNED[n]) for n in differing]}"


def test_a_page_may_only_read_less_at_a_larger_scale() -> None:
    assert all(
        count < PINNED[name] for name, by_scale in FEWER.items() for count in by_scale.values()
    )
