"""Moderation's side of link health (apps/linkcheck/signals.py): a resource whose link turned
paid or sign-in only opens an item in the reports queue and writes one entry to the public
moderation log. Sent once per change, inside the transaction that recorded the check, so the
item, the entry and the check commit or roll back together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apps.community.models import Report
from apps.moderation.models import ModerationAction
from apps.moderation.services.audit import TARGET_TITLE_MAX
from apps.roadmap.models import Resource

LINK_CHECKER = "link checker"  # the log's actor name for what the checker saw


def link_access_review(
    *, resource: Resource, previous: str, detail: str, seen_at: datetime, **kwargs: Any
) -> None:
    label = Resource.Access(resource.access).label
    seen = f"{label} since {seen_at:%Y-%m-%d}"
    reason = (
        Report.Reason.PAYWALLED
        if resource.access == Resource.Access.PAYWALLED
        else (Report.Reason.OTHER)
    )
    Report.objects.create(
        user=None,
        resource=resource,
        reason=reason,
        note=f"The link checker found: {seen}. {detail}".strip(),
    )
    ModerationAction.objects.create(
        actor=None,
        actor_name=LINK_CHECKER,
        action=ModerationAction.Action.LINK_ACCESS,
        target_type=ModerationAction.Target.RESOURCE,
        target_id=resource.pk,
        target_title=resource.title[:TARGET_TITLE_MAX],
        reason=f"{seen} (was {Resource.Access(previous).label.lower()}).",
    )
