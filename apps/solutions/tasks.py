"""Solution tasks. Thin: each calls one service; each is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from apps.solutions import services


@shared_task(
    name="apps.solutions.tasks.solution_evidence_check", acks_late=True, ignore_result=True
)
def solution_evidence_check(solution_id: int) -> bool:
    """Read one solution's repository (file list and README; nothing is run) and record it."""
    return services.evidence_check(solution_id=solution_id) is not None


@shared_task(name="apps.solutions.tasks.solution_evidence_sweep", ignore_result=True)
def solution_evidence_sweep() -> int:
    """Daily (Celery beat): re-read the repositories not read for a week."""
    return len(services.evidence_sweep())


@shared_task(name="apps.solutions.tasks.solution_demo_sweep", ignore_result=True)
def solution_demo_sweep() -> int:
    """With the link sweep (Celery beat): hide demos past their fix-by date, queue due checks."""
    return len(services.demo_sweep())


@shared_task(name="apps.solutions.tasks.solution_demo_check", acks_late=True, ignore_result=True)
def solution_demo_check(solution_ids: list[int]) -> int:
    """Check the claimed demo URLs with the link checker and record each verdict."""
    return services.demo_checks_run(solution_ids=solution_ids)


@shared_task(name="apps.solutions.tasks.solution_demo_warning_send", ignore_result=True)
def solution_demo_warning_send(solution_id: int) -> bool:
    """Tell the owner their demo failed twice in a row, and by when to fix it."""
    return services.demo_warning_send(solution_id=solution_id)
