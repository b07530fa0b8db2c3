"""The one audited write: every moderation change goes through `audited_write`.

A use case locks its rows and checks them (what it may decide depends on what it finds); it
then hands its decisions to `audited_write`, which for each of them sets the fields, stamps
`updated_at` where the model keeps one, gives django-simple-history the actor and the reason
for the revision, saves exactly those fields and writes exactly one ModerationAction. Then it
bumps the `content_version` of each roadmap whose public content changed, once per roadmap
however many rows changed, and writes the work it sends out (emails) to the outbox in the same
transaction, so that a rolled-back decision neither shows nor mails and a committed one mails
even if the broker is down at that moment. (The model is pretix's `LoggingMixin.log_action`:
no change without its log row, written by one call.)
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import public_name
from apps.community.models import Report
from apps.moderation.models import ModerationAction
from apps.moderation.selectors import queue_counts_forget
from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.services import community_touch, roadmap_touch
from apps.search.services import index_resource, index_solution, index_topic
from apps.showcase.models import Flag, Review
from apps.solutions.models import Solution
from roadmap_site import limits
from roadmap_site.errors import Invalid

Target = ModerationAction.Target

# django-simple-history's revision reason column (HistoricalRecords' default max_length).
HISTORY_REASON_MAX = 100
# ModerationAction.target_title's max_length.
TARGET_TITLE_MAX = 300


@dataclass(frozen=True)
class Decision:
    """One decided thing: the row, its new values and what the public log says about it.

    `changes` maps field names (or attnames such as `phase_id`) to their new values. `reason`
    is the log's public text; `revision_reason` the revision's (the action when empty).
    `enqueue` runs inside the transaction, once the decision is saved: it writes the work the
    decision sends out (emails) to the outbox, so that work commits with the decision and is
    published once the broker answers. `after_commit` runs only once the transaction has
    committed.
    """

    target: Resource | Topic | Report | Solution | Review | Flag
    action: str
    changes: Mapping[str, Any]
    reason: str = ""
    revision_reason: str = ""
    enqueue: Callable[[], None] | None = field(default=None, compare=False)
    after_commit: Callable[[], None] | None = field(default=None, compare=False)


def audited_write(
    *, actor: User, decisions: Sequence[Decision], public: bool
) -> list[ModerationAction]:
    """Save each decision and log it once; bump each roadmap once when `public` content changed.

    Runs inside the caller's transaction (the one that holds its locks): on any error later in
    that transaction nothing of it is kept, the log rows and the version bump included.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audited_write runs inside the use case's transaction.")
    entries = [_save_and_log(actor=actor, decision=decision) for decision in decisions]
    _search_index(decisions)
    if public:
        roadmaps: dict[int, Roadmap] = {}
        for decision in decisions:
            roadmap = _roadmap_of(decision.target)
            roadmaps.setdefault(roadmap.pk, roadmap)
        for roadmap in roadmaps.values():
            roadmap_touch(roadmap=roadmap)
    else:
        # No content changed, but the public log shows the entries: its cached pages (keyed by
        # the community version too) go stale, the others stay.
        community_touch()
    for decision in decisions:
        if decision.enqueue is not None:
            decision.enqueue()
        if decision.after_commit is not None:
            transaction.on_commit(decision.after_commit)
    # The header's cached counts (selectors.py) are forgotten, not counted again here: the
    # write costs no COUNT queries, and the next page that shows them counts them once (the
    # queue page counts them anyway). Not on commit, so that `after_commit` stays the
    # decisions' own; forgetting them early is harmless (they are counted again).
    queue_counts_forget()
    return entries


def _search_index(decisions: Sequence[Decision]) -> None:
    """The search index follows each decided topic, resource and solution (approved, edited,
    retired, hidden, restored), in the decision's transaction: once per row."""
    done: set[tuple[type, int]] = set()
    for decision in decisions:
        target = decision.target
        if (type(target), target.pk) in done:
            continue
        done.add((type(target), target.pk))
        if isinstance(target, Topic):
            index_topic(target)
        elif isinstance(target, Resource):
            index_resource(target)
        elif isinstance(target, Solution):
            index_solution(target)


def _save_and_log(*, actor: User, decision: Decision) -> ModerationAction:
    target = decision.target
    fields = list(decision.changes)
    for name, value in decision.changes.items():
        setattr(target, name, value)
    if isinstance(target, Resource) and "updated_at" not in decision.changes:
        target.updated_at = timezone.now()
        fields.append("updated_at")
    if hasattr(type(target), "history"):
        # simple-history reads these two attributes for the revision it writes on save.
        vars(target).update(
            _history_user=actor,
            _change_reason=(decision.revision_reason or decision.action)[:HISTORY_REASON_MAX],
        )
    target.save(update_fields=fields)
    target_type, title = _described(target)
    return ModerationAction.objects.create(
        actor=actor,
        actor_name=public_name(actor),
        action=decision.action,
        target_type=target_type,
        target_id=target.pk,
        target_title=title[:TARGET_TITLE_MAX],
        reason=decision.reason,
    )


def _solution_title(solution: Solution) -> str:
    return f"{public_name(solution.learner)}'s solution of {solution.project.title}"


def _described(target: Resource | Topic | Report | Solution | Review | Flag) -> tuple[str, str]:
    if isinstance(target, Solution):
        return Target.SOLUTION, _solution_title(target)
    if isinstance(target, Review):
        return Target.REVIEW, _solution_title(target.solution)
    if isinstance(target, Flag):
        flagged = target.solution if target.solution is not None else target.review.solution  # type: ignore[union-attr]
        return Target.FLAG, _solution_title(flagged)
    if isinstance(target, Report):
        return Target.REPORT, target.resource.title
    if isinstance(target, Topic):
        return Target.TOPIC, target.title
    return Target.RESOURCE, target.title


def _roadmap_of(target: Resource | Topic | Report | Solution | Review | Flag) -> Roadmap:
    if isinstance(target, Solution):
        return target.project.roadmap
    if isinstance(target, Review):
        return target.solution.project.roadmap
    if isinstance(target, Flag):
        flagged = target.solution if target.solution is not None else target.review.solution  # type: ignore[union-attr]
        return flagged.project.roadmap
    if isinstance(target, Report):
        return target.resource.roadmap
    return target.roadmap


# ---------------------------------------------------------------------------------------------
# Shared by the use cases


class Keep(enum.Enum):
    """The default of an argument whose None means "clear it": leave the value as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


def reason_clean(reason: str, *, field: str = "reason", required: bool = False) -> str:
    """The moderator's public reason, trimmed; Invalid when it is missing or too long."""
    reason = (reason or "").strip()
    if required and not reason:
        raise Invalid({field: ["Give a reason: the submitter and the public log see it."]})
    message = limits.REASON.check(reason)
    if message is not None:
        raise Invalid({field: [message]})
    return reason


def joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def moderation_log_pseudonymise(user: User) -> None:
    """Deletion hook: the log keeps what was done, under a pseudonym instead of the name."""
    ModerationAction.objects.filter(actor=user).update(actor_name=f"moderator {user.pk}")
