"""The "how long did it take?" prompt and the effort shown on the topic page and map panel."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from apps.progress import services
from apps.progress.forms import TimeTakenForm
from apps.progress.models import TopicProgress
from apps.roadmap.models import Topic
from roadmap_site.limits import TIME_TAKEN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOPIC = "/roadmaps/ml-engineer/topics/testing/"
TIME = TOPIC + "time/"


@pytest.fixture
def web(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


def _row(learner) -> TopicProgress:
    return TopicProgress.objects.get(user=learner, topic__slug="testing")


def test_marking_done_with_htmx_brings_the_prompt_out_of_band(roadmap, learner, web) -> None:
    answer = web.post(TOPIC + "status/", {"status": "done"}, HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="time-testing" class="time-taken" data-swap-refusals hx-swap-oob="true"' in body
    assert "About how long did it take?" in body
    assert 'name="quick" value="3"' in body
    not_done = web.post(TOPIC + "status/", {"status": "in_progress"}, HTTP_HX_REQUEST="true")
    assert "About how long did it take?" not in not_done.content.decode()


def test_the_topic_page_asks_once_done_and_a_quick_answer_saves_without_js(
    roadmap, learner, web
) -> None:
    assert "About how long did it take?" not in web.get(TOPIC).content.decode()
    services.topic_progress_put(
        user=learner, topic=Topic.objects.get(slug="testing"), status="done"
    )
    assert "About how long did it take?" in web.get(TOPIC).content.decode()
    saved = web.post(TIME, {"quick": "6", "hours_taken": "", "next": TOPIC})
    assert saved.status_code == 302 and saved["Location"] == TOPIC
    assert _row(learner).hours_taken == 6
    assert "You said about 6 hours" in web.get(TOPIC).content.decode()


def test_a_typed_answer_with_htmx_and_removing_it(roadmap, learner, web) -> None:
    services.topic_progress_put(
        user=learner, topic=Topic.objects.get(slug="testing"), status="done"
    )
    typed = web.post(TIME, {"hours_taken": "12"}, HTTP_HX_REQUEST="true")
    assert typed.status_code == 200 and b"<html" not in typed.content
    assert "You said about 12 hours" in typed.content.decode() and _row(learner).hours_taken == 12
    web.post(TIME, {"clear": "1", "hours_taken": "12"})
    assert _row(learner).hours_taken is None


@pytest.mark.parametrize("typed", ["0", "401", "-3", "lots", "1e9", ""])
def test_a_bad_answer_is_refused_in_place_keeping_what_was_typed(
    roadmap, learner, web, typed
) -> None:
    services.topic_progress_put(
        user=learner, topic=Topic.objects.get(slug="testing"), status="done", hours_taken=2
    )
    for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
        refused = web.post(TIME, {"hours_taken": typed}, **htmx)
        body = refused.content.decode()
        assert refused.status_code == 400
        assert 'class="error-message"' in body and f'value="{typed}"' in body
    assert _row(learner).hours_taken == 2


def test_a_topic_not_done_takes_no_time(roadmap, learner, web) -> None:
    refused = web.post(TIME, {"quick": "3"})
    assert refused.status_code == 400
    assert "Mark the topic done first" in refused.content.decode()
    assert not TopicProgress.objects.filter(user=learner).exists()


def test_the_topic_page_and_panel_show_learners_figures_from_five(roadmap, web) -> None:
    topic = Topic.objects.get(slug="testing")
    topic.est_hours = 5
    topic.save(update_fields=["est_hours"])
    page = web.get(TOPIC).content.decode()
    assert "Editorial estimate:</strong> about 5 hours" in page and "once 5 have said" in page
    for hours in (2, 4, 6, 8, 10):
        services.topic_progress_put(
            user=UserFactory(), topic=topic, status="done", hours_taken=hours
        )
    page = web.get(TOPIC).content.decode()
    assert "Learners took</strong> 4–8 hours, 6 for half of them (median of 5 learners)" in page
    assert "the estimate is 5 hours" in page
    panel = web.get(TOPIC + "panel/", HTTP_HX_REQUEST="true").content.decode()
    assert "median of 5 learners" in panel


def test_a_visitors_cached_topic_page_follows_the_learners_answers_at_once(roadmap) -> None:
    """The figures are read on render and the pages are cached: every answer that comes,
    changes or goes (an account deleted included) moves the community version, so the next
    view renders them again (the map panel's roadmap page too)."""
    from apps.accounts.services import user_delete
    from apps.roadmap.services import pages_versions

    topic = Topic.objects.get(slug="testing")
    visitor = Client()
    assert "once 5 have said" in visitor.get(TOPIC).content.decode()  # now cached
    learners = [UserFactory(password="a long passphrase 2024") for _ in range(5)]
    for hours, learner in zip((2, 4, 6, 8, 10), learners, strict=True):
        services.topic_progress_put(user=learner, topic=topic, status="done")
        services.topic_time_put(user=learner, topic=topic, hours_taken=hours)
    assert "(median of 5 learners)" in visitor.get(TOPIC).content.decode()
    services.topic_time_put(user=learners[0], topic=topic, hours_taken=12)
    assert "6–10 hours, 8 for half of them" in visitor.get(TOPIC).content.decode()
    before = pages_versions()
    user_delete(user=learners[1], password="a long passphrase 2024")
    assert pages_versions() != before
    assert "once 5 have said" in visitor.get(TOPIC).content.decode()  # four answers left
    before = pages_versions()
    services.topic_progress_put(user=learners[2], topic=topic, status="in_progress")
    assert pages_versions() != before  # leaving done drops the answer


@given(quick=st.text(max_size=20), typed=st.text(max_size=20), clear=st.text(max_size=5))
def test_the_time_form_reads_any_text_into_an_answer_in_bounds_or_an_error(
    quick, typed, clear
) -> None:
    form = TimeTakenForm({"quick": quick, "hours_taken": typed, "clear": clear})
    if form.is_valid():
        answer = form.cleaned_data["answer"]
        assert answer is None or TIME_TAKEN.contains(answer)
    else:
        assert form.errors
