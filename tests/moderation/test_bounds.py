"""Numbers a moderator types: a topic's order and the ids of merges and bulk decisions. Out of
range is a clear 400 on the page form and in the API, nothing written, never a 500; the
schema states the bounds."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.moderation.models import ModerationAction
from apps.moderation.services import topics
from apps.roadmap.models import Topic
from roadmap_site.errors import Invalid
from roadmap_site.limits import RECORD_ID, TOPIC_ORDER
from tests.factories import pending, resource
from tests.support.clients import client_for, page_client_for

pytestmark = pytest.mark.django_db

BAD_ORDERS = [2**31, 2**63, -1, TOPIC_ORDER.max + 1, "1e9"]


@pytest.mark.parametrize("order", BAD_ORDERS)
def test_an_out_of_range_topic_order_on_the_edit_page_is_a_400(
    roadmap, topic, moderator, order
) -> None:
    path = f"/moderation/roadmaps/{roadmap.slug}/topics/{topic.slug}/"
    body = {"title": "Still testing", "order": order, "reason": "Reorder"}
    response = page_client_for(moderator).post(path, body)
    assert response.status_code == 400
    assert response.context["form"].errors["order"]
    assert str(order).encode() in response.content  # what was typed stays
    assert Topic.objects.get(pk=topic.pk).order == topic.order
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("order", BAD_ORDERS)
def test_an_out_of_range_topic_order_through_the_api_is_a_400(
    roadmap, topic, moderator, order
) -> None:
    path = f"/api/v1/roadmaps/{roadmap.slug}/topics/{topic.slug}/"
    response = client_for(moderator).patch(path, {"order": order}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["order"]
    assert Topic.objects.get(pk=topic.pk).order == topic.order
    assert not ModerationAction.objects.exists()


@pytest.mark.parametrize("order", [2**31, -1, TOPIC_ORDER.max + 1])
def test_the_topic_edit_service_refuses_an_out_of_range_order(topic, moderator, order) -> None:
    with pytest.raises(Invalid) as error:
        topics.topic_edit(actor=moderator, topic=topic, order=order)
    assert error.value.fields == {"order": [TOPIC_ORDER.message()]}
    assert Topic.objects.get(pk=topic.pk).order == topic.order


def test_the_highest_order_is_accepted(topic, moderator) -> None:
    topics.topic_edit(actor=moderator, topic=topic, order=TOPIC_ORDER.max)
    assert Topic.objects.get(pk=topic.pk).order == TOPIC_ORDER.max


@pytest.mark.parametrize("big", [2**31, 2**63, 2**64])
def test_huge_ids_in_merges_and_bulk_decisions_are_4xx(
    roadmap, topic, submitter, moderator, big
) -> None:
    item = resource(roadmap, topic, title="Item")
    submission = pending(roadmap, topic, submitter, title="Submitted")
    client = client_for(moderator)
    merge = client.post(f"/api/v1/resources/{item.pk}/merge/", {"into": big}, format="json")
    assert merge.status_code == 400 and "into" in merge.json()
    bulk = client.post(
        "/api/v1/submissions/bulk/", {"ids": [submission.pk, big], "action": "approve"}
    )
    assert 400 <= bulk.status_code < 500
    page = page_client_for(moderator).post(
        f"/moderation/resources/{item.pk}/merge/", {"into": big, "reason": "Same"}
    )
    assert page.status_code < 500  # the page puts the refusal in a message and redirects
    assert not ModerationAction.objects.exists()


def test_the_schema_states_the_topic_order_bounds() -> None:
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    order = schema.json()["components"]["schemas"]["PatchedTopicPatchInput"]["properties"]["order"]
    assert (order["minimum"], order["maximum"]) == (TOPIC_ORDER.min, TOPIC_ORDER.max)


def test_the_schema_states_the_id_bounds_of_merges_and_bulk_decisions() -> None:
    schemas = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    components = schemas.json()["components"]["schemas"]
    into = components["MergeInput"]["properties"]["into"]
    ids = components["BulkInput"]["properties"]["ids"]["items"]
    for field in (into, ids):
        assert (field["minimum"], field["maximum"]) == (RECORD_ID.min, RECORD_ID.max)


def test_a_merge_into_an_id_past_the_largest_is_refused_by_the_form(roadmap, topic, moderator):
    item = resource(roadmap, topic, title="Item")
    page = page_client_for(moderator).post(
        f"/moderation/resources/{item.pk}/merge/", {"into": RECORD_ID.max + 1, "reason": "Same"}
    )
    assert page.status_code in {302, 400}
    assert not ModerationAction.objects.exists()
