"""Topics whose learners' median is far from the editorial hours, and adopting it (audited)."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.moderation.models import ModerationAction
from apps.moderation.services import topics
from apps.progress import effort
from apps.progress import services as progress
from apps.roadmap.models import Roadmap, Topic
from roadmap_site.errors import Conflict
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _reports(topic: Topic, hours: list[int]) -> None:
    for value in hours:
        progress.topic_progress_put(
            user=UserFactory(), topic=topic, status="done", hours_taken=value
        )


@pytest.mark.parametrize(
    ("median", "editorial", "far"),
    [
        (4, 4, False),
        (2.68, 4, False),
        (2.6, 4, True),
        (6, 4, False),
        (6.1, 4, True),
        (3, None, True),
    ],
)
def test_the_one_rule_of_far(median, editorial, far) -> None:
    assert effort.is_far(median=median, editorial_hours=editorial) is far


def test_the_list_has_only_far_topics_from_k_learners(roadmap, topic) -> None:
    close = Topic.objects.create(
        roadmap=roadmap, section=topic.section, slug="close", title="Close", order=2, est_hours=4
    )
    few = Topic.objects.create(
        roadmap=roadmap, section=topic.section, slug="few", title="Few", order=3, est_hours=4
    )
    _reports(topic, [8, 9, 10, 11, 12])  # median 10 over 4: 2.5x
    _reports(close, [3, 4, 4, 5, 5])
    _reports(few, [20, 20, 20, 20])
    far = effort.far_from_editorial()
    assert [(f.topic.slug, f.effort.p50, f.ratio) for f in far] == [("testing", 10.0, 2.5)]


def test_adopting_sets_the_median_logs_publicly_and_bumps_the_version(
    roadmap, topic, moderator
) -> None:
    _reports(topic, [8, 9, 10, 11, 12])
    before = Roadmap.objects.get(pk=roadmap.pk).content_version
    topics.topic_adopt_learner_hours(actor=moderator, topic=topic, reason="Learners agree.")
    topic.refresh_from_db()
    assert topic.est_hours == 10
    entry = ModerationAction.objects.get()
    assert entry.action == ModerationAction.Action.EDIT_TOPIC and entry.target_id == topic.pk
    assert entry.reason.startswith("Adopted the learners' median: 10 hours (was 4 hours;")
    assert "Learners agree." in entry.reason
    assert Roadmap.objects.get(pk=roadmap.pk).content_version == before + 1
    assert effort.far_from_editorial() == []
    with pytest.raises(Conflict):  # close now: nothing to adopt
        topics.topic_adopt_learner_hours(actor=moderator, topic=topic)
    assert ModerationAction.objects.count() == 1


def test_adopting_needs_k_learners(roadmap, topic, moderator) -> None:
    _reports(topic, [20, 20, 20, 20])
    with pytest.raises(Conflict):
        topics.topic_adopt_learner_hours(actor=moderator, topic=topic)
    topic.refresh_from_db()
    assert topic.est_hours == 4 and not ModerationAction.objects.exists()


def test_the_page_is_for_moderators_and_adopts_with_a_button(
    roadmap, topic, moderator, outsider
) -> None:
    _reports(topic, [8, 9, 10, 11, 12])
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get("/moderation/effort/").status_code == 403
    adopt = f"/moderation/roadmaps/{roadmap.slug}/topics/{topic.slug}/adopt-effort/"
    assert stranger.post(adopt).status_code == 403
    web = Client()
    web.force_login(moderator)
    page = web.get("/moderation/effort/").content.decode()
    assert "Testing" in page and "2.5×" in page and "Adopt the median" in page
    answer = web.post(adopt, {"reason": ""})
    assert answer.status_code == 302 and answer["Location"] == "/moderation/effort/"
    topic.refresh_from_db()
    assert topic.est_hours == 10
    refused = web.post(adopt, {"reason": ""}, follow=True)
    assert "close to the editorial hours already" in refused.content.decode()
