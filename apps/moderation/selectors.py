"""Moderation reads: the queue, the public log, topic revisions. Query counts stay flat."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from rest_framework.request import Request

from apps.accounts.models import User
from apps.accounts.roles import MODERATORS_GROUP, is_moderator
from apps.community.models import Report
from apps.linkcheck.selectors import recent_checks_prefetch
from apps.moderation.models import ModerationAction
from apps.moderation.revision_diff import word_diff
from apps.roadmap.models import Phase, Resource, Topic
from apps.showcase.models import Flag, Review
from apps.solutions.models import Solution
from roadmap_site.errors import NotAllowed, NotFound
from roadmap_site.limits import MERGE_CANDIDATES, MODLOG_MODERATORS, QUEUE_ROWS

# Link health (apps.linkcheck) sets these; the queue's third tab lists them. A permanent
# redirect is there too: its action is "apply the new URL".
BROKEN_HEALTH = (Resource.Health.BROKEN, Resource.Health.FAILING, Resource.Health.REDIRECTED)


def _submitter_count(status: str) -> Coalesce:
    counted = (
        Resource.objects.filter(
            submitted_by=OuterRef("submitted_by"),
            origin=Resource.Origin.COMMUNITY,
            status=status,
        )
        .order_by()
        .values("submitted_by")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def queue_submissions(*, limit: int = QUEUE_ROWS) -> list[Resource]:
    """Pending submissions, oldest first, each with `submitter_approved` and
    `submitter_rejected`: how many of the submitter's earlier submissions went each way.
    One query."""
    return list(
        Resource.objects.filter(origin=Resource.Origin.COMMUNITY, status=Resource.Status.PENDING)
        .select_related("roadmap", "topic", "submitted_by")
        .annotate(
            submitter_approved=_submitter_count(Resource.Status.APPROVED),
            submitter_rejected=_submitter_count(Resource.Status.REJECTED),
        )
        .order_by("created_at", "pk")[:limit]
    )


@dataclass
class ReportGroup:
    resource: Resource
    reports: list[Report] = field(default_factory=list)

    @property
    def oldest(self) -> Any:
        return self.reports[0].created_at


def queue_reports(*, limit: int = QUEUE_ROWS) -> list[ReportGroup]:
    """Open reports grouped by resource; the resource with the oldest open report first.
    One query."""
    reports = (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("resource__roadmap", "resource__topic", "user")
        .order_by("created_at", "pk")[:limit]
    )
    groups: dict[int, ReportGroup] = {}
    for report in reports:
        group = groups.setdefault(report.resource_id, ReportGroup(resource=report.resource))
        group.reports.append(report)
    return list(groups.values())


def queue_broken_links(*, limit: int = QUEUE_ROWS) -> list[Resource]:
    """Approved resources whose link is failing, broken or moved, longest failing first
    (moved ones last), each with its latest checks as `recent_checks`. Two queries."""
    return list(
        Resource.objects.approved()
        .filter(health__in=BROKEN_HEALTH)
        .select_related("roadmap", "topic")
        .prefetch_related(recent_checks_prefetch())
        .order_by(F("first_failure_at").asc(nulls_last=True), "pk")[:limit]
    )


_FLAG_PLACE = (
    "solution__learner",
    "solution__project__roadmap",
    "review__reviewer",
    "review__solution__learner",
    "review__solution__project__roadmap",
    "user",
)


def open_flags() -> QuerySet[Flag]:
    """Open flags on solutions and reviews, oldest first, with what they flag. One query."""
    return (
        Flag.objects.filter(resolved_at__isnull=True)
        .select_related(*_FLAG_PLACE, "resolved_by")
        .order_by("created_at", "pk")
    )


def queue_flags(*, limit: int = QUEUE_ROWS) -> list[Flag]:
    return list(open_flags()[:limit])


def flag_for_moderation(*, pk: int) -> Flag:
    found = Flag.objects.select_related(*_FLAG_PLACE).filter(pk=pk).first()
    if found is None:
        raise NotFound("No flag has this id.")
    return found


def solution_for_moderation(*, pk: int) -> Solution:
    found = Solution.objects.select_related("learner", "project__roadmap").filter(pk=pk).first()
    if found is None:
        raise NotFound("No solution has this id.")
    return found


# The header's "Moderation" link shows the queue's counts on every page a moderator sees, and
# every page shows whether its viewer is one. Both come from the cache so that a page costs
# the same queries for everyone; they may lag by HEADER_CACHE_SECONDS behind submissions,
# reports and link health (other apps' writes), while moderation's own writes and role changes
# refresh or forget them. Only links depend on them: the pages check the role themselves.
HEADER_CACHE_SECONDS = 60
QUEUE_COUNTS_KEY = "moderation:queue-counts"
ROLE_KEY = "moderation:is-moderator:{user_id}"


def queue_counts() -> dict[str, int]:
    """How much waits in each tab (the tabs themselves show at most QUEUE_ROWS). Counted now,
    in 3 queries (the resources' two counts in one); the header's cached copy is refreshed.
    The queue page, the header's badge, the daily digest and the API all count from here."""
    resources = Resource.objects.aggregate(
        submissions=Count(
            "pk", filter=Q(origin=Resource.Origin.COMMUNITY, status=Resource.Status.PENDING)
        ),
        broken_links=Count(
            "pk", filter=Q(status=Resource.Status.APPROVED, health__in=BROKEN_HEALTH)
        ),
    )
    counts = {
        "submissions": resources["submissions"],
        "reports": Report.objects.filter(resolved_at__isnull=True).count(),
        "broken_links": resources["broken_links"],
        "flags": Flag.objects.filter(resolved_at__isnull=True).count(),
    }
    cache.set(QUEUE_COUNTS_KEY, counts, HEADER_CACHE_SECONDS)
    return counts


def queue_counts_forget() -> None:
    """After a moderation write: the header counts them again when next shown."""
    cache.delete(QUEUE_COUNTS_KEY)


def queue_counts_cached() -> dict[str, int]:
    """The queue's counts for the header: the cached copy, counted when there is none."""
    counts = cache.get(QUEUE_COUNTS_KEY)
    return counts if isinstance(counts, dict) else queue_counts()


def viewer_is_moderator(user: Any) -> bool:
    """`is_moderator` for the header and the pages' "Edit" links: cached per user, so that
    a page view by anyone signed in costs no query for it once warm."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or getattr(user, "_is_moderator", None) is not None:
        return is_moderator(user)
    key = ROLE_KEY.format(user_id=user.pk)
    cached = cache.get(key)
    if not isinstance(cached, bool):
        cached = is_moderator(user)
        cache.set(key, cached, HEADER_CACHE_SECONDS)
    user._is_moderator = cached
    return cached


def viewer_role_forget(*, user_id: int) -> None:
    cache.delete(ROLE_KEY.format(user_id=user_id))


def moderators_for_digest() -> QuerySet[User]:
    """Moderators (group members and superusers) who want the daily digest and can get it."""
    return (
        User.objects.filter(Q(groups__name=MODERATORS_GROUP) | Q(is_superuser=True))
        .filter(is_active=True, email_moderation_digest=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def modlog(*, action: str = "", moderator: str = "") -> QuerySet[ModerationAction]:
    """The public log, newest first, of one action and one moderator when given. Only public
    columns are ever read from it."""
    entries = ModerationAction.objects.only(
        "id",
        "created_at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_title",
        "reason",
    ).order_by("-created_at", "-id")
    if action:
        entries = entries.filter(action=action)
    if moderator:
        entries = entries.filter(actor_name=moderator)
    return entries


def modlog_moderators(*, limit: int = MODLOG_MODERATORS) -> list[str]:
    """The public names in the log, for its filter: the most recently active first."""
    names = (
        ModerationAction.objects.values("actor_name")
        .annotate(last=Max("created_at"))
        .order_by("-last", "actor_name")
        .values_list("actor_name", flat=True)[:limit]
    )
    return list(names)


SHOWCASE_TARGETS: dict[str, str] = {
    ModerationAction.Target.SOLUTION: "solution",
    ModerationAction.Target.REVIEW: "review of",
    ModerationAction.Target.FLAG: "flag on",
}


@dataclass(frozen=True)
class LogTarget:
    """What a log entry acted on, as the public log shows it: `url` is None when it is no longer
    on the site; `state` then says why ("removed", "not listed")."""

    kind: str  # topic, resource, submission, report on
    title: str
    url: str | None = None
    state: str = ""


def _public_resource_url(resource: Resource | None) -> tuple[str | None, str]:
    if resource is None:
        return None, "removed"
    topic = resource.topic
    if resource.status != Resource.Status.APPROVED or (topic and topic.retired_at is not None):
        return None, "not listed"
    slug = resource.roadmap.slug
    page = (
        reverse("roadmap:topic", args=[slug, topic.slug])
        if topic is not None
        else reverse("roadmap:roadmap", args=[slug])
    )
    return f"{page}#resource-{resource.pk}", ""


def _public_solution_url(solution: Solution | None, anchor: str = "") -> tuple[str | None, str]:
    """A solution's page while anyone may see it; a hidden or withdrawn one is named only."""
    if solution is None:
        return None, "removed"
    if not solution.is_visible:
        return None, "not public"
    return reverse("solutions:detail", args=[solution.pk]) + anchor, ""


def _showcase_target(
    entry: ModerationAction,
    solutions: dict[int, Solution],
    reviews: dict[int, Review],
    flags: dict[int, Flag],
) -> LogTarget:
    """A solution links to its page, a review to its place on the solution's reviews page, a
    flag to what it flagged: each only while it is public."""
    kind, title = SHOWCASE_TARGETS[entry.target_type], entry.target_title
    Target = ModerationAction.Target
    review: Review | None = None
    if entry.target_type == Target.SOLUTION:
        url, state = _public_solution_url(solutions.get(entry.target_id))
        return LogTarget(kind, title, url=url, state=state)
    if entry.target_type == Target.REVIEW:
        review = reviews.get(entry.target_id)
    else:
        flag = flags.get(entry.target_id)
        if flag is None:
            return LogTarget(kind, title, state="removed")
        if flag.solution is not None:
            url, state = _public_solution_url(flag.solution)
            return LogTarget(kind, title, url=url, state=state)
        review = flag.review
    if review is None:
        return LogTarget(kind, title, state="removed")
    if review.removed_at is not None:
        return LogTarget(kind, title, state="removed")
    page = reverse("showcase:reviews", args=[review.solution_id]) + f"#review-{review.pk}"
    url, state = _public_solution_url(review.solution)
    return LogTarget(kind, title, url=page if url else None, state=state)


def modlog_targets(entries: list[ModerationAction]) -> dict[int, LogTarget]:
    """Each entry's target (by entry id), with a link while it is still on the site.

    One query per kind of target on the page (topics, resources, reports, solutions, reviews,
    flags), whatever the rows.
    """
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        wanted.setdefault(entry.target_type, set()).add(entry.target_id)
    Target = ModerationAction.Target
    found_topics = (
        Topic.objects.filter(pk__in=wanted[Target.TOPIC]).select_related("roadmap").in_bulk()
        if Target.TOPIC in wanted
        else {}
    )
    found_resources = (
        Resource.objects.filter(pk__in=wanted[Target.RESOURCE])
        .select_related("roadmap", "topic")
        .in_bulk()
        if Target.RESOURCE in wanted
        else {}
    )
    found_reports = (
        Report.objects.filter(pk__in=wanted[Target.REPORT])
        .select_related("resource__roadmap", "resource__topic")
        .in_bulk()
        if Target.REPORT in wanted
        else {}
    )
    found_solutions = (
        Solution.objects.filter(pk__in=wanted[Target.SOLUTION]).in_bulk()
        if Target.SOLUTION in wanted
        else {}
    )
    found_reviews = (
        Review.objects.filter(pk__in=wanted[Target.REVIEW]).select_related("solution").in_bulk()
        if Target.REVIEW in wanted
        else {}
    )
    found_flags = (
        Flag.objects.filter(pk__in=wanted[Target.FLAG])
        .select_related("solution", "review__solution")
        .in_bulk()
        if Target.FLAG in wanted
        else {}
    )
    decided = {ModerationAction.Action.APPROVE, ModerationAction.Action.REJECT}
    targets = {}
    for entry in entries:
        title = entry.target_title
        if entry.target_type == Target.TOPIC:
            topic = found_topics.get(entry.target_id)
            if topic is None:
                target = LogTarget("topic", title, state="removed")
            elif topic.retired_at is not None:
                target = LogTarget("topic", title, state="not listed")
            else:
                page = reverse("roadmap:topic", args=[topic.roadmap.slug, topic.slug])
                target = LogTarget("topic", title, url=page)
        elif entry.target_type == Target.REPORT:
            report = found_reports.get(entry.target_id)
            url, state = _public_resource_url(report.resource if report else None)
            target = LogTarget("report on", title, url=url, state=state)
        elif entry.target_type in SHOWCASE_TARGETS:
            target = _showcase_target(entry, found_solutions, found_reviews, found_flags)
        else:
            kind = "submission" if entry.action in decided else "resource"
            url, state = _public_resource_url(found_resources.get(entry.target_id))
            target = LogTarget(kind, title, url=url, state=state)
        targets[entry.pk] = target
    return targets


def acting_moderator(request: HttpRequest | Request) -> User:
    """The moderator making the request. The views' guards (IsModerator, moderator_required)
    let no one else through; this says so to the type checker, and refuses anyone else."""
    user = request.user
    if not isinstance(user, User) or not is_moderator(user):
        raise NotAllowed("Only moderators may do this.")
    return user


def moderation_pending_submission(*, pk: int) -> Resource:
    """A community submission, decided or not (the service answers 409 for a decided one)."""
    found = (
        Resource.objects.filter(origin=Resource.Origin.COMMUNITY)
        .select_related("roadmap", "topic", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("No submission has this id.")
    return found


def resource_for_moderation(*, pk: int) -> Resource:
    """Any resource, whatever its status."""
    found = Resource.objects.select_related("roadmap", "topic").filter(pk=pk).first()
    if found is None:
        raise NotFound("No resource has this id.")
    return found


def resource_moderated(*, pk: int) -> Resource:
    """A resource as the moderation API answers it, after a change."""
    return Resource.objects.select_related("roadmap", "topic", "submitted_by").get(pk=pk)


def merge_candidates(
    *, resource: Resource, q: str, limit: int = MERGE_CANDIDATES
) -> list[Resource]:
    """What a duplicate may be merged into: approved resources of its roadmap, itself left out,
    whose title or URL holds the search (case aside), best first. One query; none for an empty
    search."""
    q = q.strip()
    if not q:
        return []
    return list(
        Resource.objects.approved()
        .filter(roadmap_id=resource.roadmap_id)
        .exclude(pk=resource.pk)
        .filter(Q(title__icontains=q) | Q(url__icontains=q))
        .select_related("topic")
        .order_by("-score", "title", "pk")[:limit]
    )


def merge_target(*, pk: int) -> Resource | None:
    """The resource a merge form names, to show it again when the form is refused."""
    return Resource.objects.select_related("topic").filter(pk=pk).first()


def report_for_moderation(*, pk: int) -> Report:
    found = (
        Report.objects.select_related("resource__roadmap", "resource__topic", "user")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("No report has this id.")
    return found


def topic_for_moderation(*, roadmap_slug: str, slug: str) -> Topic:
    """Any topic, retired ones too: a moderator may still fix or revert them."""
    found = (
        Topic.objects.select_related("roadmap", "section", "phase")
        .filter(roadmap__slug=roadmap_slug, slug=slug)
        .first()
    )
    if found is None:
        raise NotFound("No such topic.")
    return found


def topic_of_roadmap(*, roadmap_id: int, slug: str) -> Topic | None:
    """An active topic of the roadmap by its slug (a resource's new topic), or None."""
    return Topic.objects.active().filter(roadmap_id=roadmap_id, slug=slug).first()


def phase_of_roadmap(*, roadmap_id: int, slug: str) -> Phase | None:
    """A phase of the roadmap by its slug (a topic's new phase), or None."""
    return Phase.objects.filter(roadmap_id=roadmap_id, slug=slug).first()


def topic_revision_exists(*, topic: Topic, revision_id: int) -> bool:
    return topic_revision_records(topic=topic).filter(history_id=revision_id).exists()


# Fields of a revision that a moderator edits, with the words the pages use for them.
REVISION_FIELDS = {
    "title": "title",
    "body_md": "text",
    "key_points": "key things",
    "est_hours": "hours",
    "phase_id": "phase",
    "order": "order",
}


@dataclass
class Revision:
    record: Any  # a HistoricalTopic row
    changes: list[dict[str, Any]]  # [{field, label, before, after}] against the one before
    first: bool = False  # the topic's first revision: nothing before it to compare with
    revert_reason: str = ""  # for a revert: what its moderator gave as the reason (the page's)

    @property
    def id(self) -> int:
        return self.record.history_id


def topic_revisions(*, topic: Topic, records: list[Any] | None = None) -> list[Revision]:
    """A topic's revisions, newest first, each with what it changed (before and after).

    `records` is one page of `topic_revision_records` when the caller paginates; the record
    just older than the page is fetched once, so the cost is two queries for any page.
    """
    if records is None:
        records = list(topic_revision_records(topic=topic))
    if not records:
        return []
    last = records[-1]
    older = (
        topic_revision_records(topic=topic)
        .filter(
            Q(history_date__lt=last.history_date)
            | Q(history_date=last.history_date, history_id__lt=last.history_id)
        )
        .first()
    )
    phase_slugs = dict(Phase.objects.filter(roadmap_id=topic.roadmap_id).values_list("pk", "slug"))

    def shown(name: str, value: Any) -> Any:
        if name == "phase_id":
            return phase_slugs.get(value, f"phase #{value}") if value is not None else None
        return value

    result = []
    for record, before in zip(records, [*records[1:], older], strict=True):
        changes = []
        for name, label in REVISION_FIELDS.items():
            after_value = getattr(record, name)
            before_value = getattr(before, name) if before is not None else None
            if before is None or before_value != after_value:
                changes.append(
                    {
                        "field": "phase" if name == "phase_id" else name,
                        "label": label,
                        "before": shown(name, before_value) if before is not None else None,
                        "after": shown(name, after_value),
                    }
                )
        result.append(Revision(record=record, changes=changes, first=before is None))
    return result


REVERT_REVISION = re.compile(r"^revert to revision (\d+)")  # services.topics.topic_revert's
REVERT_LOG = re.compile(r"^Back to revision (\d+) of [^.]* UTC\.\s*", re.S)  # its log text


def topic_revisions_shown(*, topic: Topic, records: list[Any]) -> list[Revision]:
    """One page of a topic's revisions as the revisions page shows them: each change with its
    word-level diff (`change["diff"]`, None for the first revision), each revert with the reason
    its moderator gave. The reasons cost one query for the page, and only when it holds a
    revert: a revision keeps 100 characters of reason, the public log all of it."""
    revisions = topic_revisions(topic=topic, records=records)
    for revision in revisions:
        for change in revision.changes:
            change["diff"] = (
                None if revision.first else word_diff(change["before"], change["after"])
            )
    reverts = [
        (revision, int(found.group(1)))
        for revision in revisions
        if (found := REVERT_REVISION.match(revision.record.history_change_reason or ""))
    ]
    if reverts:
        dates = [revision.record.history_date for revision, _ in reverts]
        window = timedelta(minutes=1)
        entries = list(
            ModerationAction.objects.filter(
                target_type=ModerationAction.Target.TOPIC,
                target_id=topic.pk,
                action=ModerationAction.Action.REVERT,
                created_at__range=(min(dates) - window, max(dates) + window),
            ).only("created_at", "reason")
        )
        for revision, number in reverts:
            # Written in the same transaction as the revision: the nearest entry for that number.
            same = [
                (abs(e.created_at - revision.record.history_date), e.reason)
                for e in entries
                if (m := REVERT_LOG.match(e.reason)) and int(m.group(1)) == number
            ]
            if same:
                reason = min(same)[1]
                revision.revert_reason = REVERT_LOG.sub("", reason, count=1)
    return revisions


def topic_revision_records(*, topic: Topic) -> QuerySet:
    return (
        Topic.history.filter(id=topic.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def export_section(user: User) -> list[dict[str, Any]]:
    """The moderation actions the user took (the log is public; this is the user's share)."""
    return [
        {
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "target_title": entry.target_title,
            "reason": entry.reason,
            "created_at": entry.created_at.isoformat(),
        }
        for entry in ModerationAction.objects.filter(actor=user).order_by("created_at", "pk")
    ]
