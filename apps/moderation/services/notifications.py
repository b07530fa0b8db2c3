"""Moderation emails: the submitter hears of the decision, moderators get a daily digest.

Sent by the Celery tasks in tasks.py; a decision writes its email to the outbox in its own
transaction (`decision_email_enqueue`, through `audit.Decision.enqueue`; see apps.outbox).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from apps.accounts.selectors import public_name
from apps.moderation.models import ModerationAction
from apps.moderation.selectors import moderators_for_digest, queue_counts
from apps.outbox.services import outbox_put
from apps.roadmap.models import Resource

logger = logging.getLogger(__name__)

Action = ModerationAction.Action

# The status a decision leaves; the email goes only while the decision still stands.
_DECIDED: dict[str, str] = {
    Action.APPROVE: Resource.Status.APPROVED,
    Action.REJECT: Resource.Status.REJECTED,
}


def decision_email_enqueue(*, resource_id: int, decision: str) -> None:
    """Write the decision email to the outbox, in the decision's transaction: it is published
    after the commit, or by the outbox's beat job if the broker is down at that moment."""
    outbox_put(
        task="apps.moderation.tasks.submission_decision_email_send",
        args=[resource_id, decision],
    )


def _send(*, to: str, template: str, context: dict[str, Any]) -> None:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"moderation/email/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"moderation/email/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"moderation/email/{template}.html", context), "text/html"
    )
    message.send()


def submission_decision_notify(*, resource_id: int, decision: str) -> bool:
    """Email the submitter about the decision, if it still stands and they want the email."""
    resource = (
        Resource.objects.select_related("roadmap", "topic", "submitted_by")
        .filter(pk=resource_id)
        .first()
    )
    if resource is None or resource.status != _DECIDED.get(decision):
        return False
    user = resource.submitted_by
    if user is None or not user.is_active or not user.email or not user.email_submission_decisions:
        return False
    topic_path = (
        reverse("roadmap:topic", args=[resource.roadmap.slug, resource.topic.slug])
        if resource.topic
        else reverse("roadmap:roadmap", args=[resource.roadmap.slug])
    )
    _send(
        to=user.email,
        template="decision",
        context={
            "user_name": public_name(user),
            "resource": resource,
            "approved": decision == Action.APPROVE,
            "reason": resource.review_reason,
            "topic_url": settings.SITE_URL + topic_path,
            "submissions_url": settings.SITE_URL + reverse("community:my-submissions"),
            "preferences_url": settings.SITE_URL + reverse("accounts:email_preferences"),
        },
    )
    return True


def moderator_digest_notify() -> int:
    """Mail each moderator who wants it a summary of the queue; nothing when it is empty."""
    counts = queue_counts()
    if not any(counts.values()):
        return 0
    sent = 0
    for user in moderators_for_digest():
        _send(
            to=user.email,
            template="digest",
            context={
                "user_name": public_name(user),
                "counts": counts,
                "queue_url": settings.SITE_URL + reverse("moderation:queue"),
                "preferences_url": settings.SITE_URL + reverse("accounts:email_preferences"),
            },
        )
        sent += 1
    return sent
