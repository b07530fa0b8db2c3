"""Link health records: every check of a resource's link, and who holds a resource's check."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from apps.linkcheck import verdicts
from apps.roadmap.models import Resource
from roadmap_site.limits import LINK_CHECK_ERROR, RESOURCE_URL


class LinkCheck(models.Model):
    """One check of one resource's link: append-only history (moderators read it)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="link_checks")
    checked_at = models.DateTimeField(default=timezone.now)
    url = models.URLField(max_length=RESOURCE_URL.max, help_text="The URL as it was when checked.")
    verdict = models.CharField(max_length=16, choices=verdicts.CHOICES)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=RESOURCE_URL.max, blank=True)
    error = models.CharField(max_length=LINK_CHECK_ERROR.max, blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["resource", "-checked_at"], name="linkcheck_resource_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.url} {self.verdict} at {self.checked_at:%Y-%m-%d %H:%M}"


class LinkClaim(models.Model):
    """Who may check a resource's link right now: the holder of `token`, until `leased_until`.

    Claimed by a conditional UPDATE (free, or lease run out), so two sweeps or two workers
    never check one resource at once, and a crashed worker's claim simply expires. `host` lets
    a sweep leave alone a host that a batch is still working through. `requested_at` is a
    moderator's "check now" that has not been done yet: the sweep treats it as due, so a
    request whose task never reached the broker is not lost.
    """

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="link_claim"
    )
    host = models.CharField(max_length=300, blank=True)
    token = models.CharField(max_length=64, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["leased_until", "host"], name="linkclaim_lease_host")]

    def __str__(self) -> str:
        return f"claim on resource {self.resource_id} until {self.leased_until}"
