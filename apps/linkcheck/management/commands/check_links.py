"""Check resources' links in this process and record the verdicts: what the Celery sweep does,
for a site with no broker (the embedded default, where nothing checks links by itself).

    manage.py check_links --due            the resources a sweep would take now
    manage.py check_links --all            every approved resource with a link
    manage.py check_links --resource 12    one resource, whatever its state
    manage.py check_links --due --dry-run  list them, check nothing

A resource a worker is checking right now (a live claim) is left to it. The SSRF guard follows
LINKCHECK_ALLOW_PRIVATE and LINKCHECK_ALLOW_HOSTS, as `check_urls` does.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.linkcheck import selectors, services
from apps.linkcheck.cli import by_verdict
from apps.roadmap.models import Resource
from roadmap_site.cli import ProgressBar


class Command(BaseCommand):
    help = "Check resources' links now, in this process, and record each verdict."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--due", action="store_true", help="the resources due for a check")
        which.add_argument("--all", action="store_true", help="every approved resource")
        which.add_argument("--resource", type=int, metavar="ID", help="one resource, by id")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be checked; check nothing"
        )

    def handle(
        self, *args, due: bool, all: bool, resource: int | None, dry_run: bool, **options
    ) -> None:
        verbosity = options.get("verbosity", 1)
        now = timezone.now()
        if resource is not None:
            found = Resource.objects.filter(pk=resource).exclude(url="").only("id", "url")
            resources = list(found)
            if not resources:
                raise CommandError(f"No resource with a link has the id {resource}.")
        elif due:
            resources = list(selectors.resources_due(now=now, limit=settings.LINKCHECK_SWEEP_LIMIT))
        else:
            resources = list(
                Resource.objects.approved().exclude(url="").only("id", "url").order_by("pk")
            )
        if dry_run:
            for item in resources:
                self.stdout.write(f"{item.pk:>6}  {item.url}")
            self.stdout.write(f"{len(resources)} resources would be checked.")
            return

        token, claimed = services.link_claims_for_command(resources=resources, now=now)
        busy = len(resources) - len(claimed)
        if resource is not None and not claimed:
            raise CommandError(f"Resource {resource} is being checked by a worker right now.")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        progress = ProgressBar.on_terminal(len(claimed), sys.stderr, verbosity)
        try:
            run = services.link_checks_run(
                resource_ids=claimed, token=token, on_result=by_verdict(progress)
            )
        finally:
            # Whatever was claimed and not recorded (an interrupted run) is due again at once.
            services.link_claims_release(resource_ids=claimed, token=token)
            if progress is not None:
                progress.close()
        verdicts = Counter(check.verdict for check in run.checked)
        summary = ", ".join(f"{count} {name}" for name, count in sorted(verdicts.items()))
        self.stdout.write(f"{len(run.checked)} links checked: {summary or 'none'}.")
        if busy or run.skipped:
            self.stdout.write(
                f"{busy + run.skipped} left alone: a worker was checking them, or they changed."
            )
        if verbosity > 1:
            for check in run.checked:
                status = check.status_code or "-"
                self.stdout.write(f"{check.verdict:<10} {status!s:>3}  {check.url}")
