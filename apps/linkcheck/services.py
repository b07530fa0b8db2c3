"""Link health writes: claim resources, check them, record each verdict and apply the rules.

The rules (docs/link-health.md):

- `ok` or `redirected` after one good check; the failure streak starts over.
- `failing` after a failing check (verdict `broken` or `error`).
- `broken` only once the streak holds LINKCHECK_BROKEN_AFTER_CHECKS failing checks (3) that
  span at least LINKCHECK_BROKEN_AFTER_HOURS (48): one bad day never kills a link.
- `blocked` when the host walls bots; that says nothing about the link, so the streak stays.

A resource is checked by whoever holds its claim (`LinkClaim`): taken by a conditional UPDATE
with a lease, so two sweeps or two workers never check one resource at once, and a crashed
worker's claim runs out. A result is recorded only under the claim it was checked under, which
makes a redelivered task harmless: once recorded, the claim is gone and the task finds nothing.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import KombuError

from apps.linkcheck import selectors
from apps.linkcheck.checker import CheckerConfig, LinkResult, Verdict, check_urls
from apps.linkcheck.config import link_checker_config, link_guard
from apps.linkcheck.guard import Guard
from apps.linkcheck.models import LinkCheck, LinkClaim
from apps.linkcheck.signals import link_access_changed
from apps.linkcheck.verdicts import FAILING_VERDICTS
from apps.outbox.services import outbox_publish, outbox_put
from apps.roadmap.models import Resource
from apps.roadmap.services import roadmap_touch
from roadmap_site.errors import Invalid
from roadmap_site.limits import LINK_CHECK_ERROR, RESOURCE_URL

logger = logging.getLogger(__name__)

Health = Resource.Health


# ---------------------------------------------------------------------------------------------
# The health rules (pure)


@dataclass(frozen=True)
class HealthState:
    health: str
    consecutive_failures: int
    first_failure_at: datetime | None
    final_url: str


def health_after(
    *,
    health: str,
    consecutive_failures: int,
    first_failure_at: datetime | None,
    result: LinkResult,
    now: datetime,
    broken_after_checks: int,
    broken_after: timedelta,
) -> HealthState:
    """A resource's health after one more check."""
    verdict = Verdict(result.verdict)
    if verdict in FAILING_VERDICTS:
        failures = consecutive_failures + 1
        since = first_failure_at or now
        dead = failures >= broken_after_checks and now - since >= broken_after
        return HealthState(Health.BROKEN if dead else Health.FAILING, failures, since, "")
    if verdict == Verdict.BLOCKED:
        return HealthState(Health.BLOCKED, consecutive_failures, first_failure_at, "")
    if verdict == Verdict.REDIRECTED:
        final = result.final_url or ""
        return HealthState(
            Health.REDIRECTED, 0, None, final if RESOURCE_URL.check(final) is None else ""
        )
    return HealthState(Health.OK, 0, None, "")


Access = Resource.Access
ACCESS_OF = {
    Verdict.SIGNIN_REQUIRED: Access.SIGNIN_REQUIRED,
    Verdict.PAYWALLED: Access.PAYWALLED,
    Verdict.ARCHIVED: Access.ARCHIVED,
    Verdict.NEWER_VERSION: Access.NEWER_VERSION,
}
# Accesses that close a resource to some readers: a moderator is asked to look.
ACCESS_TO_REVIEW = frozenset({Access.SIGNIN_REQUIRED, Access.PAYWALLED})


@dataclass(frozen=True)
class AccessState:
    access: str
    seen_at: datetime | None

    def changed_from(self, access: str) -> bool:
        return self.access != access


def access_after(
    *, access: str, seen_at: datetime | None, verdict: str, now: datetime
) -> AccessState:
    """A resource's access label after one more check.

    A page verdict sets its label (dated the first check that saw it); a plain good answer
    (ok, redirected) clears it; a failure or a wall says nothing about access and keeps it.
    """
    new = ACCESS_OF.get(Verdict(verdict))
    if new is not None:
        return AccessState(new, seen_at if new == access and seen_at else now)
    if verdict in (Verdict.OK, Verdict.REDIRECTED):
        return AccessState(Access.OPEN, None)
    return AccessState(access, seen_at)


# ---------------------------------------------------------------------------------------------
# Claims


def host_of(url: str) -> str:
    """The host a URL's requests go to, as the checker's per-host limits see it."""
    try:
        parts = urlsplit(url)
        return (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return ""


def new_token() -> str:
    return uuid.uuid4().hex


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.LINKCHECK_LEASE_SECONDS)


def link_claims_take(*, resources: Iterable[Resource], token: str, now: datetime) -> list[int]:
    """Claim these resources for `token` where nobody holds a live claim; the ids claimed.

    The UPDATE's condition is the lock: of two callers at once, the second finds the rows
    already leased and claims none of them.
    """
    hosts = {resource.pk: host_of(resource.url) for resource in resources}
    if not hosts:
        return []
    LinkClaim.objects.bulk_create(
        [LinkClaim(resource_id=pk, host=host) for pk, host in hosts.items()],
        ignore_conflicts=True,
    )
    free = Q(leased_until__isnull=True) | Q(leased_until__lte=now)
    for host in set(hosts.values()):
        ids = [pk for pk, name in hosts.items() if name == host]
        LinkClaim.objects.filter(free, resource_id__in=ids).update(
            token=token, leased_until=_lease_end(now), host=host
        )
    return sorted(
        LinkClaim.objects.filter(resource_id__in=list(hosts), token=token).values_list(
            "resource_id", flat=True
        )
    )


def link_claims_release(*, resource_ids: Iterable[int], token: str) -> int:
    """Give up claims still held under `token` (the work did not start): due again at once."""
    return LinkClaim.objects.filter(resource_id__in=list(resource_ids), token=token).update(
        token="", leased_until=None
    )


# ---------------------------------------------------------------------------------------------
# Recording a check


@transaction.atomic
def link_check_record(
    *, resource_id: int, token: str, result: LinkResult, started: datetime
) -> LinkCheck | None:
    """Store one check and apply the health rules, if `token` still holds the claim.

    Returns None, writing nothing, when the claim went to someone else (our lease ran out),
    was already used up (a redelivered task), or the resource's URL changed meanwhile.
    """
    now = timezone.now()
    if not LinkClaim.objects.filter(resource_id=resource_id, token=token).update(
        token="", leased_until=None
    ):
        return None
    # A request made before this check began is answered by it.
    LinkClaim.objects.filter(resource_id=resource_id, requested_at__lte=started).update(
        requested_at=None
    )
    resource = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("roadmap")
        .filter(pk=resource_id)
    ).first()
    if resource is None or resource.url != result.url:
        return None
    check = LinkCheck.objects.create(
        resource=resource,
        checked_at=now,
        url=resource.url,
        verdict=str(result.verdict),
        status_code=result.status_code,
        final_url=(result.final_url or "")[: RESOURCE_URL.max],
        error=(result.error or "")[: LINK_CHECK_ERROR.max],
        elapsed_ms=max(0, result.elapsed_ms),
        attempts=max(1, result.attempts),
    )
    state = health_after(
        health=resource.health,
        consecutive_failures=resource.consecutive_failures,
        first_failure_at=resource.first_failure_at,
        result=result,
        now=now,
        broken_after_checks=settings.LINKCHECK_BROKEN_AFTER_CHECKS,
        broken_after=timedelta(hours=settings.LINKCHECK_BROKEN_AFTER_HOURS),
    )
    access = access_after(
        access=resource.access, seen_at=resource.access_seen_at, verdict=check.verdict, now=now
    )
    # update(), not save(): health is not a revision of the resource's content.
    Resource.objects.filter(pk=resource.pk).update(
        health=state.health,
        consecutive_failures=min(state.consecutive_failures, 32767),
        first_failure_at=state.first_failure_at,
        final_url=state.final_url,
        last_checked_at=now,
        access=access.access,
        access_seen_at=access.seen_at,
    )
    approved = resource.status == Resource.Status.APPROVED
    changed = state.health != resource.health or access.changed_from(resource.access)
    if changed and approved:
        roadmap_touch(roadmap=resource.roadmap, community=True)
    if approved and access.changed_from(resource.access) and access.access in ACCESS_TO_REVIEW:
        previous = resource.access
        resource.access, resource.access_seen_at = access.access, access.seen_at
        link_access_changed.send(
            sender=Resource,
            resource=resource,
            previous=previous,
            detail=check.error,
            seen_at=now,
        )
    return check


# ---------------------------------------------------------------------------------------------
# Running checks


@dataclass
class CheckRun:
    checked: list[LinkCheck]
    skipped: int  # claimed elsewhere meanwhile, or the URL changed


def link_checks_run(
    *,
    resource_ids: list[int],
    token: str,
    guard: Guard | None = None,
    config: CheckerConfig | None = None,
    on_result: Callable[[LinkResult], None] | None = None,
) -> CheckRun:
    """Check the resources that `token` holds a claim on, and record each verdict.

    Safe to run twice with the same arguments: the second run finds no claim left (or, after
    a crash mid-check, finds the claim still there and does the check the first run lost).
    """
    now = timezone.now()
    LinkClaim.objects.filter(resource_id__in=resource_ids, token=token).update(
        leased_until=_lease_end(now)
    )
    resources = list(
        Resource.objects.filter(pk__in=resource_ids, link_claim__token=token)
        .exclude(url="")
        .only("id", "url")
        .order_by("pk")
    )
    if not resources:
        return CheckRun(checked=[], skipped=0)
    results = check_urls(
        [resource.url for resource in resources],
        guard=guard or link_guard(),
        config=config or link_checker_config(),
        on_result=on_result,
    )
    run = CheckRun(checked=[], skipped=0)
    for resource, result in zip(resources, results, strict=True):
        check = link_check_record(resource_id=resource.pk, token=token, result=result, started=now)
        if check is None:
            run.skipped += 1
        else:
            run.checked.append(check)
    return run


# ---------------------------------------------------------------------------------------------
# Sweeps and "check now": claim, then hand the work to Celery after the commit


@dataclass(frozen=True)
class Batch:
    host: str
    token: str
    resource_ids: list[int]


def _publish_after_commit(batch: Batch) -> None:
    def publish() -> None:
        from apps.linkcheck.tasks import link_check_batch

        try:
            link_check_batch.delay(batch.resource_ids, batch.token)
        except (KombuError, OSError) as error:
            # The broker is down: no request may fail for it, and nothing is lost. Freed
            # claims make these resources due again, so the next sweep takes them. An expected
            # state, not a fault: one line with the reason, no traceback (rendering one took
            # seconds of the request's time).
            logger.warning(
                "link check batch not queued: the broker is unreachable",
                extra={"host": batch.host, "resources": batch.resource_ids, "error": str(error)},
            )
            link_claims_release(resource_ids=batch.resource_ids, token=batch.token)

    transaction.on_commit(publish)


def _claim_by_host(resources: list[Resource], now: datetime, per_host: int) -> list[Batch]:
    by_host: dict[str, list[Resource]] = {}
    for resource in resources:
        group = by_host.setdefault(host_of(resource.url), [])
        if len(group) < per_host:
            group.append(resource)
    batches = []
    for host, group in by_host.items():
        token = new_token()
        claimed = link_claims_take(resources=group, token=token, now=now)
        if claimed:
            batches.append(Batch(host=host, token=token, resource_ids=claimed))
    return batches


@transaction.atomic
def link_sweep_plan(*, now: datetime | None = None, limit: int | None = None) -> list[Batch]:
    """Claim the resources due for a check, most overdue first: one batch per host.

    A host that a batch is still working through is left for the next sweep, so one host is
    checked by one worker at a time and its politeness limits and Retry-After pauses hold.
    """
    now = now or timezone.now()
    busy = selectors.hosts_busy(now=now)
    due = selectors.resources_due(now=now, limit=limit or settings.LINKCHECK_SWEEP_LIMIT)
    waiting = [resource for resource in due if host_of(resource.url) not in busy]
    return _claim_by_host(waiting, now, settings.LINKCHECK_BATCH_SIZE)


def link_sweep() -> list[Batch]:
    """The scheduled sweep: claim what is due, and queue each batch once the claims commit."""
    with transaction.atomic():
        batches = link_sweep_plan()
        for batch in batches:
            _publish_after_commit(batch)
    if batches:
        logger.info(
            "link sweep queued %d resources on %d hosts",
            sum(len(batch.resource_ids) for batch in batches),
            len(batches),
        )
    return batches


def _broker_configured() -> bool:
    """Whether the Celery app the batch task belongs to sends tasks to a broker (rather than
    running them eagerly, the embedded default). Asked of the task, not of the project's app
    module: services do not import roadmap_site.celery."""
    from apps.linkcheck.tasks import link_check_batch

    return not link_check_batch.app.conf.task_always_eager


class CheckNow(enum.Enum):
    """What became of a moderator's "check now"."""

    QUEUED = "queued"  # published: a worker has it
    WAITING = "waiting"  # written down; published once the task queue answers again
    NEXT_SWEEP = "next_sweep"  # no task queue (eager), or a check is running: the sweep does it

    @property
    def detail(self) -> str:
        return {
            CheckNow.QUEUED: "A worker will check the link in a moment.",
            CheckNow.WAITING: "The task queue is not answering: the check is kept and will run "
            "when the queue is back.",
            CheckNow.NEXT_SWEEP: "The check is requested: the next sweep does it.",
        }[self]


def link_check_request(*, resource: Resource) -> CheckNow:
    """A moderator's "check now": says honestly whether a worker has the check.

    The request is written down first (`requested_at`), so it is never lost: with no broker
    (the embedded default: nothing fetches by itself) `check_links --due` does it; with a check
    of this resource already running, that check or the next sweep answers it. With a broker,
    the batch goes to the outbox in the same transaction as the claim and is published right
    after the commit; if the broker is down or hangs, the outbox's beat job publishes it later.
    """
    if not resource.url:
        raise Invalid("This resource has no link to check.", field="url", code="no_link")
    with transaction.atomic():
        message_id = _check_request_record(resource=resource)
    if message_id is None:
        return CheckNow.NEXT_SWEEP
    return CheckNow.QUEUED if outbox_publish(ids=[message_id]) else CheckNow.WAITING


def _check_request_record(*, resource: Resource) -> int | None:
    now = timezone.now()
    host = host_of(resource.url)
    LinkClaim.objects.get_or_create(resource_id=resource.pk, defaults={"host": host})
    LinkClaim.objects.filter(resource_id=resource.pk, requested_at__isnull=True).update(
        requested_at=now
    )
    if not _broker_configured():
        return None
    token = new_token()
    if not link_claims_take(resources=[resource], token=token, now=now):
        return None
    message = outbox_put(
        task="apps.linkcheck.tasks.link_check_batch",
        args=[[resource.pk], token],
        publish_after_commit=False,
    )
    return message.pk


def link_claims_for_command(
    *, resources: Iterable[Resource], now: datetime
) -> tuple[str, list[int]]:
    """Claim resources for an in-process run (`check_links`): one token for all of them."""
    token = new_token()
    with transaction.atomic():
        claimed = link_claims_take(resources=list(resources), token=token, now=now)
    return token, claimed
