"""The enrichment: hours and phases, official links for every tool, loaded without overwriting."""

from __future__ import annotations

import json
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command

from apps.roadmap.enrichment import EnrichmentError, parse_enrichment
from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.schedule import pack_into_weeks
from apps.roadmap.services import roadmap_enrich, roadmap_import
from apps.roadmap.url_normalization import normalize_url
from tests.support.seed import SEED_ENRICHMENT, SEED_README

pytestmark = pytest.mark.django_db

ENRICHMENT_TEXT = SEED_ENRICHMENT.read_text(encoding="utf-8")

# Every tool, framework, library and service the README names, as the issue lists them, with a
# word that must appear in the title of the resource that links to it.
NAMED_TOOLS = [
    "Apache Spark", "Airflow", "Kubeflow", "Prefect", "Feast", "Tecton", "DVC", "MLflow",
    "Weights & Biases", "Great Expectations", "TFDV", "scikit-learn", "TensorFlow", "PyTorch",
    "XGBoost", "LightGBM", "Optuna", "SHAP", "LIME", "Flask", "FastAPI", "gRPC", "Docker",
    "Kubernetes", "Minikube", "Knative", "SageMaker", "Lambda", "EC2", "Vertex AI",
    "Cloud Functions", "Azure Machine Learning", "AKS", "ONNX Runtime", "TensorFlow Lite",
    "Core ML", "Evidently", "SageMaker Model Monitor", "ELK", "Prometheus", "Grafana",
    "Neptune", "pytest", "AI Fairness 360", "GitHub Actions", "GitLab CI/CD", "Jenkins",
    "Terraform", "CloudFormation", "Horovod", "MPI", "PyTorch Distributed", "TensorRT",
    "Hugging Face Transformers", "Redis", "Miniconda", "Git", "Elasticsearch", "Logstash",
    "Kibana", "API Gateway", "Cloud TPU", "KMS", "Cost Explorer",
]  # fmt: skip


def reimport() -> None:
    roadmap_import(text=decode_readme(SEED_README.read_bytes()), slug="ml-engineer")


def enrich(text: str = ENRICHMENT_TEXT):
    return roadmap_enrich(enrichment=parse_enrichment(text))


def snapshot() -> dict:
    topics = {
        t.slug: (t.est_hours, t.phase.number if t.phase else None, dict(t.imported))
        for t in Topic.objects.select_related("phase")
    }
    resources = {
        r.pk: (r.url, r.normalized_url, r.title, r.kind, r.status, r.topic_id, dict(r.imported))
        for r in Resource.objects.all()
    }
    return {"topics": topics, "resources": resources}


def enrichment_resources():
    return Resource.objects.filter(origin=Resource.Origin.ENRICHMENT)


# --- what the seed gets ------------------------------------------------------------------------


def test_every_topic_has_hours_and_a_phase(seed: Roadmap) -> None:
    topics = list(seed.topics.active())
    assert len(topics) == 38
    assert all(t.est_hours and t.phase_id for t in topics)


def pack_weeks_by_hand(hours: list[int], budget: int) -> int:
    """An independent count of the weeks, written out here so the test checks the rule."""
    weeks, used = 0, budget
    for h in hours:
        if used + h > budget:
            weeks, used = weeks + 1, 0
        used += h
    return weeks


def test_each_phase_packs_into_exactly_four_weeks_at_ten_hours(seed: Roadmap) -> None:
    for phase in seed.phases.order_by("number"):
        topics = list(phase.topics.active().order_by("order"))
        hours = [t.est_hours for t in topics]
        assert max(hours) <= 10, phase
        assert pack_weeks_by_hand(hours, 10) == 4, (phase.number, hours)
        weeks = pack_into_weeks(topics, hours, 10)
        assert len(weeks) == 4 == phase.week_count
        assert [t for w in weeks for t in w.items] == topics  # order kept, nothing split


def test_the_sixteen_weeks_follow_the_readme_phases(seed: Roadmap) -> None:
    starts = []
    week = 1
    for phase in seed.phases.order_by("number"):
        starts.append((phase.week_start, week))
        topics = list(phase.topics.active().order_by("order"))
        week += len(pack_into_weeks(topics, [t.est_hours for t in topics], 10))
    assert starts == [(1, 1), (5, 5), (9, 9), (13, 13)]
    assert week == 17


def test_every_named_tool_is_an_approved_docs_or_tool_resource(seed: Roadmap) -> None:
    resources = list(enrichment_resources().select_related("topic"))
    titles = " | ".join(r.title for r in resources)
    missing = [name for name in NAMED_TOOLS if name.lower() not in titles.lower()]
    assert missing == []
    for resource in resources:
        assert resource.status == Resource.Status.APPROVED
        assert resource.kind in {"docs", "tool"}
        assert resource.topic is not None and resource.topic.roadmap_id == seed.pk
        assert resource.normalized_url == normalize_url(resource.url)
        assert resource.source_key == f"url:{resource.normalized_url}"
        assert urlsplit(resource.url).scheme == "https"


def test_tools_sit_on_the_topic_that_teaches_them(seed: Roadmap) -> None:
    def topic_of(title: str) -> str:
        return enrichment_resources().select_related("topic").get(title=title).topic.slug

    assert topic_of("Apache Airflow") == "workflow-orchestration"
    assert topic_of("DVC (Data Version Control)") == "reproducibility"  # not version control
    assert topic_of("Docker documentation") == "containerization"
    assert topic_of("Kubernetes documentation") == "orchestration"
    assert topic_of("Redis") == "api-development"  # named only by a project
    assert topic_of("Miniconda") == "infrastructure-basics"  # named only by the FAQ


def test_books_and_courses_get_their_official_pages(seed: Roadmap) -> None:
    unlinked = Resource.objects.filter(origin=Resource.Origin.README, url="")
    assert list(unlinked.values_list("title", flat=True)) == []
    for resource in Resource.objects.filter(kind__in=["book", "course"]):
        assert resource.url.startswith("https://")
        assert resource.normalized_url == normalize_url(resource.url)
        assert resource.source_key.startswith(("book:", "course:"))  # the import's key kept


def test_every_active_topic_has_an_approved_resource(seed: Roadmap) -> None:
    bare = seed.topics.active().exclude(resources__status=Resource.Status.APPROVED).distinct()
    assert sorted(bare.values_list("slug", flat=True)) == []


def test_the_topics_no_tool_covers_get_an_official_or_canonical_reference(seed: Roadmap) -> None:
    """The seven topics that named no tool (so had no resource) each get one in the file."""
    for slug in (
        "algorithms",
        "continuous-validation",
        "data-lineage",
        "feedback-loops",
        "model-lifecycle",
        "model-performance-degradation",
        "soft-skills-for-ml-engineers",
    ):
        found = enrichment_resources().filter(topic__slug=slug, status=Resource.Status.APPROVED)
        assert found.count() >= 1, slug
        assert all(urlsplit(r.url).scheme == "https" and r.kind == "docs" for r in found)


def test_the_counts_the_issue_asks_to_show(seed: Roadmap) -> None:
    total = enrichment_resources().count()
    # 81 official sites of the tools the README names, plus 7 references for the topics that
    # name no tool.
    assert total == len(json.loads(ENRICHMENT_TEXT)["resources"]) == 88


# --- idempotence and the merge -----------------------------------------------------------------


def test_loading_twice_changes_nothing(seed: Roadmap) -> None:
    before = snapshot()
    version = Roadmap.objects.get(pk=seed.pk).content_version
    history = Topic.history.count() + Resource.history.count()
    report = enrich()
    assert not report.changed and report.conflicts == []
    assert snapshot() == before
    assert Roadmap.objects.get(pk=seed.pk).content_version == version
    assert Topic.history.count() + Resource.history.count() == history  # not even a save


def test_a_readme_reimport_after_the_enrichment_changes_nothing(seed: Roadmap) -> None:
    before = snapshot()
    version = Roadmap.objects.get(pk=seed.pk).content_version
    reimport()
    assert snapshot() == before
    assert Roadmap.objects.get(pk=seed.pk).content_version == version


def test_a_change_bumps_content_version_once(db) -> None:
    reimport()
    version = Roadmap.objects.get(slug="ml-engineer").content_version
    assert enrich().changed
    assert Roadmap.objects.get(slug="ml-engineer").content_version == version + 1


def test_site_edits_are_kept_and_reported(seed: Roadmap) -> None:
    topic = seed.topics.get(slug="frameworks")
    topic.est_hours = 12
    topic.phase = seed.phases.get(number=2)
    topic.save()
    docs = enrichment_resources().get(title="Apache Airflow")
    docs.status = Resource.Status.RETIRED
    docs.title = "Airflow (moderator's title)"
    docs.save()
    book = Resource.objects.get(source_key="book:machine-learning-engineering")
    book.url = "https://books.example/mle"
    book.normalized_url = normalize_url(book.url)
    book.save()

    # The file changes too, so that each field is a real conflict, not a no-op.
    data = json.loads(ENRICHMENT_TEXT)
    for row in data["topics"]:
        if row["slug"] == "frameworks":
            row.update(est_hours=7, phase=3)
    for row in data["resources"]:
        if row["title"] == "Apache Airflow":
            row["title"] = "Apache Airflow (new)"
    for row in data["readme_resources"]:
        if row["source_key"] == "book:machine-learning-engineering":
            row["url"] = "https://publisher.example/mle"
    report = enrich(json.dumps(data))

    topic.refresh_from_db()
    docs.refresh_from_db()
    book.refresh_from_db()
    assert (topic.est_hours, topic.phase.number) == (12, 2)
    assert (docs.status, docs.title) == ("retired", "Airflow (moderator's title)")
    assert book.url == "https://books.example/mle"
    conflicts = " ".join(report.conflicts)
    assert "topic frameworks: est_hours" in conflicts and "topic frameworks: phase" in conflicts
    assert "title" in conflicts and "book:machine-learning-engineering: url" in conflicts


def test_an_untouched_field_takes_the_files_new_value(seed: Roadmap) -> None:
    data = json.loads(ENRICHMENT_TEXT)
    for row in data["topics"]:
        if row["slug"] == "algorithms":
            row["est_hours"] = 9
    version = Roadmap.objects.get(pk=seed.pk).content_version
    report = enrich(json.dumps(data))
    assert report.conflicts == []
    assert seed.topics.get(slug="algorithms").est_hours == 9
    assert Roadmap.objects.get(pk=seed.pk).content_version == version + 1


def test_a_moderators_hours_before_the_first_load_are_kept(db) -> None:
    reimport()
    Topic.objects.filter(slug="algorithms").update(est_hours=20)
    report = enrich()
    assert Topic.objects.get(slug="algorithms").est_hours == 20
    assert any("topic algorithms: est_hours" in c for c in report.conflicts)


def test_a_resource_dropped_from_the_file_is_retired_not_deleted(seed: Roadmap) -> None:
    data = json.loads(ENRICHMENT_TEXT)
    data["resources"] = [r for r in data["resources"] if r["title"] != "Optuna"]
    report = enrich(json.dumps(data))
    assert report.count("resources").retired == 1
    assert enrichment_resources().get(title="Optuna").status == "retired"


def test_a_community_resource_with_the_same_url_is_left_alone(db) -> None:
    reimport()
    roadmap = Roadmap.objects.get(slug="ml-engineer")
    mine = Resource.objects.create(
        roadmap=roadmap,
        url="https://optuna.org/?utm_source=newsletter",
        normalized_url=normalize_url("https://optuna.org/?utm_source=newsletter"),
        title="My Optuna link",
        origin=Resource.Origin.COMMUNITY,
        status=Resource.Status.PENDING,
    )
    report = enrich()
    mine.refresh_from_db()
    assert (mine.title, mine.status, mine.origin) == ("My Optuna link", "pending", "community")
    assert any("optuna.org" in note for note in report.notes)
    assert not enrichment_resources().filter(title="Optuna").exists()


# --- refusals: a clear error, nothing written ---------------------------------------------------


def broken(**changes) -> str:
    data = json.loads(ENRICHMENT_TEXT)
    for path, value in changes.items():
        key, index, field = path.split("__")
        data[key][int(index)][field] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": 2, "roadmap": "ml-engineer", "topics": []}', "format"),
        (broken(topics__0__est_hours=0), "est_hours must be a whole number"),
        (broken(topics__0__est_hours="6"), "est_hours must be a whole number"),
        (broken(topics__0__phase=True), "phase must be a phase number"),
        (broken(resources__0__kind="article"), "kind must be one of docs, tool"),
        (broken(resources__0__url="javascript:alert(1)"), "must be an absolute https:// URL"),
        (
            broken(resources__0__url="https://optuna.org/?utm_source=x"),
            "'Optuna': has the same URL as 'Apache Spark'",
        ),
        (broken(resources__0__title=""), "'title' is required"),
        (broken(readme_resources__0__url="http://insecure.example/"), "https://"),
    ],
)
def test_a_malformed_file_is_refused(text: str, message: str) -> None:
    with pytest.raises(EnrichmentError, match=message):
        parse_enrichment(text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"topics__0__slug": "no-such-topic"}, "no topic 'no-such-topic'"),
        ({"resources__3__topic": "nowhere"}, "no topic 'nowhere'"),
        ({"topics__0__phase": 9}, "no phase 9"),
        ({"readme_resources__0__source_key": "book:unknown"}, "'book:unknown' is not on the site"),
    ],
)
def test_a_file_naming_what_the_roadmap_lacks_writes_nothing(db, change, message) -> None:
    reimport()
    before = snapshot()
    version = Roadmap.objects.get(slug="ml-engineer").content_version
    with pytest.raises(EnrichmentError, match=message):
        enrich(broken(**change))
    assert snapshot() == before
    assert Roadmap.objects.get(slug="ml-engineer").content_version == version


def test_enriching_a_roadmap_not_imported_is_refused(db) -> None:
    with pytest.raises(EnrichmentError, match="import its README first"):
        enrich()


# --- the command ------------------------------------------------------------------------------


def test_the_command_loads_then_reports_up_to_date(db) -> None:
    reimport()
    out = StringIO()
    call_command("load_enrichment", str(SEED_ENRICHMENT), stdout=out)
    assert "ml-engineer: enriched" in out.getvalue()
    assert "resources: 88 new" in out.getvalue()
    out = StringIO()
    call_command("load_enrichment", str(SEED_ENRICHMENT), stdout=out)
    assert "ml-engineer: already up to date" in out.getvalue()


def test_the_command_dry_run_writes_nothing(db) -> None:
    reimport()
    before = snapshot()
    out = StringIO()
    call_command("load_enrichment", str(SEED_ENRICHMENT), "--dry-run", stdout=out)
    assert "dry run" in out.getvalue()
    assert snapshot() == before


def test_the_command_names_a_bad_file(db, tmp_path) -> None:
    reimport()
    path = tmp_path / "bad.json"
    path.write_text(broken(topics__2__slug="missing-topic"))
    with pytest.raises(CommandError, match="no topic 'missing-topic'; nothing was loaded"):
        call_command("load_enrichment", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_enrichment", str(tmp_path / "absent.json"))
