"""Query counts per page at several sizes of synthetic content (issue 18).

`seed_scale(scale)` writes a synthetic roadmap `scale` times the seed's size
(`apps/roadmap/management/synthetic.py`, as `manage.py seed_synthetic --scale N`) and, around
it, everything a page may show that grows with use, also `scale`-fold: a learner enrolled 8
weeks ago with progress on a third of the topics, ticks, check-ins and votes; pending
submissions, open reports, broken links with their check history and moderation log rows.
All in bulk, so that 100x takes seconds.

`measure(site)` requests every page and list endpoint once, as the person who would open it,
with an empty cache, and returns {name: number of SQL queries}. The test
(tests/performance/test_query_counts.py) and the table (bench/query_counts.py) both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

SCALES = (1, 10, 100)
SLUG = "synthetic"


@dataclass(frozen=True)
class Site:
    """What `seed_scale` wrote: the roadmap's slug, a phase, a topic, a resource, the people."""

    slug: str
    phase: str
    topic: str
    resource_id: int
    learner: Any
    moderator: Any


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # anonymous, learner or moderator
    path: str  # formatted with the Site's fields
    # Also count a second request, from what the first one kept: "<name>, again"
    # (the signed-in pages' shell and layer, roadmap_site/page_layer.py)
    again: bool = False


# The signed-in pages served as a shared shell and the learner's layer.
LAYERED = frozenset(
    {"roadmap (learner)", "phase (learner)", "section (learner)", "topic (learner)"}
)


PAGES: tuple[Page, ...] = (
    # The pages anyone opens, anonymously and signed in as a learner with progress.
    *(
        Page(f"{name} ({who})", who, path, again=f"{name} ({who})" in LAYERED)
        for name, path in (
            ("home", "/"),
            ("roadmap", "/roadmaps/{slug}/"),
            ("phase", "/roadmaps/{slug}/phases/{phase}/"),
            ("section", "/roadmaps/{slug}/sections/1/"),
            ("topic", "/roadmaps/{slug}/topics/{topic}/"),
            ("projects", "/roadmaps/{slug}/projects/"),
            ("faq", "/roadmaps/{slug}/faq/"),
            ("outcomes", "/roadmaps/{slug}/outcomes/"),
            ("modlog", "/modlog/"),
            ("search", "/search/?q=topic"),
        )
        for who in ("anonymous", "learner")
    ),
    # Kept per learner (roadmap_site/dashboard_layer.py): "again" is the kept page.
    Page("dashboard (learner)", "learner", "/roadmaps/{slug}/dashboard/", again=True),
    Page("moderation queue (moderator)", "moderator", "/moderation/"),
    # The API's lists.
    Page("api roadmaps", "anonymous", "/api/v1/roadmaps/"),
    Page("api resources", "anonymous", "/api/v1/resources/?roadmap={slug}"),
    Page("api modlog", "anonymous", "/api/v1/modlog/"),
    # The search: a word in every synthetic topic's title (PostgreSQL's typo search, one
    # query more, is measured in tests/search/test_postgres.py).
    Page("api search", "anonymous", "/api/v1/search/?q=topic"),
    Page("api submissions (learner)", "learner", "/api/v1/submissions/"),
    Page("api checkins (learner)", "learner", "/api/v1/me/checkins/{slug}/"),
    Page("api progress (learner)", "learner", "/api/v1/me/progress/{slug}/"),
    Page("api plan (learner)", "learner", "/api/v1/me/plan/{slug}/"),
    Page("api queue (moderator)", "moderator", "/api/v1/moderation/queue/"),
    Page("api resource checks (moderator)", "moderator", "/api/v1/resources/{resource_id}/checks/"),
    Page(
        "api topic revisions (moderator)",
        "moderator",
        "/api/v1/roadmaps/{slug}/topics/{topic}/revisions/",
    ),
)


def seed_scale(scale: int) -> Site:
    """The synthetic roadmap at `scale` and its use; see the module's docstring."""
    from apps.accounts.models import User
    from apps.community.models import Report, Vote
    from apps.linkcheck.models import LinkCheck
    from apps.linkcheck.verdicts import Verdict
    from apps.moderation.models import ModerationAction
    from apps.moderation.services.roles import moderator_add
    from apps.progress.models import ResourceTick, TopicProgress, WeeklyCheckIn
    from apps.progress.services import enrollment_put
    from apps.roadmap.management.synthetic import roadmap_seed_synthetic
    from apps.roadmap.models import Resource
    from apps.roadmap.url_normalization import normalize_url

    roadmap = roadmap_seed_synthetic(scale=scale, slug=SLUG)
    learner = User.objects.create_user(username=f"learner{scale}", email=f"l{scale}@t.example")
    submitter = User.objects.create_user(username=f"submitter{scale}", email=f"s{scale}@t.example")
    moderator = User.objects.create_user(username=f"moderator{scale}", email=f"m{scale}@t.example")
    moderator_add(user=moderator)
    today = timezone.localdate()
    enrollment_put(user=learner, roadmap=roadmap, start_date=today - timedelta(weeks=8))

    topics = list(roadmap.topics.order_by("order"))
    resources = list(roadmap.resources.order_by("pk"))
    now = timezone.now()
    statuses = [TopicProgress.Status.DONE, TopicProgress.Status.IN_PROGRESS]
    TopicProgress.objects.bulk_create(
        TopicProgress(user=learner, topic=topic, status=statuses[i % 2], note_md="A note.",
                      done_at=now if i % 2 == 0 else None)
        for i, topic in enumerate(topics[::3])
    )  # fmt: skip
    ResourceTick.objects.bulk_create(
        ResourceTick(user=learner, resource=resource) for resource in resources[::4]
    )
    WeeklyCheckIn.objects.bulk_create(
        WeeklyCheckIn(user=learner, roadmap=roadmap, week=week, hours=5, note_md="Fine.")
        for week in range(1, min(8, 4 * scale) + 1)
    )
    Vote.objects.bulk_create(
        Vote(user=learner, resource=resource, value=Vote.UP) for resource in resources[1::4]
    )
    pending = Resource.objects.bulk_create(
        Resource(roadmap=roadmap, topic=topics[i % len(topics)], url=url,
                 normalized_url=normalize_url(url), title=f"Submission {i}",
                 status=Resource.Status.PENDING, submitted_by=submitter if i % 2 else learner)
        for i in range(4 * scale)
        for url in [f"https://pending-{scale}-{i}.example/"]
    )  # fmt: skip
    Report.objects.bulk_create(
        Report(resource=resource, user=learner, reason=Report.Reason.OUTDATED, note="Old.")
        for resource in resources[2 : 2 + 3 * scale]
    )
    broken = resources[3 : 3 + 2 * scale]
    for resource in broken:
        resource.health = Resource.Health.BROKEN
        resource.consecutive_failures = 3
        resource.first_failure_at = now - timedelta(days=10)
        resource.last_checked_at = now
    Resource.objects.bulk_update(
        broken, ["health", "consecutive_failures", "first_failure_at", "last_checked_at"]
    )
    LinkCheck.objects.bulk_create(
        LinkCheck(resource=resource, url=resource.url, verdict=Verdict.BROKEN,
                  status_code=404, checked_at=now - timedelta(hours=k))
        for resource in [broken[0], *broken] for k in range(3 * scale // len(broken) + 1)
    )  # fmt: skip
    ModerationAction.objects.bulk_create(
        ModerationAction(actor=moderator, actor_name=moderator.username,
                         action=ModerationAction.Action.APPROVE,
                         target_type=ModerationAction.Target.RESOURCE,
                         target_id=resource.pk, target_title=resource.title, reason="Good.")
        for resource in (resources + pending)[: 20 * scale]
    )  # fmt: skip
    return Site(
        slug=roadmap.slug,
        phase=roadmap.phases.order_by("number").values_list("slug", flat=True)[0],
        topic=topics[0].slug,
        resource_id=broken[0].pk,
        learner=learner,
        moderator=moderator,
    )


def count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_HOST="testserver")
    if response.status_code != 200:
        raise AssertionError(f"{path} answered {response.status_code}")
    return len(captured.captured_queries)


def measure(site: Site, pages: tuple[Page, ...] = PAGES) -> dict[str, int]:
    """Each page's query count, on its first request, with an empty cache of the test's own."""
    counts: dict[str, int] = {}
    for page in pages:
        location = f"query-counts-{site.slug}-{page.name}-{timezone.now().timestamp()}"
        # The prefix too: the page cache keeps what a worker served in memory, keyed by it
        # (roadmap_site/page_cache.py), and a first request must render.
        caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                              "LOCATION": location, "KEY_PREFIX": location}}  # fmt: skip
        with override_settings(CACHES=caches):
            from django.core.cache import caches as handler

            handler["default"].clear()
            client = Client()
            person = {"learner": site.learner, "moderator": site.moderator}.get(page.who)
            if person is not None:
                client.force_login(person)
            counts[page.name] = count_queries(client, page.path.format(**site.__dict__))
            if page.again:
                again = count_queries(client, page.path.format(**site.__dict__))
                counts[f"{page.name}, again"] = again
    return counts


def measured_names(pages: tuple[Page, ...] = PAGES) -> list[str]:
    """The names `measure` reports: each page's, and "<name>, again" for a repeat."""
    return [name for p in pages for name in (p.name, f"{p.name}, again")[: 1 + p.again]]
