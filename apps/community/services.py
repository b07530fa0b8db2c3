"""Community writes: submitting a resource, voting, reporting. One use case per function."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.community.models import Report, Vote
from apps.community.ranking import wilson_lower_bound
from apps.linkcheck.guard import is_address_allowed, parse_ip_host
from apps.roadmap.models import Resource, Roadmap, Topic
from apps.roadmap.url_normalization import normalize_url

PENDING_LIMIT = 10
DAILY_LIMIT = 20
URL_MAX_LENGTH = 2000
TITLE_MIN, TITLE_MAX = 3, 200
DESCRIPTION_MAX = 5000
NOTE_MAX = 2000


class CommunityError(Exception):
    """A refusal with a message for the person who asked."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class DuplicateResource(CommunityError):
    def __init__(self, existing: Resource) -> None:
        self.existing = existing
        super().__init__("This link is already on the roadmap.")


class PendingLimitReached(CommunityError):
    pass


class DailyLimitReached(CommunityError):
    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class NotAllowed(CommunityError):
    pass


class NotVotable(CommunityError):
    pass


class OpenReportExists(CommunityError):
    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("You already reported this resource; a moderator will look at it.")


def url_errors(url: str) -> list[str]:
    if len(url) > URL_MAX_LENGTH:
        return [f"The URL can be at most {URL_MAX_LENGTH:,} characters long."]
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        return ["The URL must start with http:// or https://."]
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return ["The URL must not contain a user name or password."]
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return ["The URL must name a host, like https://example.org/page."]
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return ["The URL's port must be a number from 1 to 65535."]
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    if (host.lower(), port) in settings.LINKCHECK_ALLOW_HOSTS:
        return []  # an exact host:port let through for smoke runs and staging
    address = parse_ip_host(host)
    if address is not None:
        if not is_address_allowed(address):
            return ["The URL's host must be a public address, not a private or local one."]
    elif host.lower() == "localhost" or host.lower().endswith(".localhost") or "." not in host:
        return ["The URL's host must be a public domain name, like example.org."]
    try:
        normalize_url(url)
    except ValueError as exc:
        return [f"The URL cannot be read: {exc}."]
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
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        errors["title"] = [f"The title must be {TITLE_MIN} to {TITLE_MAX} characters long."]
    if kind not in Resource.Kind.values:
        errors["kind"] = ["Choose a kind: " + ", ".join(Resource.Kind.values) + "."]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [
            f"The description can be at most {DESCRIPTION_MAX:,} characters long."
        ]
    return errors


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
    """Submit a resource for moderation. Raises ValidationError (by field) or a CommunityError."""
    url = url.strip()
    errors = submission_errors(
        roadmap=roadmap, topic=topic, url=url, title=title, kind=kind, description=description
    )
    if errors:
        raise ValidationError(errors)
    normalized = normalize_url(url)
    # One submitter at a time: the limits below are counted, then a row is added.
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = Resource.objects.filter(roadmap=roadmap, normalized_url=normalized).first()
    if existing is not None:
        raise DuplicateResource(existing)
    mine = Resource.objects.filter(submitted_by=user, origin=Resource.Origin.COMMUNITY)
    pending = mine.filter(status=Resource.Status.PENDING).count()
    if pending >= PENDING_LIMIT:
        raise PendingLimitReached(
            f"You have {pending} submissions waiting for a moderator, the most allowed. "
            "Submit more once some of them are reviewed."
        )
    now = timezone.now()
    window = list(
        mine.filter(created_at__gt=now - timedelta(days=1))
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(window) >= DAILY_LIMIT:
        frees_at = window[len(window) - DAILY_LIMIT] + timedelta(days=1)
        retry_after = max(1, int((frees_at - now).total_seconds()) + 1)
        raise DailyLimitReached(
            f"You have submitted {DAILY_LIMIT} resources in the last 24 hours, the most allowed. "
            f"You can submit again in {retry_after // 3600} h {retry_after % 3600 // 60} min.",
            retry_after,
        )
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
        raise DuplicateResource(
            Resource.objects.get(roadmap=roadmap, normalized_url=normalized)
        ) from None


def _votable(*, user: User, resource: Resource) -> None:
    if resource.status != Resource.Status.APPROVED:
        raise NotVotable("Only approved resources can be voted on.")
    if resource.submitted_by_id == user.pk:
        raise NotAllowed("You cannot vote on a resource you submitted.")


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
    return resource


@transaction.atomic
def vote_cast(*, user: User, resource: Resource, value: int) -> Resource:
    """Vote up (1) or down (-1); voting again changes the vote. Counters move in the same
    transaction as the vote row."""
    if value not in (Vote.UP, Vote.DOWN):
        raise ValidationError({"value": ["A vote is 1 (up) or -1 (down)."]})
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
    errors: dict[str, list[str]] = {}
    if reason not in Report.Reason.values:
        errors["reason"] = ["Choose a reason: " + ", ".join(Report.Reason.values) + "."]
    if len(note) > NOTE_MAX:
        errors["note"] = [f"The note can be at most {NOTE_MAX:,} characters long."]
    if errors:
        raise ValidationError(errors)
    if resource.status != Resource.Status.APPROVED:
        raise NotVotable("Only resources on the roadmap can be reported.")
    User.objects.select_for_update().filter(pk=user.pk).first()
    open_report = Report.objects.filter(user=user, resource=resource, resolved_at=None).first()
    if open_report is not None:
        raise OpenReportExists(open_report)
    return Report.objects.create(user=user, resource=resource, reason=reason, note=note.strip())
