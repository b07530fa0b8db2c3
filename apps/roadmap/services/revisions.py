"""The one bump of a topic's `revision`: every public change of a topic's text or of its
resources' list or links calls `topic_revise`, in the same transaction, and leaves one
`TopicChange` row saying what changed. A learner who finished the topic at a lower revision
is shown those rows ("updated since you finished") until they dismiss them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone

from apps.roadmap.models import TOPIC_CHANGE_DETAIL_LENGTH, Resource, Topic, TopicChange

# The fields of a topic whose change is a change of its text (not of its hours or place), by
# the name a learner reads; the summary is the body's first sentence, so it says nothing more.
TOPIC_TEXT_FIELDS = {"title": "title", "body_md": "text", "key_points": "key points"}

Kind = TopicChange.Kind


def topic_revise(*, topic: Topic, kind: str, detail: str = "") -> TopicChange:
    """Bump `topic.revision` by one and log the change under the new revision (two writes,
    one read). Call inside the transaction of the change itself; the caller also bumps the
    roadmap's content_version (and with it the pages' version), as every content change does.
    """
    Topic.objects.filter(pk=topic.pk).update(revision=F("revision") + 1)
    topic.refresh_from_db(fields=["revision"])
    return TopicChange.objects.create(
        topic=topic,
        revision=topic.revision,
        kind=kind,
        detail=detail[:TOPIC_CHANGE_DETAIL_LENGTH],
        created_at=timezone.now(),
    )


def topic_text_revise(*, topic: Topic, changed: Iterable[str]) -> None:
    """Revise the topic when any of the `changed` field names is one of its text's."""
    names = set(changed)
    shown = [label for name, label in TOPIC_TEXT_FIELDS.items() if name in names]
    if shown:
        topic_revise(topic=topic, kind=Kind.TEXT, detail="Changed the " + ", ".join(shown) + ".")


def resource_revise(*, resource: Resource, kind: str, detail: str = "") -> None:
    """A change of a public resource's place on its topic: added, removed, replaced, or its
    link updated. A resource on no topic (a general one) changes no topic."""
    if resource.topic_id is None:
        return
    topic = Topic(pk=resource.topic_id)
    topic_revise(topic=topic, kind=kind, detail=detail or resource.title)


def merged_resource_revise(
    *, resource: Resource, changed: Iterable[str], created: bool, topic_before: int | None
) -> None:
    """The import's and the enrichment's one rule, after saving a merged resource: a new
    public resource is added to its topic; one that moved is removed from the old topic and
    added to the new; one whose link changed has its link updated; one made public again is
    added."""
    names = set(changed)
    if resource.status != Resource.Status.APPROVED:
        return
    if created or "status" in names:
        resource_revise(resource=resource, kind=Kind.RESOURCE_ADDED)
    elif "topic" in names and topic_before != resource.topic_id:
        resource_revise(
            resource=Resource(title=resource.title, topic_id=topic_before),
            kind=Kind.RESOURCE_REMOVED,
        )
        resource_revise(resource=resource, kind=Kind.RESOURCE_ADDED)
    elif "url" in names:
        resource_revise(
            resource=resource,
            kind=Kind.LINK_UPDATED,
            detail=f"“{resource.title}” moved to {resource.url}",
        )
