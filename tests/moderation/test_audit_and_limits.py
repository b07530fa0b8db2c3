"""The one audited write (one log row per decided thing, each roadmap bumped once, the
revision's user and reason, nothing kept on rollback), and moderation's limits: declared once,
enforced alike by the serializer and the service, and shown in the OpenAPI schema."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from apps.moderation.models import ModerationAction
from apps.moderation.services import audit, resources
from apps.roadmap.models import Resource, Roadmap
from roadmap_site import limits
from roadmap_site.errors import Invalid
from tests.factories import resource
from tests.support.clients import client_for

SERVICES = Path(audit.__file__).parent


def version(roadmap: Roadmap) -> int:
    return Roadmap.objects.get(pk=roadmap.pk).content_version


def retire(item: Resource, reason: str = "") -> audit.Decision:
    return audit.Decision(
        target=item,
        action=ModerationAction.Action.RETIRE,
        changes={"status": Resource.Status.RETIRED},
        reason=reason,
        revision_reason=reason or "retire",
    )


# -- the primitive


@pytest.mark.django_db
def test_one_log_row_per_decision_and_one_bump_per_roadmap(roadmap, topic, moderator) -> None:
    items = [resource(roadmap, topic, title=f"Item {n}") for n in range(3)]
    other_roadmap = Roadmap.objects.create(slug="other", title="Other")
    elsewhere = resource(other_roadmap, None, title="Elsewhere")
    before, other_before = version(roadmap), version(other_roadmap)
    with transaction.atomic():
        entries = audit.audited_write(
            actor=moderator,
            decisions=[retire(item, "Gone.") for item in [*items, elsewhere]],
            public=True,
        )
    assert [e.target_id for e in entries] == [*[i.pk for i in items], elsewhere.pk]
    rows = ModerationAction.objects.order_by("pk")
    assert [(r.action, r.target_type, r.target_id, r.target_title, r.reason) for r in rows] == [
        ("retire", "resource", item.pk, item.title, "Gone.") for item in [*items, elsewhere]
    ]
    assert {r.actor_id for r in rows} == {moderator.pk}
    assert version(roadmap) == before + 1  # three rows, one bump
    assert version(other_roadmap) == other_before + 1
    assert set(Resource.objects.values_list("status", flat=True)) == {"retired"}


@pytest.mark.django_db
def test_a_decision_that_is_not_public_does_not_bump(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic)
    before = version(roadmap)
    with transaction.atomic():
        audit.audited_write(actor=moderator, decisions=[retire(item)], public=False)
    assert version(roadmap) == before
    assert ModerationAction.objects.count() == 1


@pytest.mark.django_db
def test_the_revision_has_the_actor_and_the_reason_and_updated_at_moves(
    roadmap, topic, moderator
) -> None:
    item = resource(roadmap, topic)
    stamped = Resource.objects.get(pk=item.pk).updated_at
    with transaction.atomic():
        audit.audited_write(
            actor=moderator, decisions=[retire(item, "The site closed.")], public=True
        )
    latest = item.history.first()
    assert latest.history_user == moderator
    assert latest.history_change_reason == "The site closed."
    assert latest.status == "retired"
    assert Resource.objects.get(pk=item.pk).updated_at > stamped


@pytest.mark.django_db
def test_a_long_revision_reason_is_cut_to_the_column(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic)
    with transaction.atomic():
        audit.audited_write(actor=moderator, decisions=[retire(item, "x" * 500)], public=True)
    assert item.history.first().history_change_reason == "x" * audit.HISTORY_REASON_MAX
    assert ModerationAction.objects.get().reason == "x" * 500  # the log keeps it whole


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_nothing(
    roadmap, topic, moderator, django_capture_on_commit_callbacks
) -> None:
    item = resource(roadmap, topic, title="Kept")
    before = version(roadmap)
    history = item.history.count()
    mailed: list[int] = []
    decision = audit.Decision(
        target=item,
        action=ModerationAction.Action.EDIT,
        changes={"title": "Changed"},
        after_commit=lambda: mailed.append(item.pk),
    )
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="later failure"),
        transaction.atomic(),
    ):
        audit.audited_write(actor=moderator, decisions=[decision], public=True)
        raise RuntimeError("a later failure in the same use case")
    assert Resource.objects.get(pk=item.pk).title == "Kept"
    assert not ModerationAction.objects.exists()
    assert version(roadmap) == before
    assert item.history.count() == history
    assert callbacks == [] and mailed == []


@pytest.mark.django_db
def test_after_commit_runs_only_after_the_commit(
    roadmap, topic, moderator, django_capture_on_commit_callbacks
) -> None:
    item = resource(roadmap, topic)
    ran: list[str] = []
    decision = audit.Decision(
        target=item,
        action=ModerationAction.Action.RETIRE,
        changes={"status": Resource.Status.RETIRED},
        after_commit=lambda: ran.append("mail"),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        audit.audited_write(actor=moderator, decisions=[decision], public=True)
        assert ran == []
    # One callback of the write's own (the version feed may add its wait at commit when this
    # process listens: apps/roadmap/version_feed.py).
    ours = [c for c in callbacks if not c.__qualname__.startswith("VersionFeed.")]
    assert len(ours) == 1 and ran == ["mail"]


@pytest.mark.django_db(transaction=True)
def test_the_write_refuses_to_run_outside_a_transaction(roadmap, topic, moderator) -> None:
    item = resource(roadmap, topic)
    with pytest.raises(RuntimeError, match="transaction"):
        audit.audited_write(actor=moderator, decisions=[retire(item)], public=True)
    assert Resource.objects.get(pk=item.pk).status == "approved"
    assert not ModerationAction.objects.exists()


def _writes_outside_the_primitive(path: Path) -> list[str]:
    """Calls in a service module that log or save a row themselves."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            call = ast.unparse(node.func)
            if node.func.attr == "save" or call.startswith("ModerationAction.objects"):
                found.append(f"{path.name}:{node.lineno} {call}")
    return found


def test_every_moderation_decision_goes_through_the_one_write() -> None:
    modules = {p.name for p in SERVICES.glob("*.py")}
    assert {"submissions.py", "resources.py", "topics.py", "reports.py"} <= modules
    for path in SERVICES.glob("*.py"):
        if path.name not in ("audit.py", "roles.py"):  # roles: group membership, no content
            assert _writes_outside_the_primitive(path) == [], path.name


# -- limits: one declaration, the same number everywhere


def _request_properties(path: str, method: str) -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return schema["components"]["schemas"][body["$ref"].split("/")[-1]]["properties"]


def test_the_schema_shows_the_limits_the_services_enforce() -> None:
    resource_patch = _request_properties("/api/v1/resources/{id}/", "patch")
    assert resource_patch["title"]["maxLength"] == limits.RESOURCE_TITLE.max == 200
    assert resource_patch["title"]["minLength"] == limits.RESOURCE_TITLE.min
    assert resource_patch["description"]["maxLength"] == limits.RESOURCE_DESCRIPTION.max == 5000
    assert resource_patch["reason"]["maxLength"] == limits.REASON.max

    topic_patch = _request_properties("/api/v1/roadmaps/{slug}/topics/{topic}/", "patch")
    assert topic_patch["title"]["maxLength"] == limits.TOPIC_TITLE.max
    assert topic_patch["title"]["minLength"] == limits.TOPIC_TITLE.min
    assert topic_patch["body"]["maxLength"] == limits.TOPIC_BODY.max
    assert topic_patch["key_points"]["maxItems"] == limits.KEY_POINTS.max
    assert topic_patch["key_points"]["items"]["maxLength"] == limits.KEY_POINT.max
    assert topic_patch["key_points"]["items"]["minLength"] == limits.KEY_POINT.min
    assert topic_patch["est_hours"]["minimum"] == limits.TOPIC_HOURS.min
    assert topic_patch["est_hours"]["maximum"] == limits.TOPIC_HOURS.max

    bulk = _request_properties("/api/v1/submissions/bulk/", "post")
    assert bulk["ids"]["minItems"] == limits.BULK_DECISIONS.min
    assert bulk["ids"]["maxItems"] == limits.BULK_DECISIONS.max
    reject = _request_properties("/api/v1/submissions/{id}/reject/", "post")
    assert reject["reason"]["maxLength"] == limits.REASON.max


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "limit"),
    [("title", limits.RESOURCE_TITLE), ("description", limits.RESOURCE_DESCRIPTION)],
)
def test_the_patch_and_the_service_refuse_the_same_lengths(
    roadmap, topic, moderator, field, limit
) -> None:
    item = resource(roadmap, topic, title="Original")
    client = client_for(moderator)
    too_long = "x" * (limit.max + 1)
    # Once 300 and 10,000 characters passed the serializer and only the service said no.
    refused = client.patch(f"/api/v1/resources/{item.pk}/", {field: too_long}, format="json")
    assert refused.status_code == 400 and field in refused.json()
    with pytest.raises(Invalid) as error:
        resources.resource_edit(actor=moderator, resource=item, **{field: too_long})
    assert error.value.message_dict == {field: [limit.message()]}
    fits = client.patch(f"/api/v1/resources/{item.pk}/", {field: "y" * limit.max}, format="json")
    assert fits.status_code == 200, fits.json()
    assert ModerationAction.objects.filter(action="edit").count() == 1
