"""Progress survives content changes: renames, moves and retirements lose no row."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.progress import services
from apps.progress.models import TopicProgress
from apps.roadmap.models import Topic
from apps.roadmap.readme_parser import decode_readme
from apps.roadmap.services import roadmap_import
from tests.support.seed import SEED_README as SEED

pytestmark = pytest.mark.django_db


def test_reimporting_an_edited_readme_loses_no_progress(roadmap, learner) -> None:
    services.enrollment_put(user=learner, roadmap=roadmap)
    slugs = ["model-drift", "testing", "security", "frameworks"]
    for slug in slugs:
        topic = Topic.objects.get(roadmap=roadmap, slug=slug)
        services.topic_progress_put(user=learner, topic=topic, status="done", note_md=f"n-{slug}")
    text = decode_readme(SEED.read_bytes())
    # Rename one topic (a new slug: the old topic retires), retire another, move a third.
    text = text.replace("- **Model Drift:**", "- **Drift Detection:**")
    start, end = text.index("- **Security:**"), text.index("- **Cost Optimization:**")
    text = text[:start] + text[end:]
    moved_start = text.index("- **Testing:**")
    moved_end = text.index("- **CI/CD Pipelines:**")
    testing = text[moved_start:moved_end]
    text = text[:moved_start] + text[moved_end:]
    text = text.replace("- **Distributed Training:**", testing + "- **Distributed Training:**")
    roadmap_import(text=text, slug="ml-engineer")

    rows = {
        r.topic.slug: r for r in TopicProgress.objects.filter(user=learner).select_related("topic")
    }
    assert set(rows) == set(slugs)
    assert all(rows[s].note_md == f"n-{s}" and rows[s].status == "done" for s in slugs)
    assert rows["model-drift"].topic.retired_at is not None
    assert rows["security"].topic.retired_at is not None
    assert rows["testing"].topic.section.number == 7 and rows["testing"].topic.retired_at is None

    client = Client()
    client.force_login(learner)
    export = client.get("/api/v1/me/export/").json()["progress"]["topics"]
    assert {t["topic"] for t in export} == set(slugs)
    page = client.get("/roadmaps/ml-engineer/dashboard/").content.decode()
    assert (
        "Topics no longer in the roadmap" in page and "Model Drift" in page and "Security" in page
    )
