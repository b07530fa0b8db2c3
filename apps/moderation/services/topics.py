"""Topics: edit the text and place, revert to a revision (django-simple-history keeps each)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.accounts.models import User
from apps.moderation.models import ModerationAction
from apps.moderation.services.audit import (
    KEEP,
    Decision,
    Keep,
    audited_write,
    joined,
    reason_clean,
)
from apps.progress import effort
from apps.roadmap.models import Phase, Topic
from apps.roadmap.readme_parser import first_sentence
from apps.roadmap.services import topic_text_revise
from roadmap_site import limits
from roadmap_site.errors import Conflict, Invalid

Action = ModerationAction.Action

# What a moderator edits and a revert restores.
TOPIC_FIELDS = ("title", "body_md", "summary", "key_points", "est_hours", "phase_id", "order")
# The words the log uses for them (the summary follows the text).
EDIT_LABELS = {
    "title": "title",
    "body_md": "text",
    "key_points": "key things",
    "est_hours": "hours",
    "phase_id": "phase",
    "order": "order",
}


def _locked(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("roadmap").get(pk=topic.pk)


def _key_points_error(points: list[str]) -> str | None:
    if not limits.KEY_POINTS.contains(len(points)):
        return limits.KEY_POINTS.message()
    for point in points:
        message = limits.KEY_POINT.check(point)
        if message is not None:
            return message
    return None


def _hours_error(est_hours: int | None) -> str | None:
    return None if est_hours is None else limits.TOPIC_HOURS.check(est_hours)


class _Edit:
    """The changes an edit asks for, or its errors by field."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        self.errors: dict[str, list[str]] = {}
        self.changes: dict[str, Any] = {}

    def propose(self, field: str, error: str | None, attribute: str, new: Any) -> None:
        if error is not None:
            self.errors[field] = [error]
        elif new != getattr(self.topic, attribute):
            self.changes[attribute] = new

    def result(self) -> dict[str, Any]:
        if self.errors:
            raise Invalid(self.errors)
        if not self.changes:
            raise Invalid("Nothing to change: the values are the same.", code="no_change")
        if "body_md" in self.changes:
            self.changes["summary"] = first_sentence(self.changes["body_md"])
        return self.changes


def _edit_changes(
    topic: Topic,
    *,
    title: str | None,
    body: str | None,
    key_points: list[str] | None,
    est_hours: int | Keep | None,
    phase: Phase | Keep | None,
    order: int | None,
) -> dict[str, Any]:
    edit = _Edit(topic)
    if title is not None:
        title = title.strip()
        edit.propose("title", limits.TOPIC_TITLE.check(title), "title", title)
    if body is not None:
        body = body.strip()
        edit.propose("body", limits.TOPIC_BODY.check(body), "body_md", body)
    if key_points is not None:
        points = [str(point).strip() for point in key_points]
        edit.propose("key_points", _key_points_error(points), "key_points", points)
    if est_hours is not KEEP:
        edit.propose("est_hours", _hours_error(est_hours), "est_hours", est_hours)
    if phase is not KEEP:
        wrong = phase is not None and phase.roadmap_id != topic.roadmap_id
        error = "Choose a phase of this topic's roadmap." if wrong else None
        edit.propose("phase", error, "phase_id", phase.pk if phase else None)
    if order is not None:
        edit.propose("order", limits.TOPIC_ORDER.check(order), "order", order)
    return edit.result()


@transaction.atomic
def topic_edit(
    *,
    actor: User,
    topic: Topic,
    title: str | None = None,
    body: str | None = None,
    key_points: list[str] | None = None,
    est_hours: int | Keep | None = KEEP,
    phase: Phase | Keep | None = KEEP,
    order: int | None = None,
    reason: str = "",
) -> Topic:
    """Edit a topic's text and place. A re-import of the README keeps these edits.
    `est_hours=None` and `phase=None` clear them; leaving them out keeps them."""
    reason = reason_clean(reason)
    topic = _locked(topic)
    changes = _edit_changes(
        topic,
        title=title,
        body=body,
        key_points=key_points,
        est_hours=est_hours,
        phase=phase,
        order=order,
    )
    changed = [EDIT_LABELS[name] for name in changes if name in EDIT_LABELS]
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=topic,
                action=Action.EDIT_TOPIC,
                changes=changes,
                reason=joined("Changed the " + ", ".join(changed) + ".", reason),
                revision_reason=reason or "edit",
            )
        ],
        public=True,
    )
    topic_text_revise(topic=topic, changed=changes)
    return topic


@transaction.atomic
def topic_revert(*, actor: User, topic: Topic, revision_id: int, reason: str = "") -> Topic:
    """Restore a topic's text and place exactly as an earlier revision had them.

    The revert is saved as a revision of its own, so it can be reverted in turn.
    """
    reason = reason_clean(reason)
    topic = _locked(topic)
    revision = Topic.history.filter(id=topic.pk, history_id=revision_id).first()
    if revision is None:
        raise Invalid({"revision": ["This topic has no such revision."]})
    wanted = {name: getattr(revision, name) for name in TOPIC_FIELDS}
    if (
        wanted["phase_id"] is not None
        and not Phase.objects.filter(pk=wanted["phase_id"], roadmap_id=topic.roadmap_id).exists()
    ):
        wanted["phase_id"] = None  # that phase is gone; the topic falls back to no phase
    changes = {name: value for name, value in wanted.items() if getattr(topic, name) != value}
    if not changes:
        raise Conflict(
            "The topic already reads exactly like that revision.",
            code="no_change",
            revision=revision.history_id,
        )
    when = revision.history_date.strftime("%Y-%m-%d %H:%M UTC")
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=topic,
                action=Action.REVERT,
                changes=changes,
                reason=joined(f"Back to revision {revision.history_id} of {when}.", reason),
                revision_reason=f"revert to revision {revision.history_id}",
            )
        ],
        public=True,
    )
    topic_text_revise(topic=topic, changed=changes)
    return topic


@transaction.atomic
def topic_adopt_learner_hours(*, actor: User, topic: Topic, reason: str = "") -> Topic:
    """Set a topic's editorial hours to its learners' median (rounded half up), when that
    median is far from them (`apps.progress.effort.is_far`, from k answers): an audited,
    public edit like any other (a log entry, a revision, the roadmap's content_version)."""
    reason = reason_clean(reason)
    topic = _locked(topic)
    figures = effort.effort_for_topic(topic=topic)
    if figures.p50 is None:
        raise Conflict(
            f"Fewer than {limits.EFFORT_MIN_LEARNERS} learners said how long this topic took.",
            code="too_few_learners",
        )
    if not effort.is_far(median=figures.p50, editorial_hours=topic.est_hours):
        raise Conflict(
            "The learners' median is close to the editorial hours already.", code="no_change"
        )
    hours = effort.adoptable_hours(median=figures.p50)
    if message := limits.TOPIC_HOURS.check(hours):
        raise Invalid({"est_hours": [message]})
    was = f"{topic.est_hours} hours" if topic.est_hours else "no estimate"
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=topic,
                action=Action.EDIT_TOPIC,
                changes={"est_hours": hours},
                reason=joined(
                    f"Adopted the learners' median: {hours} hours (was {was}; "
                    f"median {figures.p50:g} of {figures.count} learners).",
                    reason,
                ),
                revision_reason="adopt the learners' median hours",
            )
        ],
        public=True,
    )
    return topic
