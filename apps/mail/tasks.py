"""The learner emails' beat jobs. Thin: each calls one service; both are safe to run twice."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from apps.mail import services


@shared_task(name="apps.mail.tasks.weekly_emails_send", ignore_result=True)
def weekly_emails_send(now: str | None = None) -> int:
    """Every few minutes (Celery beat): the Monday emails that are due, each once. `now` (an
    ISO 8601 time with its offset) sends what was due then: an operator's catch-up, a test."""
    return services.weekly_emails_send_due(now=datetime.fromisoformat(now) if now else None)


@shared_task(name="apps.mail.tasks.drift_nudges_send", ignore_result=True)
def drift_nudges_send() -> int:
    """Hourly (Celery beat): one nudge to each learner who asked and has drifted."""
    return services.nudges_send_due()
