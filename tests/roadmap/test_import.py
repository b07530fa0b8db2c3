"""The README import: what the seed stores, re-imports, edits, refusals and the round trip."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.roadmap.models import (
    FAQ,
    Outcome,
    Phase,
    PhaseGoal,
    Project,
    Resource,
    Roadmap,
    Section,
    Topic,
)
from apps.roadmap.readme_export import roadmap_to_markdown
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.services import roadmap_import

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "ml-engineer-roadmap.md"
SEED_TEXT = decode_readme(SEED.read_bytes())

pytestmark = pytest.mark.django_db

ADDITIONAL = {
    "Soft Skills for ML Engineers",
    "Explainable AI",
    "Data Lineage",
    "Blue-Green Deployments",
    "Canary Releases",
    "Model Performance Degradation",
    "Continuous Validation",
    "Federated Learning",
    "Transfer Learning",
}


def import_text(text: str, slug: str = "ml-engineer"):
    return roadmap_import(text=text, slug=slug)


def snapshot(roadmap: Roadmap) -> dict:
    """Every stored field of a roadmap's content, with relations by natural key."""
    roadmap.refresh_from_db()
    return {
        "roadmap": {
            f: getattr(roadmap, f)
            for f in ("title", "summary_md", "pathway_md", "contributing_md", "closing_md")
        },
        "sections": [
            (s.number, s.slug, s.title, s.summary_md, s.retired_at)
            for s in Section.objects.filter(roadmap=roadmap).order_by("number")
        ],
        "phases": [
            (p.number, p.slug, p.title, p.week_start, p.week_end)
            for p in Phase.objects.filter(roadmap=roadmap).order_by("number")
        ],
        "topics": [
            (
                t.slug, t.title, t.section.slug, t.phase.number if t.phase else None, t.summary,
                t.body_md, t.key_points, t.is_additional, t.est_hours, t.order, t.retired_at,
            )
            for t in Topic.objects.filter(roadmap=roadmap).select_related("section", "phase")
        ],
        "goals": [
            (g.phase.number, g.order, g.text, sorted(t.slug for t in g.topics.all()))
            for g in PhaseGoal.objects.filter(phase__roadmap=roadmap).order_by("phase", "order")
        ],
        "outcomes": list(Outcome.objects.filter(roadmap=roadmap).values_list("order", "text")),
        "projects": [
            (p.slug, p.title, p.description_md, p.order, sorted(t.slug for t in p.topics.all()))
            for p in Project.objects.filter(roadmap=roadmap)
        ],
        "faqs": list(
            FAQ.objects.filter(roadmap=roadmap).values_list("order", "question", "answer_md")
        ),
        "resources": sorted(
            (
                r.title, r.url, r.normalized_url, r.kind, r.description_md, r.status, r.origin,
                r.source_key, r.topic.slug if r.topic else None,
            )
            for r in Resource.objects.filter(roadmap=roadmap).select_related("topic")
        ),
    }  # fmt: skip


# -- what the seed stores


def test_the_seed_stores_exactly_what_the_readme_holds() -> None:
    report = import_text(SEED_TEXT)
    roadmap = report.roadmap
    assert roadmap.title == "Machine Learning Engineer Roadmap"
    assert roadmap.summary_md.startswith("This repository offers a hands-on")
    assert "Over the last 5 years" in roadmap.summary_md
    assert Section.objects.filter(roadmap=roadmap).count() == 7
    assert Topic.objects.filter(roadmap=roadmap, is_additional=False).count() == 29
    additional = Topic.objects.filter(roadmap=roadmap, is_additional=True)
    assert set(additional.values_list("title", flat=True)) == ADDITIONAL
    phases = list(Phase.objects.filter(roadmap=roadmap).order_by("number"))
    assert [(p.week_start, p.week_end) for p in phases] == [(1, 4), (5, 8), (9, 12), (13, 16)]
    assert [p.title for p in phases] == [
        "Core Concepts",
        "Pipeline Development",
        "Deployment & Scaling",
        "MLOps Mastery",
    ]
    assert [p.goals.count() for p in phases] == [3, 3, 3, 3]
    assert Outcome.objects.filter(roadmap=roadmap).count() == 4
    assert Project.objects.filter(roadmap=roadmap).count() == 4
    assert FAQ.objects.filter(roadmap=roadmap).count() == 3
    resources = Resource.objects.filter(roadmap=roadmap)
    assert resources.count() == 11
    kinds = sorted(resources.values_list("kind", flat=True))
    assert kinds == ["article"] * 5 + ["book"] * 2 + ["community"] * 2 + ["course"] * 2
    first_topic = Topic.objects.get(roadmap=roadmap, order=1)
    assert first_topic.slug == "ml-in-research-vs-production"
    assert resources.filter(kind="article", topic=first_topic).count() == 5
    assert set(resources.values_list("status", flat=True)) == {"approved"}
    assert set(resources.values_list("origin", flat=True)) == {"readme"}


def test_sections_in_order_with_their_topic_counts() -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    rows = [
        (s.number, s.title, s.topics.filter(is_additional=False).count(), s.topics.count())
        for s in roadmap.sections.order_by("number")
    ]
    assert rows == [
        (1, "Foundations of ML Engineering Role", 4, 5),
        (2, "Model Building & Experimentation", 4, 5),
        (3, "ML Pipelines & Automation", 4, 5),
        (4, "Model Deployment", 5, 7),
        (5, "Monitoring & Maintenance", 4, 5),
        (6, "MLOps & CI/CD", 4, 5),
        (7, "Advanced Topics", 4, 6),
    ]


def test_topic_text_keeps_nested_bullets_and_the_bold_paragraph() -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    topics = {t.slug: t for t in roadmap.topics.all()}
    research = topics["ml-in-research-vs-production"]
    assert "**Which Way You Want to Go Depends on What You Really Love to Do**" in research.body_md
    assert "When choosing your career path" in research.body_md
    # The links became resources; they and their lead-in are not repeated in the text.
    assert "valohai.com" not in research.body_md
    assert "Here are some resources" not in research.body_md
    assert research.summary.startswith("Research often focuses on pushing the boundaries")
    assert research.summary.endswith("scalability, and performance.")
    frameworks = topics["frameworks"].body_md
    assert "- Scikit-learn for traditional ML." in frameworks
    assert "- XGBoost/LightGBM for gradient boosting." in frameworks
    clouds = topics["cloud-services"].body_md
    assert "- **AWS:** SageMaker, Lambda, EC2." in clouds
    assert "- **Azure:** ML Studio, Kubernetes Service (AKS)." in clouds
    assert topics["data-engineering"].key_points == [
        "Data lakes vs warehouses",
        "ETL/ELT pipelines",
        "tools like Apache Spark",
    ]
    assert "Key things" not in topics["data-engineering"].body_md
    assert topics["model-lifecycle"].key_points == [
        "Training",
        "validation",
        "deployment",
        "retraining",
        "retirement",
    ]
    canary = topics["canary-releases"]
    assert canary.is_additional and canary.section.number == 4
    assert "gradually rolling out new models" in canary.body_md


def test_each_goal_is_linked_to_the_topics_its_words_name() -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    links = {
        g.text: {t.slug for t in g.topics.all()}
        for g in PhaseGoal.objects.filter(phase__roadmap=roadmap)
    }
    assert links["Build and evaluate models using Scikit-learn/TensorFlow."] == {"frameworks"}
    assert links["Learn Python scripting and version control (Git)."] == {"version-control"}
    assert links["Automate data preprocessing with Apache Airflow."] == {"workflow-orchestration"}
    assert links["Version datasets/models using DVC and MLFlow."] == {
        "reproducibility",
        "version-control",
    }
    assert links["Containerize a model with Docker."] == {"containerization"}
    assert {"api-development", "orchestration"} <= links[
        "Deploy a Flask API on Kubernetes (Minikube for local testing)."
    ]
    assert "cloud-services" in links["Use AWS SageMaker for managed training/deployment."]
    assert links["Implement monitoring with Prometheus."] == {"logging-alerting"}
    assert links["Design CI/CD pipelines for automated retraining."] == {"cicd-pipelines"}
    assert links["Set up feature stores and data validation."] == {
        "feature-stores",
        "data-validation",
    }
    assert links["Explore advanced topics like federated learning."] == {"federated-learning"}
    # Its words name no topic title or tool: the alias table (TOPIC_ALIASES) reads "ML
    # fundamentals" as the Algorithms topic. (Before that table this goal named no topic.)
    assert links["Study ML fundamentals (linear algebra, calculus, probability)."] == {"algorithms"}


def test_the_seed_import_notes_no_goal_without_a_topic() -> None:
    report = import_text(SEED_TEXT)
    assert [note for note in report.notes if "names no topic" in note] == []


def test_a_goal_that_names_no_topic_is_still_noted() -> None:
    text = SEED_TEXT.replace(
        "- Study ML fundamentals (linear algebra, calculus, probability).",
        "- Read widely every morning.",
    )
    report = import_text(text)
    assert "the goal 'Read widely every morning.' names no topic by its words" in report.notes


def test_every_topic_is_planned_in_a_phase() -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    phase_of = dict(roadmap.topics.values_list("slug", "phase__number"))
    assert None not in phase_of.values()
    assert phase_of["frameworks"] == 1
    assert phase_of["workflow-orchestration"] == 2
    assert phase_of["feature-stores"] == 4  # named by a phase 4 goal, though in section 3
    assert phase_of["model-drift"] == 3  # named by no goal: section 5's default
    assert phase_of["transfer-learning"] == 4


# -- re-import and edits


def test_reimporting_the_same_file_changes_nothing() -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    before = snapshot(roadmap)
    version, updated_at = roadmap.content_version, roadmap.updated_at
    history = Topic.history.count(), Resource.history.count()
    report = import_text(SEED_TEXT)
    assert not report.changed
    assert report.conflicts == []
    assert snapshot(roadmap) == before
    roadmap.refresh_from_db()
    assert (roadmap.content_version, roadmap.updated_at) == (version, updated_at)
    assert (Topic.history.count(), Resource.history.count()) == history


def edited_seed() -> str:
    text = SEED_TEXT.replace(
        "- **Model Lifecycle:** This encompasses stages",
        "- **Model Lifecycle:** This covers the stages",
    )
    # Remove the Hyperparameter Tuning topic, add a new topic to section 2.
    start = text.index("- **Hyperparameter Tuning:**")
    end = text.index("- **Evaluation Metrics:**")
    text = text[:start] + text[end:]
    text = text.replace(
        "- **Evaluation Metrics:**",
        "- **Experiment Design:** Plan experiments before you run them.\n- **Evaluation Metrics:**",
    )
    return text


def test_an_edited_file_updates_in_place_adds_and_retires() -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    ids = dict(roadmap.topics.values_list("slug", "id"))
    version = roadmap.content_version
    report = import_text(edited_seed())
    assert report.changed and report.conflicts == []
    lifecycle = Topic.objects.get(roadmap=roadmap, slug="model-lifecycle")
    assert lifecycle.id == ids["model-lifecycle"]
    assert lifecycle.body_md.startswith("This covers the stages")
    assert lifecycle.summary.startswith("This covers the stages")
    tuning = Topic.objects.get(roadmap=roadmap, slug="hyperparameter-tuning")
    assert tuning.retired_at is not None  # retired, never deleted
    assert Topic.objects.active().filter(roadmap=roadmap).count() == 38
    new = Topic.objects.get(roadmap=roadmap, slug="experiment-design")
    assert new.section.number == 2 and new.summary == "Plan experiments before you run them."
    roadmap.refresh_from_db()
    assert roadmap.content_version == version + 1
    # Importing the original again brings the retired topic back, with the same row.
    import_text(SEED_TEXT)
    tuning.refresh_from_db()
    assert tuning.retired_at is None


def test_a_moderators_edit_is_never_overwritten_and_the_conflict_is_reported() -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    topic = Topic.objects.get(roadmap=roadmap, slug="model-lifecycle")
    topic.title = "The Model Lifecycle"
    topic.body_md = "A moderator's better text."
    topic.save()
    # The file did not change these fields: the moderator's values stay, no conflict.
    report = import_text(SEED_TEXT)
    topic.refresh_from_db()
    assert (topic.title, topic.body_md) == ("The Model Lifecycle", "A moderator's better text.")
    assert report.conflicts == []
    # The file changed the body too: the moderator's body stays, and it is reported.
    report = import_text(edited_seed())
    topic.refresh_from_db()
    assert topic.body_md == "A moderator's better text."
    assert topic.title == "The Model Lifecycle"
    assert any("topic model-lifecycle: body_md" in c for c in report.conflicts)
    # Unedited topics did take the file's changes in the same import.
    assert Topic.objects.get(roadmap=roadmap, slug="hyperparameter-tuning").retired_at


def test_a_moderators_goal_links_are_kept() -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    goal = PhaseGoal.objects.get(phase__roadmap=roadmap, phase__number=1, order=1)
    algorithms = Topic.objects.get(roadmap=roadmap, slug="algorithms")
    goal.topics.set([algorithms])
    import_text(SEED_TEXT)
    assert [t.slug for t in goal.topics.all()] == ["algorithms"]


# -- refusals: nothing is written


def run_import(path: Path, slug: str = "ml-engineer") -> str:
    out = StringIO()
    call_command("import_roadmap", str(path), "--slug", slug, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    ("bad", "line", "words"),
    [
        ("â€”", 12, "double-encoded"),  # UTF-8 read as Windows-1252
        ("‚Äî", 12, "double-encoded"),  # UTF-8 read as Mac Roman
        ("Ã©", 12, "double-encoded"),  # é read as Latin-1
    ],
)
def test_double_encoded_text_is_refused(tmp_path, bad: str, line: int, words: str) -> None:
    lines = SEED_TEXT.split("\n")
    lines[line - 1] = lines[line - 1].replace("accuracy—improving", f"accuracy{bad}improving")
    assert bad in lines[line - 1]
    path = tmp_path / "bad.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert f"line {line}" in str(error.value) and words in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert Roadmap.objects.count() == 0


def test_text_that_is_not_utf8_is_refused(tmp_path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes(SEED_TEXT.replace("—", "-").replace("’", "'").encode("utf-8") + b"\ncaf\xe9\n")
    with pytest.raises(CommandError, match=r"not valid UTF-8") as error:
        run_import(path)
    assert f"line {SEED_TEXT.count(chr(10)) + 2}" in str(error.value)
    assert Roadmap.objects.count() == 0


BROKEN = [
    ("#### 8. Extra:\nSome text but no topics.\n", "has no topic bullets"),
    ("#### Glossary\n- ML: machine learning\n", "unknown heading 'Glossary'"),
    ("#### 8. Extra:\n- plain bullet without a title\n", "must open with a bold title"),
    ("#### Phase 5: Beyond\n- Keep going.\n", "unknown heading"),
]


@pytest.mark.parametrize(("addition", "words"), BROKEN)
def test_unparseable_input_names_the_line_and_writes_nothing(tmp_path, addition, words) -> None:
    marker = "#### 🌱 Progression Pathway:"
    text = SEED_TEXT.replace(marker, addition + "\n" + marker)
    expected_line = SEED_TEXT[: SEED_TEXT.index(marker)].count("\n") + 1
    path = tmp_path / "broken.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run_import(path)
    message = str(error.value)
    assert words in message
    assert f"line {expected_line}" in message or f"line {expected_line + 1}" in message
    assert Roadmap.objects.count() == 0 and Topic.objects.count() == 0


def test_a_failed_reimport_leaves_the_earlier_import_untouched(tmp_path) -> None:
    roadmap = import_text(SEED_TEXT).roadmap
    before = snapshot(roadmap)
    # Valid until the very end, where a phase's weeks run backwards.
    text = edited_seed().replace("(Weeks 13-16)", "(Weeks 16-13)")
    path = tmp_path / "late-error.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"ends \(week 13\) before it starts"):
        run_import(path)
    assert snapshot(roadmap) == before


def test_a_link_listed_twice_is_refused(tmp_path) -> None:
    text = SEED_TEXT.replace(
        "- [MLOps.community](https://mlops.community)",
        "- [MLOps.community](https://mlops.community)\n- [Again](https://MLOps.community/#top)",
    )
    path = tmp_path / "dup.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="listed twice"):
        run_import(path)


# -- the command and the round trip


def test_the_command_prints_counts_and_a_second_run_is_a_no_op() -> None:
    out = run_import(SEED)
    for line in (
        "sections: 7",
        "topics: 29 + 9 additional",
        "phases: 4",
        "goals: 12",
        "outcomes: 4",
        "projects: 4",
        "faqs: 3",
        "resources: 11",
    ):
        assert line in out
    assert "ml-engineer: imported" in out
    again = run_import(SEED)
    assert "ml-engineer: already up to date" in again
    assert "topics: 0 new, 0 updated, 38 unchanged" in again


def test_the_default_slug_comes_from_the_file_name() -> None:
    run_import_default = StringIO()
    call_command("import_roadmap", str(SEED), stdout=run_import_default)
    assert Roadmap.objects.get().slug == "ml-engineer"


def test_export_reads_back_into_an_equal_roadmap(tmp_path) -> None:
    original = import_text(SEED_TEXT).roadmap
    exported = StringIO()
    call_command("export_roadmap", "ml-engineer", stdout=exported)
    copy = import_text(exported.getvalue(), slug="copy").roadmap
    assert snapshot(copy) == snapshot(original)
    assert roadmap_to_markdown(copy) == exported.getvalue()


def test_export_after_moderator_edits_reads_back_equal() -> None:
    original = import_text(SEED_TEXT).roadmap
    topic = Topic.objects.get(roadmap=original, slug="testing")
    topic.body_md = "- Unit tests first.\n- Then integration tests.\n\nFinally, fairness tests."
    topic.key_points = ["unit tests", "integration tests, with pipelines", "fairness"]
    topic.summary = "Unit tests first."
    topic.save()
    copy = import_text(roadmap_to_markdown(original), slug="copy").roadmap
    assert snapshot(copy) == snapshot(original)


def test_the_export_endpoint_serves_the_markdown(client) -> None:
    import_text(SEED_TEXT)
    response = client.get("/api/v1/roadmaps/ml-engineer/export.md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert response.content.decode() == roadmap_to_markdown(Roadmap.objects.get())
    assert client.get("/api/v1/roadmaps/nope/export.md").status_code == 404


def test_the_command_dry_run_reports_and_writes_nothing() -> None:
    out = StringIO()
    call_command("import_roadmap", str(SEED), "--dry-run", stdout=out, stderr=StringIO())
    assert "topics: 38 new" in out.getvalue()
    assert "ml-engineer: would be imported; dry run: nothing was written" in out.getvalue()
    assert Roadmap.objects.count() == 0 and Topic.objects.count() == 0
