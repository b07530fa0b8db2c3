"""Community writes: submitting a resource, voting, reporting. One use case per function."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from apps.accounts.models import User
from apps.community.models import Report, Vote
from apps.community.ranking import wilson_lower_bound
from apps.linkcheck.guard import is_address_allowed, parse_ip_host
from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.services import community_touch
from apps.roadmap.url_normalization import (
    BAD_IPV4,
    DEFAULT_PORTS,
    URLProblem,
    normalize_url,
    read_http_url,
)
from roadmap_site.errors import Conflict, Invalid, LimitReached, NotAllowed
from roadmap_site.limits import (
    PENDING_SUBMISSIONS,
    REPORT_COOLDOWN,
    REPORT_NOTE,
    REPORTS_PER_HOUR,
    RESOURCE_DESCRIPTION,
    RESOURCE_TITLE,
    RESOURCE_URL,
    SUBMISSIONS_PER_DAY,
)

# Read by apps.moderation until it reads roadmap_site.limits itself; the same limits, not
# copies. Remove once nothing imports them from here.
TITLE_MIN, TITLE_MAX = RESOURCE_TITLE.min, RESOURCE_TITLE.max
DESCRIPTION_MAX = RESOURCE_DESCRIPTION.max


# What a duplicate's 409 says of a resource that is not on the roadmap: its state only, never
# its title, id, URL, submitter or the moderator's reason (it may be someone else's).
_NOT_LISTED = {
    Resource.Status.PENDING: "This link has already been suggested; it is waiting for a moderator.",
    Resource.Status.REJECTED: "This link was suggested before and was declined.",
    Resource.Status.RETIRED: "This link was on the roadmap before and has been retired.",
}


def _duplicate(existing: Resource) -> Conflict:
    """The URL is known already. An approved resource is public, so the answer says where it
    is; any other state is named and nothing more."""
    if existing.status == Resource.Status.APPROVED:
        return Conflict(
            "This link is already on the roadmap.",
            code="duplicate",
            existing={"id": existing.pk, "url": existing.url, "status": existing.status},
        )
    return Conflict(
        _NOT_LISTED[Resource.Status(existing.status)],
        code="duplicate",
        existing={"status": existing.status},
    )


def url_errors(url: str) -> list[str]:
    """What is wrong with a submitted URL, for the person who typed it; never raises. The
    host is judged after UTS-46 mapping, so 127.0.0.1 in full-width digits is 127.0.0.1."""
    if too_long := RESOURCE_URL.check(url):
        return [too_long]
    try:
        read = read_http_url(url)
    except URLProblem as problem:
        return [str(problem)]
    if read.has_userinfo:
        return ["The URL must not contain a user name or password."]
    port = read.port or DEFAULT_PORTS[read.scheme]
    if (read.host, port) in settings.LINKCHECK_ALLOW_HOSTS:
        return []  # an exact host:port let through for smoke runs and staging
    try:
        address = parse_ip_host(read.host)
    except ValueError:
        return [BAD_IPV4]
    if address is not None:
        if not is_address_allowed(address):
            return ["The URL's host must be a public address, not a private or local one."]
    elif read.host == "localhost" or read.host.endswith(".localhost") or "." not in read.host:
        return ["The URL's host must be a public domain name, like example.org."]
    try:
        normalize_url(url)
    except URLProblem as problem:
        return [str(problem)]
    return []


def submission_errors(
    *, roadmap: Roadmap, topic: Topic | None, url: str, title: str, kind: str, description: str
) -> dict[str, list[str]]:
    """Every problem with a submission, by field, in words for the person submitting."""
    errors: dict[str, list[str]] = {}
    if topic is not None and (topic.roadmap_id != roadmap.id or topic.retired_at is not None):
        errors["topic"] = ["Choose a topic of this roadmap."]
    if not url:
        errors["url"] = ["Enter the resource's URL."]
    elif url_problems := url_errors(url):
        errors["url"] = url_problems
    title = title.strip()
    if title_problem := RESOURCE_TITLE.check(title):
        errors["title"] = [title_problem]
    if kind not in Resource.Kind.values:
        errors["kind"] = ["Choose a kind: " + ", ".join(Resource.Kind.values) + "."]
    if description_problem := RESOURCE_DESCRIPTION.check(description):
        errors["description"] = [description_problem]
    return errors


def _submission_limits_check(*, user: User, now: datetime) -> None:
    """At most PENDING_SUBMISSIONS waiting for a moderator (409) and SUBMISSIONS_PER_DAY in
    any 24 hours (429, with the seconds until the oldest of them leaves the window)."""
    mine = Resource.objects.filter(submitted_by=user, origin=Resource.Origin.COMMUNITY)
    pending = mine.filter(status=Resource.Status.PENDING).count()
    if pending >= PENDING_SUBMISSIONS:
        raise Conflict(
            f"You have {pending} submissions waiting for a moderator, the most allowed. "
            "Submit more once some of them are reviewed.",
            code="pending_limit",
        )
    window = list(
        mine.filter(created_at__gt=now - timedelta(days=1))
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(window) >= SUBMISSIONS_PER_DAY:
        frees_at = window[len(window) - SUBMISSIONS_PER_DAY] + timedelta(days=1)
        retry_after = max(1, int((frees_at - now).total_seconds()) + 1)
        raise LimitReached(
            f"You have submitted {SUBMISSIONS_PER_DAY} resources in the last 24 hours, the most "
            f"allowed. You can submit again in {retry_after // 3600} h "
            f"{retry_after % 3600 // 60} min.",
            code="daily_limit",
            retry_after=retry_after,
        )


@transaction.atomic
def resource_submit(
    *,
    user: User,
    roadmap: Roadmap,
    topic: Topic | None,
    url: str,
    title: str,
    kind: str,
    description: str = "",
) -> Resource:
    """Submit a resource for moderation.

    Refuses with Invalid (by field), Conflict "duplicate" (with `existing`), Conflict
    "pending_limit" or LimitReached "daily_limit"; a refusal writes nothing.
    """
    url = url.strip()
    errors = submission_errors(
        roadmap=roadmap, topic=topic, url=url, title=title, kind=kind, description=description
    )
    if errors:
        raise Invalid(errors)
    normalized = normalize_url(url)
    # One submitter at a time: the limits below are counted, then a row is added.
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = Resource.objects.filter(roadmap=roadmap, normalized_url=normalized).first()
    if existing is not None:
        raise _duplicate(existing)
    now = timezone.now()
    _submission_limits_check(user=user, now=now)
    try:
        with transaction.atomic():
            return Resource.objects.create(
                roadmap=roadmap,
                topic=topic,
                url=url,
                normalized_url=normalized,
                title=title.strip(),
                kind=kind,
                description_md=description.strip(),
                status=Resource.Status.PENDING,
                origin=Resource.Origin.COMMUNITY,
                submitted_by=user,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        # Someone else submitted the same page a moment ago.
        raise _duplicate(Resource.objects.get(roadmap=roadmap, normalized_url=normalized)) from None


def _votable(*, user: User, resource: Resource) -> None:
    if resource.status != Resource.Status.APPROVED:
        raise Conflict("Only approved resources can be voted on.", code="not_votable")
    if resource.submitted_by_id == user.pk:
        raise NotAllowed("You cannot vote on a resource you submitted.", code="own_resource")


def _counters_apply(*, resource: Resource, up: int, down: int) -> Resource:
    """Move the counters with F() and re-score from the committed-plus-ours values."""
    if up or down:
        Resource.objects.filter(pk=resource.pk).update(
            upvotes=F("upvotes") + up, downvotes=F("downvotes") + down
        )
    upvotes, downvotes = Resource.objects.filter(pk=resource.pk).values_list(
        "upvotes", "downvotes"
    )[0]
    score = wilson_lower_bound(upvotes, downvotes)
    Resource.objects.filter(pk=resource.pk).update(score=score)
    resource.upvotes, resource.downvotes, resource.score = upvotes, downvotes, score
    if up or down:
        # Last in the transaction: the row stays locked only until the commit that follows.
        community_touch()
    return resource


@transaction.atomic
def vote_cast(*, user: User, resource: Resource, value: int) -> Resource:
    """Vote up (1) or down (-1); voting again changes the vote. Counters move in the same
    transaction as the vote row."""
    if value not in (Vote.UP, Vote.DOWN):
        raise Invalid({"value": ["A vote is 1 (up) or -1 (down)."]})
    _votable(user=user, resource=resource)
    # Serialise one user's votes, so twenty identical clicks make one row.
    User.objects.select_for_update().filter(pk=user.pk).first()
    vote = Vote.objects.filter(user=user, resource=resource).first()
    if vote is None:
        Vote.objects.create(user=user, resource=resource, value=value)
        up, down = (1, 0) if value == Vote.UP else (0, 1)
    elif vote.value == value:
        up = down = 0
    else:
        vote.value, vote.updated_at = value, timezone.now()
        vote.save(update_fields=["value", "updated_at"])
        up, down = (1, -1) if value == Vote.UP else (-1, 1)
    return _counters_apply(resource=resource, up=up, down=down)


@transaction.atomic
def vote_withdraw(*, user: User, resource: Resource) -> Resource:
    _votable(user=user, resource=resource)
    User.objects.select_for_update().filter(pk=user.pk).first()
    vote = Vote.objects.filter(user=user, resource=resource).first()
    if vote is None:
        return _counters_apply(resource=resource, up=0, down=0)
    vote.delete()
    up, down = (-1, 0) if vote.value == Vote.UP else (0, -1)
    return _counters_apply(resource=resource, up=up, down=down)


@transaction.atomic
def report_create(*, user: User, resource: Resource, reason: str, note: str = "") -> Report:
    """Report a resource on the roadmap to the moderators: one open report per user and
    resource (a second one is a Conflict "open_report" naming the first)."""
    errors: dict[str, list[str]] = {}
    if reason not in Report.Reason.values:
        errors["reason"] = ["Choose a reason: " + ", ".join(Report.Reason.values) + "."]
    if note_problem := REPORT_NOTE.check(note):
        errors["note"] = [note_problem]
    if errors:
        raise Invalid(errors)
    if resource.status != Resource.Status.APPROVED:
        raise Conflict("Only resources on the roadmap can be reported.", code="not_reportable")
    User.objects.select_for_update().filter(pk=user.pk).first()
    open_report = Report.objects.filter(user=user, resource=resource, resolved_at=None).first()
    if open_report is not None:
        raise Conflict(
            "You already reported this resource; a moderator will look at it.",
            code="open_report",
            report=open_report.pk,
        )
    now = timezone.now()
    _report_cooldown_check(user=user, resource=resource, now=now)
    _reports_per_hour_check(user=user, now=now)
    return Report.objects.create(user=user, resource=resource, reason=reason, note=note.strip())


def _report_cooldown_check(*, user: User, resource: Resource, now: datetime) -> None:
    """After a moderator resolved this person's report on the resource, they wait
    REPORT_COOLDOWN before reporting it again (409 "report_cooldown", with when)."""
    resolved = (
        Report.objects.filter(user=user, resource=resource, resolved_at__gt=now - REPORT_COOLDOWN)
        .order_by("-resolved_at")
        .first()
    )
    if resolved is None or resolved.resolved_at is None:
        return
    again_at = resolved.resolved_at + REPORT_COOLDOWN
    raise Conflict(
        "A moderator resolved your report on this resource "
        f"{_duration(now - resolved.resolved_at)} ago. If it is still wrong, you can report it "
        f"again in {_duration(again_at - now)}.",
        code="report_cooldown",
        report=resolved.pk,
        reportable_at=again_at.isoformat(),
    )


def _reports_per_hour_check(*, user: User, now: datetime) -> None:
    """At most REPORTS_PER_HOUR reports in any hour (429, with the seconds until the oldest
    of them leaves the hour)."""
    hour = timedelta(hours=1)
    window = list(
        Report.objects.filter(user=user, created_at__gt=now - hour)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:REPORTS_PER_HOUR]
    )
    if len(window) < REPORTS_PER_HOUR:
        return
    retry_after = math.ceil((window[-1] + hour - now).total_seconds())
    raise LimitReached(
        f"You have sent {REPORTS_PER_HOUR} reports in the last hour, the most allowed. "
        f"You can report again in {_duration(timedelta(seconds=retry_after))}.",
        code="report_limit",
        retry_after=retry_after,
    )


def _duration(span: timedelta) -> str:
    """A wait as people say it: "3 h 5 min", "12 min", "1 min" at least."""
    minutes = max(1, math.ceil(span.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@transaction.atomic
def votes_of_user_remove(user: User) -> None:
    """An account deletion's hook (apps.accounts.deletion): the user's votes go, and the
    counters and score of every resource they voted on are recounted from the votes left, in
    the deletion's transaction. The resources are locked first, so a vote cast meanwhile
    either counts in the recount or moves the recounted counters after it."""
    resource_ids = sorted(set(Vote.objects.filter(user=user).values_list("resource_id", flat=True)))
    if not resource_ids:
        return
    list(Resource.objects.select_for_update().filter(pk__in=resource_ids).order_by("pk"))
    Vote.objects.filter(user=user).delete()
    counts = {
        row["resource_id"]: (row["up"], row["down"])
        for row in Vote.objects.filter(resource_id__in=resource_ids)
        .values("resource_id")
        .annotate(
            up=Count("pk", filter=Q(value=Vote.UP)), down=Count("pk", filter=Q(value=Vote.DOWN))
        )
    }
    for resource_id in resource_ids:
        up, down = counts.get(resource_id, (0, 0))
        Resource.objects.filter(pk=resource_id).update(
            upvotes=up, downvotes=down, score=wilson_lower_bound(up, down)
        )
    community_touch()
