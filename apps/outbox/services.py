"""Write work down with the change, publish it when the broker answers.

- `outbox_put` (inside the caller's transaction) writes the task call as a row, so the work
  commits or rolls back with the change; after the commit the request tries one fast publish.
- `outbox_publish` hands pending rows to Celery: rows locked with SELECT ... FOR UPDATE SKIP
  LOCKED, so two publishers never send one row twice; a failed publish puts the row back with
  a growing delay. The beat job `apps.outbox.tasks.outbox_publish` runs it every few seconds.

A request never waits on a broker that is down or hangs: every broker call has a socket
timeout (settings), and after one failure the request path skips the broker for a while
(`broker_circuit`, see roadmap_site.circuit), leaving the rows to the beat job.

With CELERY_TASK_ALWAYS_EAGER (no broker: `make run`), publishing runs the task in-process
right after the commit, as `.delay()` did.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from celery import Task, current_app
from django.db import transaction
from django.utils import timezone

from apps.outbox.models import LAST_ERROR_MAX, OutboxMessage
from roadmap_site.circuit import Circuit, circuit_for

logger = logging.getLogger(__name__)

# A failed publish is tried again after 5 s, 10 s, 20 s ... at most every 5 minutes.
RETRY_FIRST = timedelta(seconds=5)
RETRY_MAX = timedelta(minutes=5)
PUBLISH_BATCH = 100


def outbox_put(
    *, task: str, args: Sequence[Any] = (), publish_after_commit: bool = True
) -> OutboxMessage:
    """Write down a call of `task` in the caller's transaction.

    With `publish_after_commit`, the request tries to publish it once the transaction has
    committed (skipped while the broker is known to be down); the beat job publishes what that
    leaves. Without, the caller publishes it itself (`outbox_publish(ids=...)`).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_put runs inside the transaction of the change it follows.")
    _task(task)  # a name that is no task fails here, in the change, not later in the beat job
    message = OutboxMessage.objects.create(task=task, args=list(args))
    if publish_after_commit:
        transaction.on_commit(lambda: outbox_publish(ids=[message.pk]))
    return message


def _task(name: str) -> Task:
    """The task registered as `name`. Our tasks are named by their module path; a process that
    has not imported the module yet (the web) imports it here."""
    if name not in current_app.tasks:
        module = name.rpartition(".")[0]
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    try:
        return current_app.tasks[name]
    except KeyError:
        raise ValueError(f"no Celery task is registered as {name!r}") from None


def _retry_delay(attempts: int) -> timedelta:
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def broker_circuit() -> Circuit:
    return circuit_for(f"broker {current_app.conf.broker_url}")


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _postpone(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.attempts += 1
    message.due_at = now + _retry_delay(message.attempts)
    message.last_error = repr(error)[:LAST_ERROR_MAX]
    message.save(update_fields=["attempts", "due_at", "last_error"])


def outbox_publish(*, ids: Sequence[int] | None = None, now: datetime | None = None) -> int:
    """Publish pending messages: those in `ids` (a request's own, right after its commit) or
    those due (the beat job). Returns how many went out.

    A request's publish is skipped while the broker is known to be down. The first broker
    error stops the round (each further try would cost another timeout) and the rows wait for
    the next one. Under eager execution a task that fails is postponed like a failed publish.
    """
    circuit = broker_circuit()
    eager = _eager()
    # Eager tasks run in-process: there is no broker whose outage could be known.
    if ids is not None and not eager and not circuit.allows():
        return 0
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            sent_at__isnull=True
        )
        if ids is not None:
            pending = pending.filter(pk__in=list(ids))
        else:
            pending = pending.filter(due_at__lte=now)
        for message in pending.order_by("due_at", "id")[:PUBLISH_BATCH]:
            try:
                # A savepoint: an eager task that fails leaves this transaction usable.
                with transaction.atomic():
                    _task(message.task).apply_async(args=message.args, retry=False)
            except Exception as error:  # any failure: the row stays and is tried again later
                _postpone(message, error, now)
                if eager:
                    logger.warning(
                        "outbox task failed", extra={"task": message.task, "error": repr(error)}
                    )
                    continue
                circuit.failed()
                # One line, no traceback: formatting one costs time while the broker hangs.
                logger.warning(
                    "outbox not published: the broker is unreachable",
                    extra={"task": message.task, "error": repr(error)},
                )
                break
            if not eager:
                circuit.succeeded()
            message.sent_at = timezone.now()
            message.save(update_fields=["sent_at"])
            sent += 1
    return sent


def outbox_purge(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete messages sent more than `older_than` ago; pending ones stay, however old."""
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
