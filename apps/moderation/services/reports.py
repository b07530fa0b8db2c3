"""Reports: a moderator closes one, with a public note."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.community.models import Report
from apps.moderation.models import ModerationAction
from apps.moderation.services.audit import Decision, audited_write, joined, reason_clean
from roadmap_site.errors import Conflict


@transaction.atomic
def report_resolve(*, actor: User, report: Report, note: str = "") -> Report:
    """Close a report. The moderator's note is public; the reporter's own note never is."""
    note = reason_clean(note, field="note")
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("resource__roadmap")
        .get(pk=report.pk)
    )
    if report.resolved_at is not None:
        raise Conflict(
            "This report was already resolved.",
            code="already_resolved",
            resolved_at=report.resolved_at.isoformat(),
        )
    audited_write(
        actor=actor,
        decisions=[
            Decision(
                target=report,
                action=ModerationAction.Action.RESOLVE_REPORT,
                changes={
                    "resolved_by": actor,
                    "resolved_at": timezone.now(),
                    "resolution_note": note,
                },
                reason=joined(f"Report: {report.get_reason_display().lower()}.", note),
            )
        ],
        public=False,  # a report is no content: nothing public changed
    )
    return report
