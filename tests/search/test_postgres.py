"""What only PostgreSQL's search does: weights, English stemming, websearch syntax over the
stored tsvector, typo tolerance and suggestions from pg_trgm, and the indexes that keep it
fast (apps/search/migrations)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.search.models import SearchDocument
from apps.search.selectors import search
from apps.search.services import index_roadmap
from tests.factories import ResourceFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_only")]


def titles(text: str, **options) -> list[str]:
    return [hit.title for hit in search(text, **options).hits]


@pytest.fixture
def library(roadmap):
    TopicFactory(roadmap=roadmap, title="Model Serving", body_md="Batch and online inference.")
    TopicFactory(roadmap=roadmap, title="Evaluation", body_md="Offline metrics, then serving.")
    TopicFactory(roadmap=roadmap, title="Distributed Training", body_md="Data parallel.")
    TopicFactory(roadmap=roadmap, title="Orchestration", body_md="Schedule Kubernetes jobs.")
    ResourceFactory(roadmap=roadmap, title="PyTorch", description_md="A deep learning library.")
    ResourceFactory(roadmap=roadmap, title="Pandas cookbook", description_md="Python data work.")
    ResourceFactory(roadmap=roadmap, title="Python docs", description_md="The language.")
    index_roadmap(roadmap)


def test_a_title_match_ranks_above_a_body_match(library) -> None:
    assert titles("serving") == ["Model Serving", "Evaluation"]
    assert search("serving").hits[0].score > search("serving").hits[1].score


def test_english_stemming(library) -> None:
    assert titles("train") == ["Distributed Training"]
    assert titles("trained") == ["Distributed Training"]
    assert titles("inferences") == ["Model Serving"]


def test_websearch_phrases_exclusions_and_or(library) -> None:
    assert titles('"online inference"') == ["Model Serving"]
    assert titles('"inference online"') == []
    assert titles("python") == ["Python docs", "Pandas cookbook"]
    assert titles("python -pandas") == ["Python docs"]
    assert sorted(titles("pytorch or pandas")) == ["Pandas cookbook", "PyTorch"]


def test_a_typo_finds_what_was_meant_and_suggests_the_word(library) -> None:
    for typo, meant in (("pytorh", "pytorch"), ("kubernets", "kubernetes")):
        found = [f"{hit.title} {hit.snippet}".lower() for hit in search(typo).hits]
        assert found and all(meant in text for text in found), (typo, found)
    typo = search("pytorh")
    assert [h.title for h in typo.hits] == ["PyTorch"]
    assert typo.fuzzy and typo.suggestions == ["pytorch"]
    orchestration = search("orchestraton")
    assert [h.title for h in orchestration.hits] == ["Orchestration"]
    assert orchestration.suggestions == ["orchestration"]


def test_a_typo_search_keeps_exclusions_and_kinds_and_costs_two_queries(library) -> None:
    with CaptureQueriesContext(connection) as queries:
        results = search("pandaz -python")
    assert len(queries) == 2
    assert results.hits == []  # the only match has "python" in its text
    assert search("pandaz", kind="topic").hits == []
    assert search("pandaz", kind="resource").counts["resource"] == 1


def test_no_suggestion_when_nothing_is_alike(library) -> None:
    results = search("zzqxv")
    assert (results.hits, results.suggestions, results.fuzzy) == ([], [], True)


def test_the_vector_is_stored_weighted_and_the_indexes_exist(library) -> None:
    row = SearchDocument.objects.get(title="Model Serving")
    assert "'serv':2A" in row.vector and "'infer':6C" in row.vector
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s",
            [SearchDocument._meta.db_table],
        )
        names = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
    assert {"search_document_vector", "search_document_title_trgm"} <= names


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=120))
def test_any_text_is_answered_without_an_error(library, text: str) -> None:
    """Whatever is typed reaches to_tsquery only as letter-and-digit runs: never a syntax error."""
    results = search(text.replace("\x00", ""))
    assert results.total >= len(results.hits)
