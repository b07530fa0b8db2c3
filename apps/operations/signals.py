"""Celery task outcomes, counted for /metrics; the client address in the request logs."""

from __future__ import annotations

import structlog
from celery.signals import task_failure, task_retry, task_success
from django.dispatch import receiver
from django_structlog.signals import bind_extra_request_metadata

from apps.accounts.client_address import client_address
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


@receiver(bind_extra_request_metadata)
def _client_address(request, logger=None, log_kwargs=None, **kwargs) -> None:
    """The request logs' `ip` is the client address the rate limits count by.

    django-structlog binds the address ipware reads, which believes any X-Forwarded-For a client
    sends; here it is replaced by `apps.accounts.client_address`, which trusts exactly
    TRUSTED_PROXY_COUNT proxies, so a client cannot put someone else's address in our logs.
    """
    structlog.contextvars.bind_contextvars(ip=client_address(request))
