"""The roadmap's content: what the README says, and what moderators and the community add."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from simple_history.models import HistoricalRecords

from roadmap_site.limits import (
    RESOURCE_TITLE,
    RESOURCE_URL,
    TOPIC_HOURS,
    TOPIC_SUMMARY,
    TOPIC_TITLE,
)

ARCHIVE_PREFIX = "https://web.archive.org/web/*/"
# Roadmaps, sections, phases and projects have titles as long as a topic's.
TITLE_LENGTH = TOPIC_TITLE.max
# A topic change's detail: a resource's title, or two URLs, cut to this.
TOPIC_CHANGE_DETAIL_LENGTH = 300


class Imported(models.Model):
    """Content that the README import writes.

    `imported` keeps each field's value as of the last import. A re-import compares it with
    the current value: a field that differs was changed on the site (by a moderator) and is
    never overwritten by the file.
    """

    imported = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True


class Roadmap(Imported):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=TITLE_LENGTH)
    summary_md = models.TextField(blank=True)
    pathway_md = models.TextField(blank=True, help_text="The introduction to the phases.")
    contributing_md = models.TextField(blank=True)
    closing_md = models.TextField(blank=True)
    source_url = models.URLField(blank=True)
    content_version = models.PositiveBigIntegerField(
        default=1, help_text="Bumped with every change to public content; keys caches and ETags."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PageVersion(models.Model):
    """One row: the two versions that key the cached public pages (roadmap_site/page_cache.py).

    `version` is the content version, bumped by `services.touch.pages_touch` on every content
    change (with the roadmap's `content_version`: edits, approvals, imports, and moderation log
    entries that change content). `community_version` is bumped by `community_touch` on what
    the community and the link checker change: votes, a link's health or access, and log
    entries that change no content. Every cached page is keyed by the content version; pages
    that show votes, link health or those log entries are keyed by both, so a vote leaves
    the other pages' copies (and ETags) as they were.
    """

    version = models.PositiveBigIntegerField(default=1)
    community_version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"pages v{self.version}.{self.community_version}"


class ActiveQuerySet(models.QuerySet):
    def active(self) -> ActiveQuerySet:
        return self.filter(retired_at__isnull=True)


class Section(Imported):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=TITLE_LENGTH)
    summary_md = models.TextField(blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["roadmap", "number"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "slug"], name="section_slug_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="section_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Phase(Imported):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=TITLE_LENGTH)
    week_start = models.PositiveSmallIntegerField()
    week_end = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["roadmap", "number"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "number"], name="phase_number_unique"),
            models.UniqueConstraint(fields=["roadmap", "slug"], name="phase_slug_unique"),
            models.CheckConstraint(condition=Q(week_start__gte=1), name="phase_weeks_start_at_1"),
            models.CheckConstraint(
                condition=Q(week_end__gte=models.F("week_start")), name="phase_weeks_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Phase {self.number}: {self.title}"

    @property
    def week_count(self) -> int:
        return self.week_end - self.week_start + 1


class TopicQuerySet(ActiveQuerySet):
    def in_plan_order(self) -> TopicQuerySet:
        return self.order_by("phase__number", "order")


class Topic(Imported):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="topics")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="topics")
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="topics"
    )
    slug = models.SlugField(max_length=120, help_text="Set at first import, never changed.")
    title = models.CharField(max_length=TITLE_LENGTH)
    summary = models.CharField(
        max_length=TOPIC_SUMMARY.max, blank=True, help_text="The body's first sentence."
    )
    body_md = models.TextField(blank=True)
    key_points = models.JSONField(default=list, blank=True)
    is_additional = models.BooleanField(default=False)
    est_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(help_text="Position in the roadmap, across sections.")
    retired_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(
        default=0,
        help_text="Bumped by services.revisions.topic_revise on every public change of the "
        "topic's text or its resources (one TopicChange row each): a learner who finished the "
        "topic at a lower revision is told what changed since.",
    )
    history = HistoricalRecords(excluded_fields=["imported", "revision"])

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["roadmap", "order"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "slug"], name="topic_slug_unique"),
            models.CheckConstraint(
                condition=Q(est_hours__isnull=True) | TOPIC_HOURS.q("est_hours"),
                name="topic_hours_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TopicChange(models.Model):
    """One public change of a topic a learner may have finished: its text, or its resources'
    list or links. Written only by `services.revisions.topic_revise`, with the revision it
    made."""

    class Kind(models.TextChoices):
        TEXT = "text", "The text was edited"
        RESOURCE_ADDED = "resource-added", "A resource was added"
        RESOURCE_REMOVED = "resource-removed", "A resource was removed"
        RESOURCE_REPLACED = "resource-replaced", "A resource was replaced"
        LINK_UPDATED = "link-updated", "A link was updated"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="changes")
    revision = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.CharField(max_length=TOPIC_CHANGE_DETAIL_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["topic", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "revision"], name="topic_change_once"),
        ]

    def __str__(self) -> str:
        return f"{self.topic}, revision {self.revision}: {self.get_kind_display()}"


class PhaseGoal(Imported):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    topics = models.ManyToManyField(Topic, blank=True, related_name="goals")

    class Meta:
        ordering = ["phase", "order"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "order"], name="goal_order_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Outcome(Imported):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="outcomes")
    order = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["roadmap", "order"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "order"], name="outcome_order_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Project(Imported):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="projects")
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=TITLE_LENGTH)
    description_md = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField()
    topics = models.ManyToManyField(Topic, blank=True, related_name="projects")
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["roadmap", "order"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "slug"], name="project_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class FAQ(Imported):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="faqs")
    order = models.PositiveSmallIntegerField()
    question = models.TextField()
    answer_md = models.TextField()

    class Meta:
        ordering = ["roadmap", "order"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "order"], name="faq_order_unique"),
        ]

    def __str__(self) -> str:
        return self.question


class ResourceQuerySet(models.QuerySet):
    def approved(self) -> ResourceQuerySet:
        return self.filter(status=Resource.Status.APPROVED)

    def ranked(self) -> ResourceQuerySet:
        """Best first: editor's picks, then working links, then score; ties go to the newer."""
        broken_last = models.Case(
            models.When(health=Resource.Health.BROKEN, then=1),
            default=0,
            output_field=models.IntegerField(),
        )
        return self.order_by("-editors_pick", broken_last, "-score", "-created_at", "-id")


class Resource(Imported):
    class Kind(models.TextChoices):
        ARTICLE = "article"
        DOCS = "docs"
        BOOK = "book"
        COURSE = "course"
        VIDEO = "video"
        PAPER = "paper"
        TOOL = "tool"
        COMMUNITY = "community"
        NOTEBOOK = "notebook"

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"
        RETIRED = "retired"

    class Health(models.TextChoices):
        UNKNOWN = "unknown"
        OK = "ok"
        REDIRECTED = "redirected"
        BLOCKED = "blocked"
        FAILING = "failing"
        BROKEN = "broken"

    class Access(models.TextChoices):
        """What the link checker last saw of a reachable page (docs/link-health.md)."""

        OPEN = "", "open"
        SIGNIN_REQUIRED = "signin_required", "Sign-in needed"
        PAYWALLED = "paywalled", "Paid"
        ARCHIVED = "archived", "Archived"
        NEWER_VERSION = "newer_version", "Newer version available"

    class Origin(models.TextChoices):
        README = "readme", "the roadmap's README"
        ENRICHMENT = "enrichment", "the enrichment fixture"
        COMMUNITY = "community", "a community submission"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="resources")
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="resources"
    )
    url = models.URLField(max_length=RESOURCE_URL.max, blank=True)
    normalized_url = models.CharField(max_length=2500, blank=True, editable=False)
    title = models.CharField(max_length=RESOURCE_TITLE.max)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ARTICLE)
    description_md = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    editors_pick = models.BooleanField(default=False)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.COMMUNITY)
    source_key = models.CharField(
        max_length=300,
        blank=True,
        help_text="The import's stable key for README and enrichment resources.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_resources",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    review_reason = models.TextField(
        blank=True, help_text="The moderator's reason for the last approval or rejection."
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    health = models.CharField(max_length=16, choices=Health.choices, default=Health.UNKNOWN)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    final_url = models.URLField(max_length=RESOURCE_URL.max, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    access = models.CharField(max_length=16, choices=Access.choices, default="", blank=True)
    access_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the link checker first saw the current access."
    )
    history = HistoricalRecords(
        excluded_fields=[
            "imported",
            "upvotes",
            "downvotes",
            "score",
            "health",
            "last_checked_at",
            "consecutive_failures",
            "first_failure_at",
            "access",
            "access_seen_at",
        ]
    )

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-editors_pick", "-score", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["roadmap", "normalized_url"],
                condition=~Q(normalized_url=""),
                name="resource_url_unique_per_roadmap",
            ),
            models.UniqueConstraint(
                fields=["roadmap", "source_key"],
                condition=~Q(source_key=""),
                name="resource_source_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=-1) & Q(score__lte=1), name="resource_score_in_signed_range"
            ),
            models.CheckConstraint(
                condition=Q(url="") | ~Q(normalized_url=""),
                name="resource_url_normalized",
            ),
        ]
        indexes = [
            models.Index(fields=["topic", "status", "-score"], name="resource_topic_rank"),
            models.Index(fields=["status", "created_at"], name="resource_status_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        """Free to read: the link checker has not found it behind a paywall."""
        return self.access != Resource.Access.PAYWALLED

    @property
    def net_votes(self) -> int:
        """What pages show between the arrows: upvotes minus downvotes."""
        return self.upvotes - self.downvotes

    @property
    def archive_url(self) -> str | None:
        """The Internet Archive's captures of a broken link: its URL verbatim after `/web/*/`
        (only non-ASCII is escaped; escaping `%`, `&` or `?` again would name another URL)."""
        if self.health != Resource.Health.BROKEN or not self.url:
            return None
        return ARCHIVE_PREFIX + iri_to_uri(self.url)
