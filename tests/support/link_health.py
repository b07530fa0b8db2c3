"""Link health as its tests drive it: record a check of a resource at the current (frozen)
time, under a claim, the way a worker does."""

from __future__ import annotations

from django.utils import timezone

from apps.linkcheck import services
from apps.linkcheck.checker import LinkResult, Verdict
from apps.linkcheck.models import LinkCheck
from apps.roadmap.models import Resource, Roadmap


def result(url: str, verdict: Verdict, status: int | None = None, **extra) -> LinkResult:
    return LinkResult(
        url=url,
        verdict=verdict,
        status_code=status,
        final_url=extra.pop("final_url", url),
        elapsed_ms=extra.pop("elapsed_ms", 12),
        attempts=extra.pop("attempts", 1),
        error=extra.pop("error", None),
    )


def record(item: Resource, verdict: Verdict, status: int | None = None, **extra) -> LinkCheck:
    """Claim, then record one check at the current (frozen) time."""
    token = services.new_token()
    now = timezone.now()
    assert services.link_claims_take(resources=[item], token=token, now=now) == [item.pk]
    check = services.link_check_record(
        resource_id=item.pk,
        token=token,
        result=result(item.url, verdict, status, **extra),
        started=now,
    )
    item.refresh_from_db()
    return check


def version(roadmap: Roadmap) -> int:
    roadmap.refresh_from_db()
    return roadmap.content_version
