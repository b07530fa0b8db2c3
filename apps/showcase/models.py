"""Likes, reviews, the review queue and flags on project solutions (apps.solutions)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from roadmap_site.limits import FLAG_NOTE, REVIEW_BODY, REVIEW_REPLY


class Tally(models.Model):
    """A solution's like count and ranking score (rules.like_score), moved in the same
    transaction as the Like row; the showcase orders on `score`."""

    solution = models.OneToOneField(
        "solutions.Solution", on_delete=models.CASCADE, primary_key=True, related_name="tally"
    )
    likes = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0.0, score__lte=1.0), name="tally_score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.likes} likes"


class Like(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solution_likes"
    )
    solution = models.ForeignKey(
        "solutions.Solution", on_delete=models.CASCADE, related_name="likes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "solution"], name="like_once_per_solution"),
        ]

    def __str__(self) -> str:
        return f"{self.user} likes {self.solution_id}"


class Review(models.Model):
    """A learner's review of another learner's solution of the same project; the author may
    reply once (and edit the reply). Never anonymous: the reviewer is shown by name. A
    moderator removes one by setting `removed_at` (the text stays for the record)."""

    solution = models.ForeignKey(
        "solutions.Solution", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solution_reviews"
    )
    body_md = models.TextField(max_length=REVIEW_BODY.max)
    reply_md = models.TextField(max_length=REVIEW_REPLY.max, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    replied_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["solution", "reviewer"],
                condition=Q(removed_at__isnull=True),
                name="review_one_kept_per_reviewer",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.solution_id} by {self.reviewer_id}"


class ReviewRequest(models.Model):
    """A solution waiting in the review queue; closed by its next review (or withdrawn)."""

    solution = models.ForeignKey(
        "solutions.Solution", on_delete=models.CASCADE, related_name="review_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["solution"],
                condition=Q(closed_at__isnull=True),
                name="review_request_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Review asked for {self.solution_id}"


class Flag(models.Model):
    """A flag on a solution or on a review, for the moderators."""

    class Reason(models.TextChoices):
        BROKEN = "broken", "Broken (the repository or demo does not work)"
        INSECURE = "insecure", "Insecure"
        SPAM = "spam", "Spam"
        PLAGIARISM = "plagiarism", "Plagiarism"
        OTHER = "other", "Something else (say what)"

    solution = models.ForeignKey(
        "solutions.Solution", on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="solution_flags",
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(max_length=FLAG_NOTE.max, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resolved_solution_flags",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, blank=True)  # "dismissed", "hidden", "removed"

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(solution__isnull=False, review__isnull=True)
                | Q(solution__isnull=True, review__isnull=False),
                name="flag_on_one_thing",
            ),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""), name="flag_other_has_note"
            ),
            models.UniqueConstraint(
                fields=["user", "solution"],
                condition=Q(resolved_at__isnull=True, solution__isnull=False),
                name="flag_one_open_per_user_and_solution",
            ),
            models.UniqueConstraint(
                fields=["user", "review"],
                condition=Q(resolved_at__isnull=True, review__isnull=False),
                name="flag_one_open_per_user_and_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {'solution' if self.solution_id else 'review'}"
