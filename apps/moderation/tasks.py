"""Moderation emails. Thin: each task calls one service; both are safe to run twice."""

from __future__ import annotations

from celery import shared_task

from apps.moderation.services import notifications


@shared_task(name="apps.moderation.tasks.submission_decision_email_send")
def submission_decision_email_send(resource_id: int, decision: str) -> bool:
    """Tell a submitter that their suggestion was approved or rejected (and why)."""
    return notifications.submission_decision_notify(resource_id=resource_id, decision=decision)


@shared_task(name="apps.moderation.tasks.moderator_digest_send")
def moderator_digest_send() -> int:
    """Daily (Celery beat): what waits in the moderation queue, to every moderator who wants it."""
    return notifications.moderator_digest_notify()
