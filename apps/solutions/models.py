"""A learner's solution to one of the roadmap's projects, what its repository shows (evidence)
and how the learner meets each of the project's requirements (requirement links).

Nothing here runs a repository's code: evidence is read from the forge's pages and raw files.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.roadmap.models import Project, Topic
from roadmap_site.limits import (
    EVIDENCE_DETAIL,
    REQUIREMENT_LINK,
    REQUIREMENT_NOTE,
    SOLUTION_URL,
)


class Solution(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        HIDDEN_DEMO = "hidden_demo", "Hidden: the demo stayed down past its fix-by date"
        HIDDEN_MODERATION = "hidden_moderation", "Hidden by a moderator"

    class Forge(models.TextChoices):
        GITHUB = "github", "GitHub"
        GITLAB = "gitlab", "GitLab"

    class EvidenceStatus(models.TextChoices):
        PENDING = "pending", "Waiting for a check"
        CHECKED = "checked", "Checked"
        FAILED = "failed", "The repository could not be read"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solutions"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="solutions")
    repository_url = models.URLField(max_length=SOLUTION_URL.max)
    forge = models.CharField(max_length=16, choices=Forge.choices)
    # The repository as the forge names it: "owner/name" (GitHub), "group/sub/name" (GitLab).
    repository_path = models.CharField(max_length=SOLUTION_URL.max)
    # NULL is "no demo" (the fix-by constraint reads it), never an empty string.
    demo_url = models.URLField(  # noqa: DJ001
        max_length=SOLUTION_URL.max, null=True, blank=True
    )
    write_up_md = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="solutions")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    visibility = models.CharField(
        max_length=24, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Demo health: consecutive failed checks, the last check, and the fix-by date set after
    # DEMO_FAILURES_TO_WARN failures in a row (cleared by a passing check or a new demo URL).
    demo_failures = models.PositiveSmallIntegerField(default=0)
    demo_checked_at = models.DateTimeField(null=True, blank=True)
    demo_ok = models.BooleanField(null=True, blank=True)
    demo_error = models.CharField(max_length=EVIDENCE_DETAIL.max, blank=True)
    demo_fix_by = models.DateField(null=True, blank=True)
    demo_next_check_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The last evidence run.
    evidence_status = models.CharField(
        max_length=16, choices=EvidenceStatus.choices, default=EvidenceStatus.PENDING
    )
    evidence_checked_at = models.DateTimeField(null=True, blank=True)
    evidence_error = models.CharField(max_length=EVIDENCE_DETAIL.max, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every edit: the ETag.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "project"],
                condition=Q(state="active"),
                name="solution_one_active_per_learner_and_project",
            ),
            models.CheckConstraint(
                condition=Q(demo_fix_by__isnull=True) | Q(demo_url__isnull=False),
                name="solution_fix_by_only_with_demo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.project}"

    @property
    def is_visible(self) -> bool:
        return self.state == self.State.ACTIVE and self.visibility == self.Visibility.PUBLIC


class Evidence(models.Model):
    """One thing the repository was checked for, as of the last evidence run."""

    class Kind(models.TextChoices):
        README_SETUP = "readme_setup", "README with setup steps"
        README_RESULTS = "readme_results", "README with results"
        TESTS = "tests", "Tests"
        CONTAINER = "container", "Container file"
        CI = "ci", "CI workflow"
        LICENCE = "licence", "Licence"

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    present = models.BooleanField(default=False)
    # Where it was found: a path in the repository ("Dockerfile", ".github/workflows/ci.yml")
    # or the README's heading.
    path = models.CharField(max_length=REQUIREMENT_LINK.max, blank=True)
    detail = models.CharField(max_length=EVIDENCE_DETAIL.max, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["solution", "kind"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(fields=["solution", "kind"], name="evidence_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'yes' if self.present else 'no'}"


class RequirementLink(models.Model):
    """How a solution meets one requirement of its project's checklist.

    The requirements are read from the project's imported description
    (`apps.solutions.requirements`); `requirement_key` is the requirement's stable key and
    `requirement_text` its wording when linked, so a link outlives a reworded roadmap.
    """

    solution = models.ForeignKey(
        Solution, on_delete=models.CASCADE, related_name="requirement_links"
    )
    requirement_key = models.SlugField(max_length=120)
    requirement_text = models.CharField(max_length=REQUIREMENT_NOTE.max)
    evidence = models.ForeignKey(
        Evidence, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    # A URL (to a file, a line, a page of the demo) or a path in the repository.
    target = models.CharField(max_length=REQUIREMENT_LINK.max, blank=True)
    note = models.CharField(max_length=REQUIREMENT_NOTE.max, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["solution", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "requirement_key"], name="requirement_link_once_per_solution"
            ),
            models.CheckConstraint(
                condition=~Q(target="") | Q(evidence__isnull=False),
                name="requirement_link_points_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_text}: {self.target or self.evidence}"
