"""The outbox's beat job. Thin: it calls one service; safe to run twice at once."""

from __future__ import annotations

from celery import shared_task

from apps.outbox import services


@shared_task(name="apps.outbox.tasks.outbox_publish", ignore_result=True)
def outbox_publish() -> int:
    """Every few seconds (Celery beat): publish what the outbox holds, and drop old sent rows."""
    sent = services.outbox_publish()
    services.outbox_purge()
    return sent
