"""Best first: the stored score and the order it gives, from real votes through the services."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps as django_apps

from apps.community import services
from apps.community.ranking import resource_score, share_lower_bound, wilson_lower_bound
from apps.roadmap.models import Resource
from apps.roadmap.selectors import topic_resources
from tests.factories import UserFactory, approved

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# (title, upvotes, downvotes, minutes after START it was created), in the expected order.
# Equal scores go to the newer resource; equal scores and times go to the higher id.
VOTE_PATTERNS = [
    ("many up", 6, 0, 0),
    ("many up, one down", 6, 1, 0),
    ("few up", 2, 0, 0),
    ("one up", 1, 0, 0),
    ("unvoted, newer", 0, 0, 20),
    ("unvoted, same time, later id", 0, 0, 10),
    ("unvoted, same time, earlier id", 0, 0, 10),
    ("as many up as down", 2, 2, 5),
    ("unvoted, older", 0, 0, 0),
    ("one down", 0, 1, 0),
    ("few up, more down", 1, 3, 0),
    ("many down", 0, 6, 0),
]


def test_the_score_is_signed_and_zero_without_votes() -> None:
    assert resource_score(0, 0) == 0
    assert resource_score(1, 1) == 0 and resource_score(10, 10) == 0
    assert resource_score(0, 1) < 0 < resource_score(1, 0)
    assert resource_score(0, 1) == -resource_score(1, 0)
    assert 0.43 < resource_score(3, 0) < 0.44
    assert resource_score(30, 2) > resource_score(3, 0)
    assert resource_score(0, 30) < resource_score(0, 3) < resource_score(0, 1)
    assert resource_score(10_000, 0) > 0.99 and resource_score(0, 10_000) < -0.99
    # The services import the old name: it is the same function, so they store this score.
    assert wilson_lower_bound is resource_score


def _create_in_reverse_order(roadmap, topic) -> list[Resource]:
    """Created last-first, so that ids alone cannot produce the expected order by accident;
    the two 'same time' resources are the exception: their ids decide between them."""
    made: dict[str, Resource] = {}
    same_time = [p for p in VOTE_PATTERNS if "same time" in p[0]]
    others = [p for p in reversed(VOTE_PATTERNS) if "same time" not in p[0]]
    for title, _up, _down, minutes in others + sorted(
        same_time, key=lambda p: "earlier" not in p[0]
    ):
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            slug = title.replace(" ", "-").replace(",", "")
            made[title] = approved(roadmap, topic, url=f"https://docs.example/{slug}", title=title)
    return [made[title] for title, *_ in VOTE_PATTERNS]


def test_best_first_orders_a_table_of_vote_patterns(roadmap, topic) -> None:
    resources = _create_in_reverse_order(roadmap, topic)
    voters = UserFactory.create_batch(7)
    for resource, (_title, up, down, _minutes) in zip(resources, VOTE_PATTERNS, strict=True):
        for voter, value in zip(voters, [1] * up + [-1] * down, strict=False):
            services.vote_cast(user=voter, resource=resource, value=value)

    stored = {r.title: r for r in Resource.objects.all()}
    for title, up, down, _minutes in VOTE_PATTERNS:
        assert (stored[title].upvotes, stored[title].downvotes) == (up, down), title
        assert stored[title].score == pytest.approx(resource_score(up, down)), title

    ranked = [r.title for r in topic_resources(topic=topic)]
    assert ranked == [title for title, *_ in VOTE_PATTERNS]


def test_a_single_downvote_sinks_below_an_unvoted_resource(owner, outsider, roadmap, topic) -> None:
    with time_machine.travel(START, tick=False):
        older = approved(roadmap, topic, url="https://docs.example/older", title="Older")
    with time_machine.travel(START + timedelta(days=1), tick=False):
        newer = approved(roadmap, topic, url="https://docs.example/newer", title="Newer")
    services.vote_cast(user=outsider, resource=newer, value=-1)
    assert [r.title for r in topic_resources(topic=topic)] == ["Older", "Newer"]
    services.vote_withdraw(user=outsider, resource=newer)
    assert [r.title for r in topic_resources(topic=topic)] == ["Newer", "Older"]
    assert older.pk != newer.pk


def test_the_migration_rescores_every_stored_score(roadmap, topic) -> None:
    """Scores stored by the former formula (0 for one downvote) are recomputed from the counters."""
    rescore = importlib.import_module("apps.community.migrations.0002_rescore_signed")
    counters = {"liked": (3, 0), "disliked": (0, 1), "mixed": (1, 4), "unvoted": (0, 0)}
    for title, (up, down) in counters.items():
        approved(
            roadmap,
            topic,
            url=f"https://docs.example/{title}",
            title=title,
            upvotes=up,
            downvotes=down,
            score=share_lower_bound(up, down),
        )
    assert Resource.objects.get(title="disliked").score == 0

    rescore.rescore_signed(django_apps, None)
    for title, (up, down) in counters.items():
        assert Resource.objects.get(title=title).score == pytest.approx(resource_score(up, down))
    assert [r.title for r in topic_resources(topic=topic)][-2:] == ["disliked", "mixed"]
