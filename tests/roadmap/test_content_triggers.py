"""Every write to the topics, phases or sections moves the pages' content version, by whatever
path (roadmap migration 0010): what is kept per content version is never older than them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from apps.roadmap.models import PageVersion, Phase, Roadmap, Section, Topic
from apps.roadmap.services import pages_versions
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def _update_topics(roadmap: Roadmap) -> None:
    Topic.objects.filter(roadmap=roadmap).update(title=Concat("title", Value("!")))


def _update_phases(roadmap: Roadmap) -> None:
    Phase.objects.filter(roadmap=roadmap).update(week_end=F("week_end"))  # the same values


def _update_sections(roadmap: Roadmap) -> None:
    Section.objects.filter(roadmap=roadmap).update(title=Concat("title", Value("!")))


def _insert_topic(roadmap: Roadmap) -> None:
    TopicFactory(roadmap=roadmap, section=Section.objects.filter(roadmap=roadmap).first())


def _delete_topic(roadmap: Roadmap) -> None:
    Topic.objects.filter(roadmap=roadmap, slug=UNUSED).delete()


def _retire_section(roadmap: Roadmap) -> None:
    section = Section.objects.filter(roadmap=roadmap).last()
    assert section is not None
    section.retired_at = timezone.now()
    section.save()


WRITES: dict[str, Callable[[Roadmap], None]] = {
    "topics updated": _update_topics,
    "phases updated, same values": _update_phases,
    "sections updated": _update_sections,
    "a topic inserted": _insert_topic,
    "a topic deleted": _delete_topic,
    "a section saved": _retire_section,
}


UNUSED = "a-topic-nobody-uses"


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_write_moves_the_content_version_only(seed, write) -> None:
    roadmap = seed
    section = Section.objects.filter(roadmap=roadmap).first()
    TopicFactory(roadmap=roadmap, section=section, slug=UNUSED)
    content, community = pages_versions()
    WRITES[write](roadmap)
    moved_content, moved_community = pages_versions()
    assert moved_content > content
    assert moved_community == community


def test_the_pages_row_is_made_when_missing(seed) -> None:
    roadmap = seed
    PageVersion.objects.all().delete()
    assert pages_versions() == (1, 1)  # the fallback of a database without the row
    _update_topics(roadmap)
    content, community = pages_versions()
    assert PageVersion.objects.count() == 1
    assert content > 1  # 2 on PostgreSQL (a bump per statement), more on SQLite (per row)
    assert community == 1


def test_a_write_elsewhere_moves_nothing(seed) -> None:
    roadmap = seed
    before = pages_versions()
    Roadmap.objects.filter(pk=roadmap.pk).update(title="Not a topic, phase or section")
    assert pages_versions() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement triggers: PostgreSQL")
def test_on_postgresql_one_statement_moves_it_once(seed) -> None:
    roadmap = seed
    assert Topic.objects.filter(roadmap=roadmap).count() > 1
    content, _ = pages_versions()
    _update_topics(roadmap)
    assert pages_versions()[0] == content + 1
