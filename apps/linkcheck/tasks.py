"""Link health tasks. Thin: each calls one service.

Both are safe to run twice and are acknowledged only after they finish (`acks_late`): a
worker that dies mid-check leaves its message to be delivered again, and the claim its batch
still holds lets the second delivery do the check (see services.link_checks_run).
"""

from __future__ import annotations

from celery import shared_task

from apps.linkcheck import services


@shared_task(
    name="apps.linkcheck.tasks.link_sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def link_sweep() -> int:
    """Hourly (Celery beat): queue one batch per host of the resources due for a check."""
    return len(services.link_sweep())


@shared_task(
    name="apps.linkcheck.tasks.link_check_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def link_check_batch(resource_ids: list[int], token: str) -> int:
    """Check the resources of one host that a sweep (or "check now") claimed under `token`."""
    return len(services.link_checks_run(resource_ids=resource_ids, token=token).checked)
