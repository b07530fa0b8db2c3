"""Solution writes: submit, edit, withdraw, link a requirement, record evidence and demo health.

One use case per function; refusals are roadmap_site.errors (see docs/architecture.md). A
learner's writes lock the learner's row first, so two first submissions queue instead of racing
to insert (the partial unique constraint is the last word either way).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import public_name
from apps.community.services import url_errors
from apps.linkcheck.checker import LinkResult, Verdict, check_urls
from apps.linkcheck.config import link_checker_config, link_guard
from apps.outbox.services import outbox_put
from apps.roadmap.models import Project, Topic
from apps.search.services import index_solution, index_solutions_forget
from apps.solutions import forge
from apps.solutions.evidence import findings
from apps.solutions.models import Evidence, RequirementLink, Solution
from apps.solutions.repository import RepositoryURLProblem, read_repository_url
from apps.solutions.requirements import requirements_of
from roadmap_site.errors import Conflict, Invalid, NotAllowed, NotFound, Stale
from roadmap_site.limits import (
    DEMO_FAILURES_TO_WARN,
    DEMO_FIX_DAYS,
    EVIDENCE_DETAIL,
    REQUIREMENT_LINK,
    REQUIREMENT_NOTE,
    SOLUTION_TOPICS,
    SOLUTION_URL,
    SOLUTION_VERSION,
    SOLUTION_WRITE_UP,
)

logger = logging.getLogger(__name__)

EVIDENCE_TASK = "apps.solutions.tasks.solution_evidence_check"
DEMO_TASK = "apps.solutions.tasks.solution_demo_check"
DEMO_WARNING_TASK = "apps.solutions.tasks.solution_demo_warning_send"
EVIDENCE_REFRESH = timedelta(days=7)  # the schedule re-reads a repository this often
DEMO_LEASE = timedelta(minutes=30)  # a claimed demo is not claimed again for this long


@dataclass(frozen=True)
class SolutionInput:
    repository_url: str
    demo_url: str | None
    write_up_md: str
    topics: list[str]  # topic slugs of the project's roadmap


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise Invalid(errors)


def _clean(*, project: Project, data: SolutionInput) -> tuple[Any, str | None, list[Topic]]:
    """Every problem with the input, by field; or the repository, demo URL and topics."""
    errors: dict[str, list[str]] = {}
    ref = None
    repository_url = data.repository_url.strip()
    if repository_url and (too_long := SOLUTION_URL.check(repository_url)):
        errors["repository_url"] = [too_long]
    else:
        try:
            ref = read_repository_url(repository_url)
        except RepositoryURLProblem as refused:
            errors["repository_url"] = [str(refused)]
    demo_url = (data.demo_url or "").strip() or None
    if demo_url is not None and (problems := url_errors(demo_url)):
        errors["demo_url"] = problems
    if problem := SOLUTION_WRITE_UP.check(data.write_up_md):
        errors["write_up_md"] = [problem]
    topics: list[Topic] = []
    slugs = list(dict.fromkeys(data.topics))
    if problem := SOLUTION_TOPICS.check(len(slugs)):
        errors["topics"] = [problem]
    elif slugs:
        found = {
            t.slug: t
            for t in Topic.objects.active().filter(roadmap_id=project.roadmap_id, slug__in=slugs)
        }
        unknown = [s for s in slugs if s not in found]
        if unknown:
            shown = ", ".join(s[:60] for s in unknown[:5])
            errors["topics"] = [f"Choose topics of this roadmap; not one: {shown}."]
        topics = [found[s] for s in slugs if s in found]
    _raise_if(errors)
    return ref, demo_url, topics


def _lock_learner(learner: User) -> None:
    User.objects.select_for_update().filter(pk=learner.pk).first()


def _evidence_enqueue(solution: Solution) -> None:
    outbox_put(task=EVIDENCE_TASK, args=[solution.pk])


def _existing(learner: User, project: Project) -> Solution | None:
    return Solution.objects.filter(
        learner=learner, project=project, state=Solution.State.ACTIVE
    ).first()


def _one_active(existing: Solution) -> Conflict:
    return Conflict(
        "You already have a solution to this project; edit it instead.",
        code="solution_exists",
        existing={"id": existing.pk, "version": existing.version},
    )


@transaction.atomic
def solution_submit(*, learner: User, project: Project, data: SolutionInput) -> Solution:
    """A learner's solution to a project: one active per learner and project (409 otherwise).
    The repository's evidence is read by a task, after the commit."""
    if project.retired_at is not None:
        raise NotFound("This project is no longer on the roadmap.")
    ref, demo_url, topics = _clean(project=project, data=data)
    _lock_learner(learner)
    if existing := _existing(learner, project):
        raise _one_active(existing)
    now = timezone.now()
    solution = Solution(
        learner=learner,
        project=project,
        repository_url=ref.url,
        forge=ref.forge,
        repository_path=ref.path,
        demo_url=demo_url,
        write_up_md=data.write_up_md,
        created_at=now,
        updated_at=now,
        demo_next_check_at=now,
    )
    try:
        with transaction.atomic():
            solution.save()
    except IntegrityError:  # a twin insert that did not lock (the constraint holds anyway)
        raise Conflict(
            "You already have a solution to this project; edit it instead.",
            code="solution_exists",
        ) from None
    solution.topics.set(topics)
    index_solution(solution)
    _evidence_enqueue(solution)
    return solution


def solution_state(solution: Solution) -> dict[str, Any]:
    """What a stale edit answers with: the stored solution, so nothing typed is lost."""
    return {
        "current": {
            "version": solution.version,
            "repository_url": solution.repository_url,
            "demo_url": solution.demo_url,
            "write_up_md": solution.write_up_md,
            "topics": sorted(solution.topics.values_list("slug", flat=True)),
        }
    }


def _own(solution: Solution, learner: User) -> Solution:
    """The learner's own active solution, locked; anyone else's is refused."""
    locked = Solution.objects.select_for_update().filter(pk=solution.pk).first()
    if locked is None or locked.state != Solution.State.ACTIVE:
        raise NotFound("No solution has this id.")
    if locked.learner_id != learner.pk:
        raise NotAllowed("Only the solution's author can change it.")
    return locked


@transaction.atomic
def solution_edit(
    *, solution: Solution, learner: User, data: SolutionInput, if_version: int
) -> Solution:
    """Edit a solution. A stale `if_version` is refused (`Stale`, with the stored solution) and
    nothing is written. A new repository URL re-reads the evidence; a new demo URL clears
    the demo's fix-by date and failures (it is checked afresh)."""
    if problem := SOLUTION_VERSION.check(if_version):
        raise Invalid({"version": [problem]})
    ref, demo_url, topics = _clean(project=solution.project, data=data)
    _lock_learner(learner)
    row = _own(solution, learner)
    if row.version != if_version:
        raise Stale(
            "This solution was changed elsewhere since you opened it; nothing was written. "
            "Your text is kept below.",
            **solution_state(row),
        )
    now = timezone.now()
    repository_changed = ref.url != row.repository_url
    row.repository_url, row.forge, row.repository_path = ref.url, ref.forge, ref.path
    if demo_url != row.demo_url:
        row.demo_url = demo_url
        _demo_reset(row, now)
    row.write_up_md = data.write_up_md
    row.version += 1
    row.updated_at = now
    if repository_changed:
        row.evidence_status = Solution.EvidenceStatus.PENDING
    row.save()
    row.topics.set(topics)
    index_solution(row)
    _evidence_enqueue(row)  # an edit re-reads the repository, changed or not
    return row


def _demo_reset(row: Solution, now: datetime) -> None:
    row.demo_failures = 0
    row.demo_ok = None
    row.demo_error = ""
    row.demo_fix_by = None
    row.demo_checked_at = None
    row.demo_next_check_at = now
    if row.visibility == Solution.Visibility.HIDDEN_DEMO:
        row.visibility = Solution.Visibility.PUBLIC


@transaction.atomic
def solution_withdraw(*, solution: Solution, learner: User, if_version: int) -> Solution:
    """Take a solution down (kept, not deleted); the learner may then submit a new one."""
    _lock_learner(learner)
    row = _own(solution, learner)
    if row.version != if_version:
        raise Stale(
            "This solution was changed elsewhere since you opened it.", **solution_state(row)
        )
    row.state = Solution.State.WITHDRAWN
    row.version += 1
    row.updated_at = timezone.now()
    row.save(update_fields=["state", "version", "updated_at"])
    index_solution(row)
    return row


@transaction.atomic
def requirement_link_put(
    *,
    solution: Solution,
    learner: User,
    requirement_key: str,
    target: str,
    evidence_kind: str,
    note: str,
) -> RequirementLink | None:
    """Link one requirement of the project's checklist to a URL or repository path, or to an
    evidence item; with neither, the link is removed (None)."""
    row = _own(solution, learner)
    requirements = {r.key: r for r in requirements_of(row.project.description_md)}
    errors: dict[str, list[str]] = {}
    requirement = requirements.get(requirement_key)
    if requirement is None:
        errors["requirement"] = ["Choose a requirement of this project's checklist."]
    target = target.strip()
    if problem := REQUIREMENT_LINK.check(target):
        errors["target"] = [problem]
    elif target and (problem_text := _target_problem(target)):
        errors["target"] = [problem_text]
    if problem := REQUIREMENT_NOTE.check(note):
        errors["note"] = [problem]
    evidence = None
    if evidence_kind:
        if evidence_kind not in Evidence.Kind.values:
            errors["evidence"] = [
                "Choose an evidence item: " + ", ".join(Evidence.Kind.values) + "."
            ]
        else:
            evidence = Evidence.objects.filter(solution=row, kind=evidence_kind).first()
            if evidence is None:
                errors["evidence"] = ["That evidence item has not been checked yet."]
    _raise_if(errors)
    assert requirement is not None
    if not target and evidence is None:
        RequirementLink.objects.filter(solution=row, requirement_key=requirement.key).delete()
        return None
    link, _ = RequirementLink.objects.update_or_create(
        solution=row,
        requirement_key=requirement.key,
        defaults={
            "requirement_text": requirement.text[: REQUIREMENT_NOTE.max],
            "target": target,
            "evidence": evidence,
            "note": note,
            "updated_at": timezone.now(),
        },
    )
    return link


def _target_problem(target: str) -> str | None:
    """A link is an http(s) URL or a relative path in the repository."""
    if "://" in target:
        problems = url_errors(target)
        return problems[0] if problems else None
    if any((ch.isspace() and ch != " ") or ord(ch) < 32 for ch in target):
        return "A path must not contain tabs, line breaks or control characters."
    if target.startswith("/") or ".." in target.split("/"):
        return "Give a path inside the repository, like src/app.py (no leading / or ..)."
    return None


# -- Evidence (the Celery task's body)


def _forges() -> forge.Forges:
    return forge.Forges(
        github=forge.GitHubAdapter(
            api_url=settings.SOLUTIONS_GITHUB_API_URL, raw_url=settings.SOLUTIONS_GITHUB_RAW_URL
        ),
        gitlab=forge.GitLabAdapter(base_url=settings.SOLUTIONS_GITLAB_URL),
    )


def evidence_check(*, solution_id: int) -> Solution | None:
    """Read the repository (no lock held while fetching) and record what it shows. A solution
    edited to another repository meanwhile records nothing: its own run follows."""
    solution = Solution.objects.filter(pk=solution_id, state=Solution.State.ACTIVE).first()
    if solution is None:
        return None
    ref = read_repository_url(solution.repository_url)
    snapshot: forge.Snapshot | None = None
    error = ""
    try:
        snapshot = forge.read_repository(
            ref, forges=_forges(), guard=link_guard(), config=link_checker_config()
        )
    except forge.ForgeError as exc:
        error = str(exc)[: EVIDENCE_DETAIL.max]
    return evidence_record(
        solution_id=solution_id,
        repository_url=solution.repository_url,
        snapshot=snapshot,
        error=error,
    )


@transaction.atomic
def evidence_record(
    *, solution_id: int, repository_url: str, snapshot: forge.Snapshot | None, error: str = ""
) -> Solution | None:
    row = Solution.objects.select_for_update().filter(pk=solution_id).first()
    if row is None or row.repository_url != repository_url:
        return None
    now = timezone.now()
    row.evidence_checked_at = now
    if snapshot is None:
        # The last evidence stays: a forge that is down says nothing about the repository.
        row.evidence_status = Solution.EvidenceStatus.FAILED
        row.evidence_error = error
        row.save(update_fields=["evidence_checked_at", "evidence_status", "evidence_error"])
        return row
    row.evidence_status = Solution.EvidenceStatus.CHECKED
    row.evidence_error = (
        "The repository is large; only part of its file list was read."
        if snapshot.truncated
        else ""
    )
    row.save(update_fields=["evidence_checked_at", "evidence_status", "evidence_error"])
    for finding in findings(snapshot.files, snapshot.readme):
        Evidence.objects.update_or_create(
            solution=row,
            kind=finding.kind,
            defaults={
                "present": finding.present,
                "path": finding.path[: REQUIREMENT_LINK.max],
                "detail": finding.detail[: EVIDENCE_DETAIL.max],
                "checked_at": now,
            },
        )
    return row


def evidence_sweep(*, now: datetime | None = None) -> list[int]:
    """On the schedule: queue an evidence run for every active solution not read for
    EVIDENCE_REFRESH (or never read)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Solution.objects.filter(state=Solution.State.ACTIVE)
            .exclude(evidence_checked_at__gte=now - EVIDENCE_REFRESH)
            .order_by("evidence_checked_at", "id")
            .values_list("pk", flat=True)[: settings.LINKCHECK_SWEEP_LIMIT]
        )
        for pk in due:
            outbox_put(task=EVIDENCE_TASK, args=[pk])
    return due


# -- Demo health (on the link-health schedule)


def demo_sweep(*, now: datetime | None = None) -> list[int]:
    """Hide what stayed down past its fix-by date, then claim the demos due for a check and
    queue one task for them. Returns the claimed ids."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        overdue = Solution.objects.filter(
            visibility=Solution.Visibility.PUBLIC, demo_ok=False, demo_fix_by__lt=today
        )
        index_solutions_forget(overdue)
        overdue.update(visibility=Solution.Visibility.HIDDEN_DEMO)
        due = list(
            Solution.objects.select_for_update(skip_locked=True)
            .filter(
                state=Solution.State.ACTIVE,
                demo_url__isnull=False,
                demo_next_check_at__lte=now,
            )
            .order_by("demo_next_check_at", "id")
            .values_list("pk", flat=True)[: settings.LINKCHECK_BATCH_SIZE]
        )
        if due:
            Solution.objects.filter(pk__in=due).update(demo_next_check_at=now + DEMO_LEASE)
            outbox_put(task=DEMO_TASK, args=[due])
    return due


def demo_checks_run(*, solution_ids: list[int]) -> int:
    """Check the claimed demos with the link checker and record each verdict."""
    rows: list[tuple[int, str]] = [
        (pk, url)
        for pk, url in Solution.objects.filter(
            pk__in=solution_ids, demo_url__isnull=False
        ).values_list("pk", "demo_url")
        if url is not None
    ]
    if not rows:
        return 0
    results = check_urls([url for _, url in rows], guard=link_guard(), config=link_checker_config())
    for (pk, url), result in zip(rows, results, strict=True):
        demo_result_record(solution_id=pk, demo_url=url, result=result)
    return len(rows)


def _demo_up(result: LinkResult) -> bool | None:
    """Up, down, or unknown (a bot wall says nothing about the demo)."""
    if result.verdict in (Verdict.OK, Verdict.REDIRECTED):
        return True
    if result.verdict == Verdict.BLOCKED:
        return None
    return False


@transaction.atomic
def demo_result_record(
    *, solution_id: int, demo_url: str, result: LinkResult, now: datetime | None = None
) -> Solution | None:
    """One demo check. DEMO_FAILURES_TO_WARN failures in a row set a fix-by date DEMO_FIX_DAYS
    out and email the owner (once); a passing check clears it all and shows the solution
    again; a failure after the fix-by date hides it. A URL changed meanwhile records nothing."""
    now = now or timezone.now()
    row = Solution.objects.select_for_update().filter(pk=solution_id).first()
    if row is None or row.demo_url != demo_url:
        return None
    up = _demo_up(result)
    row.demo_checked_at = now
    hours = settings.LINKCHECK_INTERVAL_HOURS
    if up is True:
        row.demo_ok, row.demo_failures, row.demo_error, row.demo_fix_by = True, 0, "", None
        if row.visibility == Solution.Visibility.HIDDEN_DEMO:
            row.visibility = Solution.Visibility.PUBLIC
    elif up is False:
        row.demo_ok = False
        row.demo_failures = min(row.demo_failures + 1, 32_767)
        row.demo_error = (result.error or f"HTTP {result.status_code}")[: EVIDENCE_DETAIL.max]
        hours = settings.LINKCHECK_FAILING_INTERVAL_HOURS
        today = timezone.localdate(now)
        if row.demo_fix_by is None and row.demo_failures >= DEMO_FAILURES_TO_WARN:
            row.demo_fix_by = today + timedelta(days=DEMO_FIX_DAYS)
            outbox_put(task=DEMO_WARNING_TASK, args=[solution_id])
        elif row.demo_fix_by is not None and today > row.demo_fix_by:
            row.visibility = (
                Solution.Visibility.HIDDEN_DEMO
                if row.visibility == Solution.Visibility.PUBLIC
                else row.visibility
            )
    else:
        hours = settings.LINKCHECK_FAILING_INTERVAL_HOURS
    row.demo_next_check_at = now + timedelta(hours=hours)
    row.save()
    index_solution(row)  # hidden after its fix-by date, or shown again
    return row


def demo_warning_send(*, solution_id: int) -> bool:
    """Email the owner that their demo is down, with its fix-by date."""
    row = Solution.objects.select_related("learner", "project").filter(pk=solution_id).first()
    if row is None or row.demo_fix_by is None or not row.learner.email or not row.learner.is_active:
        return False
    context = {
        "site_name": settings.SITE_NAME,
        "user_name": public_name(row.learner),
        "solution": row,
        "project": row.project,
        "fix_by": row.demo_fix_by,
        "solution_url": settings.SITE_URL + reverse("solutions:detail", args=[row.pk]),
    }
    subject = " ".join(render_to_string("solutions/email/demo_down_subject.txt", context).split())
    body = render_to_string("solutions/email/demo_down.txt", context)
    send_mail(subject, body, None, [row.learner.email])
    return True
