"""Celery task outcomes, counted for /metrics."""

from __future__ import annotations

from celery.signals import task_failure, task_retry, task_success

from apps.operations.metrics import task_outcome_record


@task_success.connect
def _succeeded(sender=None, **kwargs) -> None:
    task_outcome_record(task=getattr(sender, "name", str(sender)), outcome="succeeded")


@task_failure.connect
def _failed(sender=None, **kwargs) -> None:
    task_outcome_record(task=getattr(sender, "name", str(sender)), outcome="failed")


@task_retry.connect
def _retried(sender=None, request=None, **kwargs) -> None:
    name = getattr(request, "task", None) or getattr(sender, "name", str(sender))
    task_outcome_record(task=str(name), outcome="retried")
