"""The site search on either database: what it finds, what it never shows, and the index
kept current by the services that write content (apps/search/services.py's callers).

Everything here holds on SQLite and PostgreSQL alike; what only PostgreSQL does (weights,
stemming, typos) is in test_postgres.py.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.moderation.services.resources import resource_edit, resource_retire
from apps.moderation.services.showcase import solution_hide, solution_restore
from apps.moderation.services.submissions import submission_approve, submission_reject
from apps.moderation.services.topics import topic_edit
from apps.search.models import SearchDocument
from apps.search.query import KINDS
from apps.search.selectors import search, snippet
from apps.search.services import index_roadmap, plain_text
from apps.solutions import services as solutions
from apps.solutions.services import SolutionInput
from roadmap_site.errors import Invalid, NotFound
from roadmap_site.limits import API_PAGE_SIZE, SEARCH_PAGE, SEARCH_QUERY, SEARCH_SNIPPET
from tests.factories import (
    FAQFactory,
    PhaseGoalFactory,
    ProjectFactory,
    ResourceFactory,
    SolutionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def titles(text: str, **options) -> list[str]:
    return [hit.title for hit in search(text, **options).hits]


@pytest.fixture
def content(roadmap, phase, topic):
    """One of each kind, indexed as the importer indexes a roadmap."""
    topic.title, topic.body_md = "Feature Stores", "Serve **features** online and offline."
    topic.key_points = ["point-in-time joins"]
    topic.save()
    PhaseGoalFactory(phase=phase, text="Ship a model behind an API.")
    resource = ResourceFactory(
        roadmap=roadmap,
        topic=topic,
        title="Feast documentation",
        url="https://docs.feast.example/intro",
        description_md="An open source feature store.",
    )
    project = ProjectFactory(roadmap=roadmap, title="Fraud detection API", slug="fraud-api")
    SolutionFactory(project=project, repository_path="ada/fraud-service", write_up_md="FastAPI")
    FAQFactory(
        roadmap=roadmap, order=1, question="How long does it take?", answer_md="About a year."
    )
    index_roadmap(roadmap)
    return {"topic": topic, "resource": resource, "project": project}


def test_each_kind_is_found_with_its_page_phase_and_topic(content, topic) -> None:
    found = {hit.kind: hit for hit in search("feature").hits}
    assert found["topic"].url == "/roadmaps/ml-engineer/topics/testing/"
    assert found["topic"].phase_title == "Foundations"
    assert found["topic"].topic_id == topic.pk
    resource = content["resource"]
    assert found["resource"].url == f"/roadmaps/ml-engineer/topics/testing/#resource-{resource.pk}"
    assert (found["resource"].phase_title, found["resource"].topic_id) == ("Foundations", topic.pk)
    assert search("fraud").counts["project"] == 1
    project_hit = search("fraud", kind="project").hits[0]
    assert project_hit.url == "/roadmaps/ml-engineer/projects/fraud-api/"
    assert search("ship model").hits[0].url == "/roadmaps/ml-engineer/phases/foundations/"
    assert search("fraud").counts["solution"] == 1  # its project's title is in its text
    assert [h.url for h in search("year").hits] == ["/roadmaps/ml-engineer/faq/#faq-1"]
    assert [h.kind for h in search("ship model").hits] == ["phase"]
    assert titles("feast.example") == ["Feast documentation"]  # the host


def test_an_answer_links_to_its_page_of_the_faq_and_its_place_there(roadmap, client) -> None:
    from apps.search.services import index_faq
    from roadmap_site.limits import PAGE_ROWS

    entries = [
        FAQFactory(roadmap=roadmap, order=n + 1, question=f"Question {n + 1}?")
        for n in range(PAGE_ROWS + 1)
    ]
    index_roadmap(roadmap)
    last = f"Question {PAGE_ROWS + 1}"
    (hit,) = search(f'"{last}"', kind="faq").hits
    assert hit.url == f"/roadmaps/ml-engineer/faq/?page=2#faq-{PAGE_ROWS + 1}"
    page, anchor = hit.url.split("#")
    assert f'<dt id="{anchor}">{last}?</dt>' in client.get(page).content.decode()
    index_faq(entries[-1])  # one entry indexed alone says the same
    assert search(f'"{last}"', kind="faq").hits[0].url == hit.url
    assert search('"Question 1"', kind="faq").hits[0].url.endswith("/faq/#faq-1")


def test_every_word_must_match_and_a_prefix_matches(content) -> None:
    assert titles("featu") == titles("feature") != []
    assert titles("feature offline") == ["Feature Stores"]
    assert titles("feature nothinglikethis") == []


def test_a_phrase_and_an_exclusion(content) -> None:
    assert sorted(titles("store feature")) == ["Feast documentation", "Feature Stores"]
    assert titles('"store feature"') == []
    assert titles('"open source"') == ["Feast documentation"]
    assert "Feature Stores" in titles("feature")
    assert "Feature Stores" not in titles("feature -offline")


def test_counts_cover_every_kind_and_a_kind_narrows_the_hits(content) -> None:
    everything = search("feature")
    assert set(everything.counts) == set(KINDS)
    assert everything.total == sum(everything.counts.values()) == len(everything.hits) == 2
    only = search("feature", kind="resource")
    assert only.counts == everything.counts
    assert [h.kind for h in only.hits] == ["resource"] and only.total == 1


def test_pages_of_results(roadmap) -> None:
    for n in range(5):
        TopicFactory(roadmap=roadmap, title=f"Pipelines part {n}")
    index_roadmap(roadmap)
    first = search("pipelines", page_size=2)
    assert (first.total, first.pages, len(first.hits)) == (5, 3, 2)
    last = search("pipelines", page=3, page_size=2)
    assert len(last.hits) == 1
    seen = {h.title for p in (1, 2, 3) for h in search("pipelines", page=p, page_size=2).hits}
    assert len(seen) == 5
    with pytest.raises(NotFound):
        search("pipelines", page=4, page_size=2)


def test_bad_input_is_refused_with_the_limits_message(content) -> None:
    with pytest.raises(Invalid) as refused:
        search("x", kind="article")
    assert "kind" in refused.value.fields
    with pytest.raises(Invalid) as refused:
        search("x", page=SEARCH_PAGE.max + 1)
    assert refused.value.fields["page"] == [SEARCH_PAGE.message()]
    with pytest.raises(Invalid) as refused:
        search("x" * (SEARCH_QUERY.max + 1))
    assert refused.value.fields["q"] == [SEARCH_QUERY.message()]
    with pytest.raises(Invalid):
        search("x", page_size=API_PAGE_SIZE.max + 1)


def test_nothing_to_look_for_is_an_empty_answer_without_a_query(content) -> None:
    for text in ("", "   ", "-feature", '""'):
        with CaptureQueriesContext(connection) as queries:
            results = search(text)
        assert (results.hits, results.total, results.pages) == ([], 0, 1)
        assert len(queries) == 0


def test_a_page_and_the_counts_cost_one_query(content) -> None:
    with CaptureQueriesContext(connection) as queries:
        results = search("feature", kind="topic")
    assert len(queries) == 1
    assert results.counts["resource"] == 1 and [h.kind for h in results.hits] == ["topic"]


def test_hidden_content_is_never_indexed(roadmap, topic, learner) -> None:
    pending = ResourceFactory(roadmap=roadmap, topic=topic, title="Hidden gem pending")
    pending.status = "pending"
    pending.save()
    retired_topic = TopicFactory(roadmap=roadmap, title="Hidden gem topic")
    retired_topic.retired_at = retired_topic.roadmap.updated_at
    retired_topic.save()
    under_retired = ResourceFactory(roadmap=roadmap, topic=retired_topic, title="Hidden gem res")
    project = ProjectFactory(roadmap=roadmap, title="Hidden gem project")
    project.retired_at = roadmap.updated_at
    project.save()
    SolutionFactory(project=ProjectFactory(roadmap=roadmap), repository_path="a/hidden-gem",
                    state="withdrawn")  # fmt: skip
    SolutionFactory(project=ProjectFactory(roadmap=roadmap), repository_path="b/hidden-gem",
                    visibility="hidden_moderation")  # fmt: skip
    assert under_retired.status == "approved"
    index_roadmap(roadmap)
    assert titles("hidden gem") == []
    assert not SearchDocument.objects.filter(title__icontains="hidden").exists()


# -- the index follows the services that write content


def test_approving_a_submission_indexes_it_and_rejecting_keeps_it_out(
    roadmap, topic, moderator, submitter
) -> None:
    first = ResourceFactory(roadmap=roadmap, topic=topic, title="Vector databases compared",
                            status="pending", submitted_by=submitter)  # fmt: skip
    second = ResourceFactory(roadmap=roadmap, topic=topic, title="Vector search primer",
                             status="pending", submitted_by=submitter)  # fmt: skip
    assert titles("vector") == []
    submission_approve(actor=moderator, resource=first)
    submission_reject(actor=moderator, resource=second, reason="A duplicate.")
    assert titles("vector") == ["Vector databases compared"]


def test_an_edit_shows_at_once_and_retiring_removes_it(roadmap, topic, moderator) -> None:
    resource = ResourceFactory(roadmap=roadmap, topic=topic, title="Old name of a guide")
    index_roadmap(roadmap)
    resource_edit(actor=moderator, resource=resource, title="Great guide to embeddings")
    assert titles("embeddings") == ["Great guide to embeddings"] and titles("old name") == []
    resource_retire(actor=moderator, resource=resource, reason="Gone.")
    assert titles("embeddings") == []


def test_a_topic_edit_reindexes_the_topic_and_its_resources(
    roadmap, topic, moderator, phase
) -> None:
    ResourceFactory(roadmap=roadmap, topic=topic, title="Pytest handbook")
    index_roadmap(roadmap)
    topic_edit(actor=moderator, topic=topic, title="Testing ML code", body="Property tests.")
    assert titles("property") == ["Testing ML code"]
    topic_edit(actor=moderator, topic=topic, phase=None)
    hit = search("pytest").hits[0]
    assert (hit.title, hit.phase_title) == ("Pytest handbook", None)


def test_solutions_follow_submit_edit_hide_restore_and_withdraw(
    roadmap, learner, moderator
) -> None:
    project = ProjectFactory(roadmap=roadmap, title="Churn model")
    data = SolutionInput(repository_url="https://github.com/ada/churn-predictor",
                         demo_url=None, write_up_md="Gradient boosting.", topics=[])  # fmt: skip
    solution = solutions.solution_submit(learner=learner, project=project, data=data)
    assert titles("churn", kind="solution") == ["ada/churn-predictor"]
    assert search("churn", kind="solution").hits[0].url == f"/solutions/{solution.pk}/"
    edited = SolutionInput(**{**vars(data), "write_up_md": "Logistic regression."})
    solution = solutions.solution_edit(solution=solution, learner=learner, data=edited,
                                       if_version=1)  # fmt: skip
    assert titles("logistic") == ["ada/churn-predictor"] and titles("gradient") == []
    solution_hide(actor=moderator, solution=solution, reason="Spam.")
    assert titles("logistic") == []
    solution_restore(actor=moderator, solution=solution)
    assert titles("logistic") == ["ada/churn-predictor"]
    solution.refresh_from_db()
    solutions.solution_withdraw(solution=solution, learner=learner, if_version=solution.version)
    assert titles("logistic") == []


def test_deleting_an_account_takes_its_solutions_out(roadmap, learner) -> None:
    from apps.accounts.services import user_delete

    learner.set_password("a long enough password")
    learner.save()
    project = ProjectFactory(roadmap=roadmap)
    data = SolutionInput(repository_url="https://github.com/ada/leaving", demo_url=None,
                         write_up_md="", topics=[])  # fmt: skip
    solutions.solution_submit(learner=learner, project=project, data=data)
    assert titles("leaving") == ["ada/leaving"]
    user_delete(user=learner, password="a long enough password")
    assert titles("leaving") == []
    assert not SearchDocument.objects.filter(kind="solution").exists()


def test_the_importer_indexes_the_readme_and_a_reimport_drops_what_it_retires(db) -> None:
    from apps.roadmap.services import roadmap_import
    from tests.support.seed import seed_text

    roadmap_import(text=seed_text(), slug="ml-engineer")
    assert SearchDocument.objects.filter(kind="topic").count() > 20
    assert search("kubernetes").counts["topic"] >= 1
    assert search("kubernetes", kind="topic").hits[0].phase_title


def test_plain_text_and_snippets() -> None:
    assert (
        plain_text("See [the **docs**](https://x.example) `now` <b>x</b>") == "See the docs now x"
    )
    text = "word " * 100 + "needle in the haystack " + "word " * 100
    cut = snippet(text, ("needle",))
    assert "needle" in cut and len(cut) <= SEARCH_SNIPPET
    assert cut.startswith("…") and cut.endswith("…")
    assert snippet("short text", ("absent",)) == "short text"
    assert snippet(text, ("absent",)).startswith("word")


def test_reindex_search_rebuilds_the_index_from_the_content(content, capsys) -> None:
    from django.core.management import call_command

    expected = sorted(SearchDocument.objects.values_list("kind", "title", "url"))
    SearchDocument.objects.all().delete()
    SearchDocument.objects.create(kind="topic", object_id=999_999, roadmap_id=999_999,
                                  title="Orphan of a deleted roadmap", url="/gone/")  # fmt: skip
    call_command("reindex_search")
    assert sorted(SearchDocument.objects.values_list("kind", "title", "url")) == expected
    assert f"{len(expected)} documents" in capsys.readouterr().out
    assert "Feature Stores" in titles("feature")
